/**
 * Our estimate of the site's clock: "site time minus our time", from the HTTP `Date` headers of
 * its responses (see totp.ts `estimateOffsetMs` for one sample). Codes are generated on site
 * time, so a host whose clock drifted, or a site whose clock is off, does not get codes
 * rejected. One estimator per process and site: the median of the newest samples, so one slow
 * response does not move it. Past `warnMs` (2 s) it logs a warning: our host's NTP is worth a
 * look even though codes stay right.
 */
import type { Logger } from './logger';
import { estimateOffsetMs } from './totp';

/** Samples kept; the estimate is their median. */
const SAMPLES = 9;
/** Samples older than this are dropped: clocks drift, and so can the site's. */
const MAX_AGE_MS = 30 * 60_000;

/** The estimator. */
export interface SiteClock {
  /** Records one response: its Date header and the local times the request started and ended. */
  observe(dateHeader: string, requestStartMs: number, responseEndMs: number): void;
  /** The current estimate in ms (0 until a sample arrives). */
  offsetMs(): number;
  /** How many samples the estimate rests on. */
  samples(): number;
}

/** Options of {@link createSiteClock}. */
export interface SiteClockOptions {
  readonly log?: Pick<Logger, 'warn'>;
  /** Warn when the estimate's magnitude passes this (ms). Default 2 000. */
  readonly warnMs?: number;
}

/** A fresh estimator; see the module comment. */
export function createSiteClock(opts: SiteClockOptions = {}): SiteClock {
  const warnMs = opts.warnMs ?? 2_000;
  let samples: { offset: number; at: number }[] = [];
  let warned = false;
  const median = (): number => {
    if (samples.length === 0) return 0;
    const sorted = samples.map((s) => s.offset).sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  };
  return {
    observe(dateHeader, requestStartMs, responseEndMs) {
      let offset: number;
      try {
        offset = estimateOffsetMs(dateHeader, requestStartMs, responseEndMs);
      } catch {
        return; // a malformed Date header is not a sample
      }
      samples = [...samples, { offset, at: responseEndMs }]
        .filter((s) => responseEndMs - s.at <= MAX_AGE_MS)
        .slice(-SAMPLES);
      const estimate = median();
      const far = Math.abs(estimate) > warnMs;
      if (far && !warned) {
        opts.log?.warn(
          { offsetMs: Math.round(estimate), samples: samples.length },
          'the site clock differs from ours by more than 2 s; codes use the site clock',
        );
      }
      warned = far;
    },
    offsetMs: () => Math.round(median()),
    samples: () => samples.length,
  };
}
