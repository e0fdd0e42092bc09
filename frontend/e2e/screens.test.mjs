// Every screen at desktop and phone width, saved as artifacts; each must render without
// a script error and without horizontal overflow on a phone.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DESKTOP, PHONE, USERS, launch, login, open, shot, withFailureShots } from './lib.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

async function noHorizontalOverflow(page, name) {
  const width = page.viewportSize().width;
  const overflow = (await page.evaluate(() => document.documentElement.scrollWidth)) - width;
  assert.ok(overflow <= 1, `${name} is ${overflow}px wider than the screen`);
}

async function visit(page, name, go, ready) {
  await go();
  await page.getByTestId(ready).waitFor();
  await page.locator('[data-testid="loading-state"]').first().waitFor({ state: 'detached', timeout: 15_000 }).catch(() => undefined);
  await shot(page, name);
  if ((page.viewportSize()?.width ?? 1000) < 600) await noHorizontalOverflow(page, name);
}

for (const viewport of [DESKTOP, PHONE]) {
  const label = viewport === DESKTOP ? 'desktop' : 'phone';

  test(`every screen renders (${label})`, async () => {
    const { page } = await open(browser, viewport);
    await withFailureShots(`screens-${label}`, () => [page], async () => {
    const navigate = async (testId) => {
      if (viewport === PHONE) await page.getByTestId('menu-toggle').click();
      await page.getByTestId(testId).click();
    };

    await page.goto('/login');
    await page.getByTestId('login-email').waitFor();
    await shot(page, 'login');
    await page.getByTestId('login-email').fill(USERS.admin);
    await page.getByTestId('login-password').fill('not the password');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('login-error').waitFor();
    await shot(page, 'login-error');

    await login(page, USERS.admin);
    await visit(page, 'dashboard', async () => {}, 'documents-table');
    if (viewport === PHONE) {
      await page.getByTestId('menu-toggle').click();
      await shot(page, 'menu');
      await page.getByTestId('menu-toggle').click();
    }
    await visit(page, 'upload', () => navigate('nav-upload'), 'dropzone');
    await navigate('nav-dashboard');
    await page.getByTestId('document-row').first().waitFor();
    // A document from the demo data that went all the way through review.
    const archived = page.locator('[data-testid="document-row"][data-status="ARCHIVED"]').first();
    const target = (await archived.count()) ? archived : page.getByTestId('document-row').first();
    await target.getByTestId('document-link').click();
    await visit(page, 'document', async () => {}, 'workflow-graph');
    await page.getByTestId('tab-audit').click();
    await page.getByTestId('audit-trail').waitFor();
    await shot(page, 'document-audit');
    await visit(page, 'certification', () => navigate('nav-certification'), 'certification-page');
    await visit(page, 'analytics', () => navigate('nav-analytics'), 'kpi-total');
    await visit(page, 'settings-members', () => navigate('nav-settings'), 'members-table');
    await visit(page, 'settings-workflows', () => page.getByTestId('settings-tab-workflows').click(), 'bindings-table');
    await page.getByTestId('workflow-editor').waitFor();
    await shot(page, 'settings-workflows');
    await visit(page, 'settings-rules', () => page.getByTestId('settings-tab-rules').click(), 'rules-effective-json');
    await visit(page, 'review', () => navigate('nav-review'), 'review-page');
    assert.deepEqual(page.errors, []);
    });
  });
}
