// Shared helpers of the browser tests: Debian's chromium driven by playwright-core, against
// a live `docuflow serve` started by tests/e2e (pytest), which passes these variables.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const BASE_URL = process.env.DOCUFLOW_E2E_URL ?? 'http://127.0.0.1:8000';
export const PASSWORD = process.env.DOCUFLOW_E2E_PASSWORD ?? '';
export const ARTIFACTS = process.env.DOCUFLOW_E2E_ARTIFACTS ?? join(process.cwd(), '..', 'var', 'e2e-artifacts');
export const INVOICE_PDF = process.env.DOCUFLOW_E2E_INVOICE_PDF ?? '';
export const GARBAGE_FILE = process.env.DOCUFLOW_E2E_GARBAGE_FILE ?? '';
const CHROMIUM = process.env.DOCUFLOW_E2E_CHROMIUM ?? '/usr/bin/chromium';

export const USERS = {
  uploader: 'user@acme-corp.docuflow.io',
  reviewer: 'reviewer@acme-corp.docuflow.io',
  manager: 'manager@acme-corp.docuflow.io',
  admin: 'admin@acme-corp.docuflow.io',
};

export const DESKTOP = { width: 1366, height: 900 };
export const PHONE = { width: 390, height: 844 };

// Statuses move in seconds; a flow waits at most this long for one.
export const STATUS_TIMEOUT = Number(process.env.DOCUFLOW_E2E_STATUS_TIMEOUT ?? 60_000);

export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/** A fresh context (its own cookies: one signed-in user) with console errors collected. */
export async function open(browser, viewport = DESKTOP) {
  const context = await browser.newContext({ viewport, baseURL: BASE_URL, isMobile: viewport.width < 600, hasTouch: viewport.width < 600 });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (error) => page.errors.push(String(error)));
  return { context, page };
}

export async function login(page, email) {
  await page.goto('/login');
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('current-user').waitFor({ state: 'attached' });
}

export async function shot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const width = page.viewportSize()?.width ?? 0;
  const suffix = width < 600 ? 'phone' : 'desktop';
  await page.waitForTimeout(250); // let charts and the graph finish their transitions
  await page.screenshot({ path: join(ARTIFACTS, `${name}-${suffix}.png`), fullPage: true });
}

/** Marks the page so a later check can prove it was never reloaded. */
export async function markNoReload(page) {
  await page.evaluate(() => {
    window.__docuflowNoReload = true;
  });
}

export async function assertNoReload(page, assert) {
  assert.equal(await page.evaluate(() => window.__docuflowNoReload === true), true, 'the page was reloaded');
}

export function row(page, documentId) {
  return page.locator(`[data-testid="document-row"][data-document-id="${documentId}"]`);
}

/** Waits until the dashboard row of a document shows `status` (pushed over the WebSocket). */
export async function waitForRowStatus(page, documentId, status, timeout = STATUS_TIMEOUT) {
  await page.locator(`[data-testid="document-row"][data-document-id="${documentId}"][data-status="${status}"]`).waitFor({ timeout });
}

/** Uploads one file through the upload screen; returns the new document's id. */
export async function uploadThroughUi(page, file, { title, type }) {
  await page.getByTestId('nav-upload').click();
  await page.getByTestId('upload-page').waitFor();
  await page.getByTestId('file-input').setInputFiles(file);
  const index = (await page.getByTestId('upload-item').count()) - 1;
  if (title) await page.getByTestId(`upload-title-${index}`).fill(title);
  if (type) await page.getByTestId(`upload-type-${index}`).selectOption(type);
  await page.getByTestId('upload-all').click();
  await page.waitForFunction(
    (i) => ['done', 'error'].includes(document.querySelectorAll('[data-testid="upload-item"]')[i]?.getAttribute('data-phase') ?? ''),
    index,
    { timeout: 30_000 },
  );
  const phase = await page.getByTestId('upload-item').nth(index).getAttribute('data-phase');
  if (phase !== 'done') {
    const error = await page.getByTestId(`upload-error-${index}`).textContent();
    throw new Error(`upload failed: ${error}`);
  }
  const href = await page.getByTestId(`upload-open-${index}`).getAttribute('href');
  return { id: href.split('/').pop(), index };
}

/** Runs a flow; on failure saves a screenshot of each page named after the flow, then rethrows. */
export async function withFailureShots(name, pages, flow) {
  try {
    await flow();
  } catch (error) {
    mkdirSync(ARTIFACTS, { recursive: true });
    for (const [index, page] of pages().entries()) {
      await page.screenshot({ path: join(ARTIFACTS, `FAILED-${name}-${index}.png`), fullPage: true }).catch(() => undefined);
    }
    throw error;
  }
}
