/**
 * The browser fleet on real headless Chromium: fresh context per session, cookies restored
 * and read back, context always closed, relaunch after a crash, recycle after N contexts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'puppeteer-core';
import { createBrowserFleet, launchBrowser, type BrowserFleet } from '../../shared/browser';
import { loadConfig } from '../../shared/config';

let server: Server;
let origin: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    res.setHeader('content-type', 'text/html');
    if (req.url === '/set') res.setHeader('set-cookie', 'fresh=1; Path=/; HttpOnly');
    res.end(`<title>t</title><pre id="cookie">${req.headers.cookie ?? ''}</pre>`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('createBrowserFleet', () => {
  const base = loadConfig().browser;
  let fleet: BrowserFleet;
  const launched: Browser[] = [];
  const restarts: string[] = [];
  const launch = async (c: typeof base) => {
    const b = await launchBrowser(c);
    launched.push(b);
    return b;
  };

  beforeEach(() => {
    launched.length = 0;
    restarts.length = 0;
  });
  afterEach(async () => fleet.close());

  it('restores cookies, reads them back, and always closes the context', async () => {
    fleet = createBrowserFleet(
      { ...base, recycleAfter: 50 },
      { onBrowserRestart: (r) => restarts.push(r) },
      launch,
    );
    const url = new URL(origin);
    const cookies = await fleet.withSession(
      { cookies: [{ name: 'li_at', value: 'restored', domain: url.hostname, path: '/' }] },
      async ({ page, cookies: read }) => {
        await page.goto(`${origin}/set`);
        expect(await page.$eval('#cookie', (el) => el.textContent)).toBe('li_at=restored');
        expect(fleet.openContexts()).toBe(1);
        return read();
      },
    );
    expect(cookies.map((c) => c.name).sort()).toEqual(['fresh', 'li_at']);
    expect(fleet.openContexts()).toBe(0);

    await expect(
      fleet.withSession({}, async ({ page }) => {
        await page.goto(origin);
        throw new Error('job failed');
      }),
    ).rejects.toThrow('job failed');
    expect(fleet.openContexts()).toBe(0);
    // Each session is a fresh incognito context: nothing carried over.
    await fleet.withSession({}, async ({ page }) => {
      await page.goto(origin);
      expect(await page.$eval('#cookie', (el) => el.textContent)).toBe('');
    });
    expect(launched).toHaveLength(1);
    expect(launched[0]!.browserContexts()).toHaveLength(1); // only the default context is left
  });

  it('relaunches Chromium after a crash', async () => {
    fleet = createBrowserFleet(base, { onBrowserRestart: (r) => restarts.push(r) }, launch);
    await fleet.withSession({}, async ({ page }) => void (await page.goto(origin)));
    const first = launched[0]!;
    const gone = new Promise((r) => first.once('disconnected', r));
    first.process()?.kill('SIGKILL');
    await gone;
    await fleet.withSession({}, async ({ page }) => void (await page.goto(origin)));
    expect(launched).toHaveLength(2);
    expect(restarts).toEqual(['crash']);
  });

  it('recycles Chromium after N contexts', async () => {
    fleet = createBrowserFleet(
      { ...base, recycleAfter: 2 },
      { onBrowserRestart: (r) => restarts.push(r) },
      launch,
    );
    for (let i = 0; i < 5; i += 1)
      await fleet.withSession({}, async ({ page }) => void (await page.goto(origin)));
    expect(launched).toHaveLength(3);
    expect(restarts).toEqual(['recycle', 'recycle']);
    expect(launched[0]!.connected).toBe(false);
  });

  it('refuses an already aborted session without opening a context', async () => {
    fleet = createBrowserFleet(base, {}, launch);
    const ac = new AbortController();
    ac.abort();
    await expect(
      fleet.withSession({ signal: ac.signal }, () => Promise.resolve(1)),
    ).rejects.toThrow();
    expect(launched).toHaveLength(0);
  });
});
