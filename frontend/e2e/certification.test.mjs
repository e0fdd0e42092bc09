// An employee asks for a certification (the form validates first); the manager approves
// it from the inbox; the employee sees it APPROVED.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { USERS, launch, login, open, shot } from './lib.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('certification request: validation, submit, manager approval, status', async () => {
  const employee = await open(browser);
  await login(employee.page, USERS.uploader);
  await employee.page.getByTestId('nav-certification').click();
  await employee.page.getByTestId('certification-page').waitFor();

  // Client-side validation before anything is sent.
  await employee.page.getByTestId('cert-cost').fill('12.345');
  await employee.page.getByTestId('cert-submit').click();
  await employee.page.locator('#cert-name-error').waitFor();
  await employee.page.locator('#cert-cost-error').waitFor();
  await shot(employee.page, 'certification-validation');

  const course = `AWS Solutions Architect ${Date.now()}`;
  await employee.page.getByTestId('cert-name').fill('Uma Uploader');
  await employee.page.getByTestId('cert-course').fill(course);
  await employee.page.getByTestId('cert-cost').fill('300');
  await employee.page.getByTestId('cert-submit').click();
  await employee.page.getByTestId('certification-success').waitFor();
  const mine = employee.page.locator('[data-testid="certification-row"]', { hasText: course });
  await mine.waitFor();
  assert.equal(await mine.getAttribute('data-status'), 'PENDING');
  await shot(employee.page, 'certification');

  const manager = await open(browser);
  await login(manager.page, USERS.manager);
  await manager.page.getByTestId('nav-certification').click();
  const task = manager.page.locator('[data-testid="certification-task"]', { hasText: course });
  await task.waitFor({ timeout: 30_000 });
  await shot(manager.page, 'certification-manager');
  await task.getByTestId('cert-task-approve').click();
  await manager.page.getByTestId('cert-decision-text').fill('Good investment.');
  await manager.page.getByTestId('cert-decision-confirm').click();
  await task.waitFor({ state: 'detached', timeout: 15_000 });

  // The employee's list shows the outcome (the workflow records it right after the decision).
  for (let attempt = 0; attempt < 20; attempt += 1) {
    await employee.page.reload();
    const status = await employee.page.locator('[data-testid="certification-row"]', { hasText: course }).getAttribute('data-status');
    if (status === 'APPROVED') break;
    await employee.page.waitForTimeout(500);
  }
  assert.equal(await employee.page.locator('[data-testid="certification-row"]', { hasText: course }).getAttribute('data-status'), 'APPROVED');
  assert.deepEqual(employee.page.errors, []);
  assert.deepEqual(manager.page.errors, []);
});
