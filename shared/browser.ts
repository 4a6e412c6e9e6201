/**
 * The only module that launches (or connects to) Chromium. Everyone else receives a Browser
 * from here, so flags, executable discovery and clean-up live in one place.
 */
import { existsSync } from 'node:fs';
import puppeteer, {
  type Browser,
  type BrowserContext,
  type Cookie,
  type CookieData,
  type Page,
} from 'puppeteer-core';
import type { Config } from './config';
import { FatalWorkerError } from './errors';

/**
 * Flags that work headless as root on these machines. Without the background-networking flags
 * Chromium tries to reach outside hosts, which this network refuses.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-features=Translate,MediaRouter,OptimizationHints',
];

/**
 * Debian's /usr/bin/chromium is a shell wrapper; the real binary is preferred when present
 * because it starts faster and prints nothing.
 */
export const CHROMIUM_CANDIDATES: readonly string[] = [
  '/usr/lib/chromium/chromium',
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
];

/** The Chromium executable to use: the configured one, else the first candidate present. */
export function resolveChromiumPath(configured: string | undefined): string {
  if (configured) {
    if (!existsSync(configured)) {
      throw new FatalWorkerError('browser_not_found', `CHROMIUM_PATH ${configured} does not exist`);
    }
    return configured;
  }
  const found = CHROMIUM_CANDIDATES.find((p) => existsSync(p));
  if (!found) {
    throw new FatalWorkerError(
      'browser_not_found',
      'no Chromium found: install Debian\'s "chromium" package or set CHROMIUM_PATH (npm run services does both)',
    );
  }
  return found;
}

/** Launches a local headless Chromium, or connects to BROWSER_WS_ENDPOINT when configured. */
export async function launchBrowser(config: Config['browser']): Promise<Browser> {
  try {
    if (config.wsEndpoint) return await puppeteer.connect({ browserWSEndpoint: config.wsEndpoint });
    return await puppeteer.launch({
      executablePath: resolveChromiumPath(config.executablePath),
      headless: config.headless,
      args: [...CHROMIUM_ARGS],
      // The worker's own shutdown closes the browser after the jobs finished or were handed
      // back; Puppeteer's default signal handlers would kill it under the running jobs.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
  } catch (err) {
    if (err instanceof FatalWorkerError) throw err;
    throw new FatalWorkerError(
      'browser_launch_failed',
      `Chromium did not start: ${(err as Error).message}`,
      { cause: err },
    );
  }
}

/** A proxy for one account's contexts: `http://host:port`, credentials given separately. */
export interface ProxySettings {
  readonly server: string;
  readonly username?: string;
  readonly password?: string;
}

export interface SessionOptions {
  /** The account's fixed proxy; every context of that account goes through it. */
  readonly proxy?: ProxySettings | null;
  /** Cookies to restore into the fresh context (already opened from the vault by the caller). */
  readonly cookies?: readonly CookieData[];
  readonly signal?: AbortSignal;
}

/** What a job gets inside its context. */
export interface BrowserSession {
  readonly page: Page;
  readonly context: BrowserContext;
  /** The context's cookies now, for the caller to seal and store. */
  cookies(): Promise<Cookie[]>;
}

/** Lifecycle hooks for metrics (contexts open, browser restarts). */
export interface FleetHooks {
  onContextOpened?(): void;
  onContextClosed?(): void;
  onBrowserRestart?(reason: 'crash' | 'recycle'): void;
}

export interface BrowserFleet {
  /**
   * Runs `fn` in a fresh incognito context with the account's proxy and cookies. The context is
   * **always** closed afterwards, whatever `fn` does.
   */
  withSession<T>(opts: SessionOptions, fn: (session: BrowserSession) => Promise<T>): Promise<T>;
  /** Contexts currently open (for metrics and tests). */
  openContexts(): number;
  close(): Promise<void>;
}

/**
 * One Chromium per worker process, shared by its jobs: relaunched after a crash or disconnect,
 * and recycled after `recycleAfter` contexts (long-lived Chromium processes grow). A remote
 * browser (BROWSER_WS_ENDPOINT) is reconnected instead of relaunched.
 */
export function createBrowserFleet(
  config: Config['browser'],
  hooks: FleetHooks = {},
  launch: (c: Config['browser']) => Promise<Browser> = launchBrowser,
): BrowserFleet {
  let browser: Promise<Browser> | null = null;
  let contextsSinceLaunch = 0;
  let open = 0;
  let closed = false;

  const current = (): Promise<Browser> => {
    if (closed)
      return Promise.reject(new FatalWorkerError('fleet_closed', 'the browser fleet is closed'));
    if (!browser) {
      const launching = launch(config).then((b) => {
        b.once('disconnected', () => {
          if (browser === launching && !closed) {
            browser = null;
            hooks.onBrowserRestart?.('crash');
          }
        });
        return b;
      });
      launching.catch(() => {
        if (browser === launching) browser = null;
      });
      browser = launching;
      contextsSinceLaunch = 0;
    }
    return browser;
  };

  const retire = async (): Promise<void> => {
    const old = browser;
    browser = null;
    hooks.onBrowserRestart?.('recycle');
    const b = await old?.catch(() => null);
    await (config.wsEndpoint ? b?.disconnect() : b?.close())?.catch(() => undefined);
  };

  return {
    async withSession(opts, fn) {
      opts.signal?.throwIfAborted();
      if (contextsSinceLaunch >= config.recycleAfter && open === 0) await retire();
      const b = await current();
      contextsSinceLaunch += 1;
      // `<-loopback>` removes Chromium's implicit bypass of localhost: with a proxy, every
      // request of the context goes through it.
      const context = await b.createBrowserContext(
        opts.proxy ? { proxyServer: opts.proxy.server, proxyBypassList: ['<-loopback>'] } : {},
      );
      open += 1;
      hooks.onContextOpened?.();
      try {
        if (opts.cookies?.length) await context.setCookie(...opts.cookies);
        const page = await context.newPage();
        if (opts.proxy?.username) {
          await page.authenticate({
            username: opts.proxy.username,
            password: opts.proxy.password ?? '',
          });
        }
        return await fn({ page, context, cookies: () => context.cookies() });
      } finally {
        open -= 1;
        hooks.onContextClosed?.();
        await context.close().catch(() => undefined);
      }
    },
    openContexts: () => open,
    async close() {
      closed = true;
      const b = await browser?.catch(() => null);
      browser = null;
      await (config.wsEndpoint ? b?.disconnect() : b?.close())?.catch(() => undefined);
    },
  };
}
