import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser.js';
import { REPOSITORY_ROOT, startDemo, type DemoProcess } from './demo-process.js';

// The dashboard as an on-call engineer uses it, in Chromium, against the demo
// (`gantry demo --approve-in-dashboard`): sign in with a token, approve a good
// release for prod and watch it finish, approve a faulty one and watch its
// canary fail its analysis and roll back without reloading the page, and find
// the deployments on the DORA page. Each page is saved as a screenshot in
// docs/screenshots/ (GANTRY_SCREENSHOTS_DIR elsewhere).

const SCREENSHOTS = process.env.GANTRY_SCREENSHOTS_DIR ?? join(REPOSITORY_ROOT, 'docs/screenshots');
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

let dataDir: string;
let demo: DemoProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** Errors the page threw or logged: a healthy dashboard has none. */
const pageErrors: string[] = [];
/** Answers of 400 and above (a wrong token's 401 is one; none may be a server error). */
const failedResponses: string[] = [];

async function screenshot(name: string, target: Page = page): Promise<void> {
  await target.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: false });
}

const WAITING = /waiting for someone to approve (\S+) for prod: (\S+)/;

/** The nth (0-based) release the demo left for a person to approve for prod: its version and page. */
async function waitingForApproval(nth: number): Promise<{ version: string; url: string }> {
  await demo.until(
    () => demo.output.filter((line) => WAITING.test(line)).length > nth,
    `approval request ${nth + 1}`,
  );
  const [, version, url] = WAITING.exec(demo.output.filter((line) => WAITING.test(line))[nth]!)!;
  return { version: version!, url: url! };
}

/** Waits until nothing in the page's main part says it is still loading. */
async function settled(): Promise<void> {
  await page.waitForFunction(
    () => !/loading/i.test(document.querySelector('main')?.textContent ?? ''),
    null,
    {
      timeout: 30_000,
    },
  );
}

