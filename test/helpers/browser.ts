/**
 * Test browsers come from shared/browser.ts, the one module allowed to launch Chromium. One
 * browser per test file; a fresh incognito context per test keeps cookie jars apart.
 */
import type { Browser } from 'puppeteer-core';
import { launchBrowser } from '../../shared/browser';
import { loadConfig } from '../../shared/config';

/** Launches headless Chromium with the configured flags and executable. */
export async function launchTestBrowser(): Promise<Browser> {
  return launchBrowser(loadConfig().browser);
}
