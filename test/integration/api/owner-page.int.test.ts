/**
 * The owner page clicked through in real headless Chromium: the main app asks for a one-time
 * link, the owner opens it, enables two-step verification (approving the LinkedIn app push in
 * the simulator), reveals the QR code and reads it from the page, confirms a code from their
 * own app; the link cannot be used twice.
 */
import type { Browser, Page } from 'puppeteer-core';
import { startApi, type RunningApi } from '../../../api/main';
import type { Config } from '../../../shared/config';
import { decodeQrPng } from '../../../shared/qr';
import { launchTestBrowser } from '../../helpers/browser';
import { useTestFleet, type TestFleet } from '../../helpers/fleet';
import { uniqueEmail } from '../../helpers/simulator';

jest.setTimeout(150_000);

const TOKEN = 'owner-test-token-0123456789abcdef';
const PASSWORD = 'owner-page-password-55';
let f: TestFleet;
let api: RunningApi;
let browser: Browser;
useTestFleet({}, (fleet) => (f = fleet));
beforeAll(async () => {
  const config: Config = Object.freeze({
    ...f.config,
    toggle: Object.freeze({ cooldownSeconds: 0, dailyLimit: 100 }),
    api: Object.freeze({
      ...f.config.api,
      host: '127.0.0.1',
      port: 0,
      tokens: [{ name: 'main-app', tenant: 'tenant-o', token: TOKEN }],
    }),
  });
  api = await startApi({
    config,
    log: f.log,
    mongo: f.db.connection,
    repos: f.repos,
    desired: f.desired,
    vault: f.vault,
  });
  browser = await launchTestBrowser();
});
afterAll(async () => {
  await browser?.close();
  await api?.close();
});

async function ownerLink(id: string): Promise<string> {
  const res = await fetch(`${api.url}/v1/accounts/${id}/owner-link`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKEN}` },
  });
  expect(res.status).toBe(201);
  const { url } = (await res.json()) as { url: string };
  // The link is built on PUBLIC_URL; the test reaches the API on its free port.
  return `${api.url}${new URL(url).pathname}${new URL(url).search}`;
}

const stateOf = (page: Page) =>
  page.$eval('#two-factor', (e) => e.getAttribute('data-state')).catch(() => null);

it('enables 2FA, shows the QR and records the owner copy, all from the page', async () => {
  const email = uniqueEmail('owner');
  await f.sim.createAccount({ email, password: PASSWORD, identityCheck: 'app_approval' });
  const id = f.repos.accounts.newId();
  await f.repos.accounts.create({
    id,
    tenantId: 'tenant-o',
    externalId: email,
    email,
    status: 'active',
    sealedPassword: f.vault.seal(PASSWORD, { accountId: id, purpose: 'password' }),
  });
  const link = await ownerLink(id);
  const context = await browser.createBrowserContext();
  try {
    const page = await context.newPage();
    await page.goto(link, { waitUntil: 'domcontentloaded' });
    expect(new URL(page.url()).pathname).toBe('/owner');
    expect(await page.$eval('#toggle', (e) => e.textContent)).toBe(
      'Enable Two-Step Authentication',
    );
    expect(await page.content()).toContain('Sign in &amp; security');

    await Promise.all([
      page.waitForNavigation({ waitUntil: 'domcontentloaded' }),
      page.click('#toggle'),
    ]);
    expect(await page.$eval('#notice', (e) => e.textContent)).toContain(
      'Turning two-step verification on',
    );
    // The owner taps Yes in the LinkedIn app when the page asks for it.
    const end = Date.now() + 120_000;
    let approved = false;
    while ((await stateOf(page)) !== 'on') {
      if (Date.now() > end) throw new Error(`never on; page state ${await stateOf(page)}`);
      if (!approved && (await stateOf(page)) === 'awaiting_app_approval') {
        expect(await page.$eval('#two-factor', (e) => e.textContent)).toContain('tap Yes');
        const r = await f.sim.control(
          'POST',
          `/__sim/accounts/${encodeURIComponent(email)}/approve`,
        );
        approved = r.status < 300;
      }
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(approved).toBe(true);
    const key = (await f.sim.account(email)).twoFactor.key!;

    await Promise.all([
      page.waitForNavigation({ waitUntil: 'domcontentloaded' }),
      page.click('#show-qr'),
    ]);
    const src = await page.$eval('#qr', (e) => e.getAttribute('src'));
    const png = Buffer.from(src!.replace(/^data:image\/png;base64,/, ''), 'base64');
    expect(new URL(decodeQrPng(png)!).searchParams.get('secret')).toBe(key);

    await page.type('#confirm-code', f.sim.code(key));
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'domcontentloaded' }),
      page.click('#confirm'),
    ]);
    expect(await page.$eval('#owner-copy', (e) => e.textContent)).toBe(
      'Your authenticator app holds the key.',
    );
    expect((await f.repos.accounts.findById(id))?.twoFactor.ownerHasCopy).toBe(true);
    const actors = (await f.repos.audit.list(id)).events
      .filter((e) =>
        ['key.revealed', 'key.owner_confirmed', 'two_factor.enable_requested'].includes(e.action),
      )
      .map((e) => e.actor);
    expect(new Set(actors)).toEqual(new Set(['api:owner-page']));
  } finally {
    await context.close();
  }

  // One-time: the same link opens nothing the second time, in a fresh browser.
  const again = await fetch(link, { redirect: 'manual' });
  expect(again.status).toBe(401);
  // A form post without the session's CSRF token is refused.
  const forged = await fetch(`${api.url}/owner/toggle`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'desired=off',
  });
  expect(forged.status).toBe(401);
});