/** Approve on the promotion page, through the confirmation that asks why. */
async function approve(reason: string): Promise<void> {
  await page.getByRole('button', { name: 'Approve', exact: true }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel(/Reason/).fill(reason);
  await dialog.getByRole('button', { name: 'Approve', exact: true }).click();
  await dialog.waitFor({ state: 'detached' });
}

/** The same with the keyboard alone: Tab to the button, Enter, type the reason, Tab to confirm, Enter. */
async function approveWithKeyboard(reason: string): Promise<void> {
  await tabTo(page.getByRole('button', { name: 'Approve', exact: true }));
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  await tabTo(dialog.getByLabel(/Reason/));
  await page.keyboard.type(reason);
  await tabTo(dialog.getByRole('button', { name: 'Approve', exact: true }));
  await page.keyboard.press('Enter');
  await dialog.waitFor({ state: 'detached' });
}

/** Presses Tab until `target` has the focus; fails when it cannot be reached that way. */
async function tabTo(target: Locator, limit = 100): Promise<void> {
  await target.waitFor();
  for (let presses = 0; presses < limit; presses++) {
    if (await target.evaluate((element) => element === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`could not reach ${String(target)} with ${limit} presses of Tab`);
}

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), 'gantry-e2e-'));
  demo = await startDemo(dataDir);
  browser = await launchChromium();
  context = await browser.newContext({ viewport: DESKTOP, colorScheme: 'light' });
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    // The browser logs every 4xx answer too; those are checked through failedResponses.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      pageErrors.push(message.text());
    }
  });
  page.on('response', (response) => {
    if (response.status() >= 400)
      failedResponses.push(`${response.status()} ${new URL(response.url()).pathname}`);
  });
});

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('the dashboard, end to end', () => {
  it('signs in with an API token and shows the overview, live', async () => {
    await page.goto(demo.url);
    await page.getByRole('heading', { name: 'Sign in to Gantry' }).waitFor();
    await screenshot('sign-in');
    await page.getByLabel('API token').fill('not-a-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toMatch(/token/i);

    await page.getByLabel('API token').fill(demo.adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'hello', exact: true }).first().waitFor();
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
  });

  it('approves the good release for prod and shows it finish there', async () => {
    const good = await waitingForApproval(0);
    // The overview shows it waiting, with a way to it.
    await page
      .getByText(/waiting for approval/i)
      .first()
      .waitFor({ timeout: 60_000 });
    await screenshot('overview');
    await page.goto(good.url);
    await page
      .locator('.promotion-phase')
      .getByText(/waiting for approval/i)
      .waitFor();
    await approve('canary analysis looks right; approving from the dashboard');
    // The canary runs: its weight and analysis appear as they happen.
    await page
      .locator('.promotion-phase')
      .getByText(/verifying/i)
      .waitFor({ timeout: 60_000 });
    await page.getByRole('heading', { name: 'Analysis' }).waitFor({ timeout: 60_000 });
    await page
      .locator('.promotion-phase')
      .getByText(/succeeded/i)
      .waitFor({ timeout: 180_000 });
    await screenshot('promotion-succeeded');
    const timeline = await page.getByRole('heading', { name: 'Timeline' }).locator('..').textContent();
    expect(timeline).toContain('approving from the dashboard');
  });

  it('approves the faulty canary with the keyboard alone and follows it live until its analysis rolls it back', async () => {
    const faulty = await waitingForApproval(1);
    await page.goto(faulty.url);
    await approveWithKeyboard('let the canary decide');
    // No reload from here on: the page follows the stream.
    await page
      .locator('.promotion-phase')
      .getByText(/verifying/i)
      .waitFor({ timeout: 60_000 });
    await page.getByRole('heading', { name: 'Analysis' }).waitFor({ timeout: 90_000 });
    await page
      .getByText(/failed/i)
      .first()
      .waitFor({ timeout: 120_000 });
    await screenshot('promotion-canary');
    await page
      .locator('.promotion-phase')
      .getByText(/rolled back/i)
      .waitFor({ timeout: 180_000 });
    await screenshot('promotion-rolled-back');
    await page.setViewportSize(PHONE);
    await screenshot('promotion-phone');
    await page.setViewportSize(DESKTOP);
  });

  it('shows the deployments on the DORA page, with the promotions behind them', async () => {
    await page.getByRole('link', { name: 'DORA', exact: true }).click();
    await page.getByRole('heading', { name: /DORA/ }).first().waitFor();
    const deployments = page.locator('a[href*="deployment=true"]').first();
    await deployments.waitFor();
    await settled();
    await screenshot('dora');
    await deployments.click();
    await page.getByRole('table').waitFor();
    expect(await page.getByRole('row').count()).toBeGreaterThan(1);
    await screenshot('promotions');
  });

  it('shows the other pages, the overview on a phone and in the dark', async () => {
    await page.getByRole('link', { name: 'Overview', exact: true }).click();
    await page.getByRole('link', { name: 'hello', exact: true }).first().click();
    await page.getByRole('heading', { name: /hello/ }).first().waitFor();
    await settled();
    await screenshot('service');
    for (const [name, heading] of [
      ['Incidents', /Incidents/],
      ['Dead letters', /Dead letters/],
      ['Audit log', /Audit/],
    ] as const) {
      await page.getByRole('link', { name, exact: true }).click();
      await page.getByRole('heading', { name: heading }).first().waitFor();
      await settled();
      await screenshot(name.toLowerCase().replace(/ /g, '-'));
    }
    await page.getByRole('main').getByText('promotion.approve').first().waitFor();

    await page.getByRole('link', { name: 'Overview', exact: true }).click();
    await page.setViewportSize(PHONE);
    await page.getByRole('link', { name: 'hello', exact: true }).first().waitFor();
    await screenshot('overview-phone');
    await page.setViewportSize(DESKTOP);
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot('overview-dark');
    expect(pageErrors).toEqual([]);
    console.log(`answers of 400 and above the pages met:\n${failedResponses.join('\n')}`);
    expect(failedResponses.filter((line) => line.startsWith('5'))).toEqual([]);
  });
});
