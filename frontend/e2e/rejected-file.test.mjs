// A file the vault refuses: the upload screen shows the API's own error, per file, and
// the good file of the same batch still goes through.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { GARBAGE_FILE, INVOICE_PDF, USERS, launch, login, open, shot } from './lib.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('a rejected upload shows the server’s reason and leaves no document behind', async () => {
  const { page } = await open(browser);
  await login(page, USERS.uploader);
  await page.getByTestId('nav-upload').click();
  await page.getByTestId('file-input').setInputFiles([GARBAGE_FILE, INVOICE_PDF]);
  await page.getByTestId('upload-title-0').fill(`Not a document ${Date.now()}`);
  await page.getByTestId('upload-all').click();
  await page.locator('[data-testid="upload-item"][data-phase="error"]').waitFor({ timeout: 30_000 });
  await page.locator('[data-testid="upload-item"][data-phase="done"]').waitFor({ timeout: 30_000 });
  const message = await page.getByTestId('upload-error-0').textContent();
  assert.match(message, /type|supported|allowed/i, `unexpected error: ${message}`);
  await shot(page, 'upload-rejected');

  // The refused document was removed: searching for its title finds nothing.
  await page.getByTestId('nav-dashboard').click();
  await page.getByTestId('search-input').fill('Not a document');
  await page.getByTestId('empty-state').waitFor();
  assert.deepEqual(page.errors, []);
});
