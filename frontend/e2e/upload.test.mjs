// Upload a PDF and watch it reach PENDING_APPROVAL on the dashboard without a reload.
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

test('an uploaded PDF reaches PENDING_APPROVAL live, with its fields and workflow graph', async () => {
  const { page } = await open(browser);
  await login(page, USERS.uploader);
  await page.getByTestId('dashboard-page').waitFor();
  await markNoReload(page);

  const { id } = await uploadThroughUi(page, INVOICE_PDF, { title: `E2E invoice ${Date.now()}`, type: 'INVOICE' });
  assert.match(id, /^[0-9a-f-]{36}$/);
  await shot(page, 'upload-done');

  // Back to the dashboard through the client's router: same page, no reload.
  await page.getByTestId('nav-dashboard').click();
  await row(page, id).waitFor();
  await waitForRowStatus(page, id, 'PENDING_APPROVAL');
  await assertNoReload(page, assert);
  assert.equal(await page.getByTestId('live-indicator').getAttribute('data-live-status'), 'live');

  // The document: preview, extracted fields (a click shows the box), and the graph.
  await row(page, id).getByTestId('document-link').click();
  await page.getByTestId('document-page').waitFor();
  await page.getByTestId('pdf-preview').locator('canvas').waitFor();
  await page.getByTestId('fields-table').waitFor();
  const firstField = page.getByTestId('field-row').first().locator('button');
  await firstField.click();
  await page.getByTestId('bbox-highlight').waitFor();
  await page.getByTestId('workflow-graph').waitFor();
  const current = page.locator('[data-state-status="visited"]');
  assert.ok((await current.count()) >= 2, 'the graph shows the path taken');
  await shot(page, 'document');
  assert.deepEqual(page.errors, []);
});
