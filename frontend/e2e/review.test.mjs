// Uploader uploads; reviewer approves one document and rejects another in the review
// screen; the uploader's dashboard shows ARCHIVED and REJECTED arrive live, no reload.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { INVOICE_PDF, USERS, assertNoReload, launch, login, markNoReload, open, row, shot, uploadThroughUi, waitForRowStatus } from './lib.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

async function decide(page, documentId, decision, text) {
  const task = page.locator(`[data-testid="review-task"][data-document-id="${documentId}"]`);
  await task.waitFor({ timeout: 30_000 });
  await task.getByTestId(decision === 'approve' ? 'review-approve' : 'review-reject').click();
  const dialog = page.getByTestId('decision-dialog');
  await dialog.waitFor();
  if (decision === 'reject') {
    // A rejection needs a reason: confirming without one is refused in the dialog.
    await dialog.getByTestId('decision-confirm').click();
    await dialog.locator('.field-error').waitFor();
  }
  if (text) await dialog.getByTestId('decision-text').fill(text);
  await dialog.getByTestId('decision-confirm').click();
  await dialog.waitFor({ state: 'detached' });
  await task.waitFor({ state: 'detached', timeout: 15_000 });
}

test('a reviewer approves and rejects; the uploader sees ARCHIVED and REJECTED live', async () => {
  const uploader = await open(browser);
  await login(uploader.page, USERS.uploader);
  await markNoReload(uploader.page);
  const stamp = Date.now();
  const approved = await uploadThroughUi(uploader.page, INVOICE_PDF, { title: `Approve me ${stamp}`, type: 'INVOICE' });
  const rejected = await uploadThroughUi(uploader.page, INVOICE_PDF, { title: `Reject me ${stamp}`, type: 'INVOICE' });
  await uploader.page.getByTestId('nav-dashboard').click();
  await waitForRowStatus(uploader.page, approved.id, 'PENDING_APPROVAL');
  await waitForRowStatus(uploader.page, rejected.id, 'PENDING_APPROVAL');

  const reviewer = await open(browser);
  await login(reviewer.page, USERS.reviewer);
  await reviewer.page.getByTestId('nav-review').click();
  await reviewer.page.getByTestId('review-page').waitFor();
  await shot(reviewer.page, 'review');
  await decide(reviewer.page, approved.id, 'approve', 'Totals match the purchase order.');
  await decide(reviewer.page, rejected.id, 'reject', 'Missing the vendor signature.');
  await reviewer.page.getByTestId('review-done').waitFor();

  // The uploader never reloaded: both statuses arrived over the WebSocket.
  await waitForRowStatus(uploader.page, approved.id, 'ARCHIVED');
  await waitForRowStatus(uploader.page, rejected.id, 'REJECTED');
  await assertNoReload(uploader.page, assert);
  await shot(uploader.page, 'dashboard-live');

  await row(uploader.page, rejected.id).getByTestId('document-link').click();
  await uploader.page.getByTestId('rejection-reason').waitFor();
  assert.match(await uploader.page.getByTestId('rejection-reason').textContent(), /Missing the vendor signature/);
  await uploader.page.locator('[data-testid="graph-node-MarkRejected"][data-state-status="visited"], [data-testid="graph-node-MarkRejected"][data-state-status="current"]').first().waitFor({ timeout: 20_000 });
  assert.deepEqual(uploader.page.errors, []);
  assert.deepEqual(reviewer.page.errors, []);
});
