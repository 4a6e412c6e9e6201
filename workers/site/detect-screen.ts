/**
 * "Where am I?": polls the page's facts and classifies them in the documented order until a
 * known screen shows (or, with `until`, until the screen satisfies a condition).
 *
 * A polling loop of `page.evaluate` classifiers rather than `Locator.race`: a race returns
 * whichever signature matches first in time, while §2.9 needs a fixed precedence when several
 * signals are present at once (a rate-limit URL containing "challenge", a CAPTCHA next to a
 * PIN input). One evaluate per poll also sees one consistent DOM.
 */
import type { Page } from 'puppeteer-core';
import { classify } from './classify';
import { ScreenTimeoutError, UnknownScreenError, describeScreen } from './errors';
import { collectFacts } from './facts';
import type { Screen } from './screen';
import { redactedSnapshot } from './snapshot';

/** Poll interval: short enough to catch a redirect promptly, long enough to stay cheap. */
const POLL_MS = 100;

/** Options of {@link detectScreen}. */
export interface DetectOptions {
  /** How long to wait for a known screen (or for `until`). */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /**
   * Keep polling while a known screen does not satisfy this (e.g. "no longer the password
   * step"). On timeout a ScreenTimeoutError carries the last screen.
   */
  readonly until?: (screen: Screen) => boolean;
}

/** Navigation in flight: the document went away between two calls. Not an error; poll again. */
function isNavigationRace(err: unknown): boolean {
  const m = err instanceof Error ? err.message : '';
  return /Execution context was destroyed|Cannot find context|context.*destroyed|detached Frame|Inspected target navigated|Target closed.*navigat/i.test(
    m,
  );
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort(): void {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Detects the current screen.
 * @throws UnknownScreenError (with a redacted snapshot) when the page never matched a known
 *   screen; ScreenTimeoutError when it stayed blank, or never satisfied `until`.
 */
export async function detectScreen(page: Page, opts: DetectOptions): Promise<Screen> {
  const deadline = Date.now() + opts.timeoutMs;
  let last: Screen | 'blank' | 'unknown' = 'unknown';
  for (;;) {
    opts.signal?.throwIfAborted();
    try {
      const c = classify(await collectFacts(page));
      if (c && c !== 'blank') {
        if (!opts.until || opts.until(c)) return c;
        last = c;
      } else {
        last = c === 'blank' ? 'blank' : 'unknown';
      }
    } catch (err) {
      if (!isNavigationRace(err)) throw err;
    }
    if (Date.now() >= deadline) break;
    await sleep(Math.min(POLL_MS, Math.max(0, deadline - Date.now())), opts.signal);
  }
  if (last === 'blank') {
    throw new ScreenTimeoutError('blank_page', `page stayed blank for ${opts.timeoutMs} ms`, null);
  }
  if (last !== 'unknown') {
    throw new ScreenTimeoutError(
      'screen_unchanged',
      `screen stayed ${describeScreen(last)} for ${opts.timeoutMs} ms`,
      last,
    );
  }
  const snapshot = await redactedSnapshot(page).catch(() => null);
  const path = snapshot ? new URL(snapshot.url).pathname : 'unknown';
  throw new UnknownScreenError(
    `no known screen matched within ${opts.timeoutMs} ms at ${path}`,
    snapshot,
  );
}
