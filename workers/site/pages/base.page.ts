/** What every page object shares: the page, the site's base URL, a timeout, detection. */
import type { Page } from 'puppeteer-core';
import type { ActOptions } from '../actions';
import { siteUrl } from '../actions';
import { detectScreen } from '../detect-screen';
import { WrongScreenError } from '../errors';
import type { Screen, ScreenKind, ScreenOf } from '../screen';

/** Options of every page object. */
export interface PageObjectOptions {
  /** Per-step wait (detection, locators). Default 15 s: LinkedIn redirects can take seconds (§2.3). */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** Default per-step timeout; see {@link PageObjectOptions.timeoutMs}. */
export const DEFAULT_TIMEOUT_MS = 15_000;

/** Base of the page objects. */
export abstract class SitePage {
  protected readonly timeoutMs: number;
  protected readonly signal: AbortSignal | undefined;

  constructor(
    protected readonly page: Page,
    protected readonly baseUrl: string,
    opts: PageObjectOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.signal = opts.signal;
  }

  /** The screen showing now (waits for a known one). */
  detect(until?: (s: Screen) => boolean): Promise<Screen> {
    return detectScreen(this.page, {
      timeoutMs: this.timeoutMs,
      ...(this.signal ? { signal: this.signal } : {}),
      ...(until ? { until } : {}),
    });
  }

  protected get act(): ActOptions {
    return this.signal
      ? { timeoutMs: this.timeoutMs, signal: this.signal }
      : { timeoutMs: this.timeoutMs };
  }

  /** Detects the screen and insists it is one of `kinds`. */
  protected async expect<K extends ScreenKind>(...kinds: K[]): Promise<ScreenOf<K>> {
    const s = await this.detect();
    if (!(kinds as ScreenKind[]).includes(s.kind)) throw new WrongScreenError(kinds.join('|'), s);
    return s as ScreenOf<K>;
  }

  /** Navigates to a site path; returns the HTTP status (0 when none). */
  protected async goto(path: string): Promise<number> {
    const res = await this.page.goto(siteUrl(this.baseUrl, path), {
      waitUntil: 'domcontentloaded',
      timeout: this.timeoutMs,
      ...(this.signal ? { signal: this.signal } : {}),
    });
    return res?.status() ?? 0;
  }
}
