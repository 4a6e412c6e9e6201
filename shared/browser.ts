/**
 * The only module that launches (or connects to) Chromium. Everyone else receives a Browser
 * from here, so flags, executable discovery and clean-up live in one place.
 */
import { existsSync } from 'node:fs';
import puppeteer, { type Browser } from 'puppeteer-core';
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
