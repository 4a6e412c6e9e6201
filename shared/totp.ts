/**
 * One-time codes: HOTP/TOTP generation on otplib 13, local verification, and `freshCode()`,
 * which only hands out a code that will still be valid when the site checks it and that has
 * not been used before (Vault's used-codes idea).
 *
 * Keys are parsed in totp-key.ts and re-exported here, so callers import from one module.
 *
 * @see RFC 4226 (HOTP) and RFC 6238 (TOTP).
 */
import { timingSafeEqual } from 'node:crypto';
import { createGuardrails, generateSync } from 'otplib';
import { createAbortError, type Clock } from './clock';
import { RetryLaterError, TransientError, ValidationError } from './errors';
import { MIN_KEY_BITS, toTotpKey, type TotpKey, type TotpKeyInput } from './totp-key';

export { encodeBase32, normalizeKey, toTotpKey } from './totp-key';
export type { TotpAlgorithm, TotpKey, TotpKeyInput } from './totp-key';

/** A generated code and where it sits in time. */
export interface TotpCode {
  readonly code: string;
  /** The RFC 6238 §4.2 time-step counter T = floor(unix seconds / period). */
  readonly step: number;
  /** Whole seconds the code has left before its step ends (rounded down). */
  readonly remainingSeconds: number;
}

/** The floor under `minRemainingSeconds`: time for typing, a submit round trip and clock skew. */
export const MIN_REMAINING_SECONDS = 5;
/** Wake this long after a step boundary, so a timer firing early cannot land in the old step. */
const BOUNDARY_MARGIN_MS = 250;
/** More steps than this to wait means our clock or `lastUsedStep` is badly off: re-queue instead. */
const MAX_WAIT_STEPS = 2;

/** otplib refuses secrets under 16 bytes by default; ours are checked to 10 bytes (80 bits). */
const guardrails = createGuardrails({ MIN_SECRET_BYTES: MIN_KEY_BITS / 8 });

/** The HOTP value for `counter` (RFC 4226 §5.3), with the key's algorithm and digits. */
export function hotp(key: TotpKeyInput, counter: number): string {
  if (!Number.isSafeInteger(counter) || counter < 0) {
    throw new ValidationError(`HOTP counter must be a non-negative integer, got ${counter}`);
  }
  return hotpOf(toTotpKey(key), counter);
}

/** HOTP over an already validated key (RFC 4226 §5.3: HOTP(K, C) = Truncate(HMAC(K, C))). */
function hotpOf(k: TotpKey, counter: number): string {
  return generateSync({
    strategy: 'hotp',
    secret: k.secret,
    counter,
    algorithm: k.algorithm,
    digits: k.digits,
    guardrails,
  });
}

function codeAtMs(k: TotpKey, epochMs: number): TotpCode {
  const periodMs = k.period * 1000;
  // RFC 6238 §4.2: T = floor((unix time - T0) / X) with T0 = 0; TOTP(K, T) = HOTP(K, T).
  const step = Math.floor(epochMs / periodMs);
  const remainingMs = (step + 1) * periodMs - epochMs;
  return { code: hotpOf(k, step), step, remainingSeconds: Math.floor(remainingMs / 1000) };
}

/** Dependencies and defaults of {@link createTotp}. */
export interface TotpDeps {
  readonly clock: Clock;
  /** Site time minus our time, in ms (see {@link estimateOffsetMs}); default 0. */
  readonly offsetMs?: number;
  /** Default for `freshCode`; never below {@link MIN_REMAINING_SECONDS}. */
  readonly minRemainingSeconds?: number;
}

/** Options of {@link Totp.freshCode}. */
export interface FreshCodeOptions {
  /** The last step a code was submitted for: only later steps are handed out. */
  readonly lastUsedStep?: number | null;
  /** Aborts the wait for the next step. */
  readonly signal?: AbortSignal;
  /** Clamped to at least {@link MIN_REMAINING_SECONDS}; must leave room in the step. */
  readonly minRemainingSeconds?: number;
  /** Overrides the offset given to {@link createTotp} for this call. */
  readonly offsetMs?: number;
}

/** TOTP operations bound to a clock and a site-clock offset. */
export interface Totp {
  /** The code for the step containing `epochMs` (no offset applied: the time is explicit). */
  codeAt(key: TotpKeyInput, epochMs: number): TotpCode;
  /**
   * A code with at least `minRemainingSeconds` (≥ 5) left, for a step after `lastUsedStep`,
   * at site time (clock + offset). Waits on the clock for the next suitable step when needed;
   * rejects with the clock's AbortError if `signal` aborts, and with RetryLaterError when more
   * than two steps would have to pass (a clock far behind, or a bogus `lastUsedStep`).
   */
  freshCode(key: TotpKeyInput, opts?: FreshCodeOptions): Promise<TotpCode>;
  /**
   * Checks a code against the steps within ±`window` (default 1, RFC 6238 §5.2) of site time
   * or `epochMs`, in constant time per step. Returns the matched step, or null.
   */
  verify(
    key: TotpKeyInput,
    code: string,
    opts?: { window?: number; epochMs?: number },
  ): number | null;
}

/** Builds the TOTP operations over an injected clock. */
export function createTotp(deps: TotpDeps): Totp {
  const { clock } = deps;
  const siteNow = (offsetMs = deps.offsetMs ?? 0): number => clock.nowMs() + offsetMs;

  return {
    codeAt: (key, epochMs) => codeAtMs(toTotpKey(key), epochMs),

    async freshCode(key, opts = {}) {
      const k = toTotpKey(key);
      const minRemaining = Math.max(
        MIN_REMAINING_SECONDS,
        opts.minRemainingSeconds ?? deps.minRemainingSeconds ?? MIN_REMAINING_SECONDS,
      );
      // After waking BOUNDARY_MARGIN_MS into a step, period - margin seconds are left.
      if (!(minRemaining * 1000 <= k.period * 1000 - BOUNDARY_MARGIN_MS)) {
        throw new ValidationError(
          `minRemainingSeconds must be below the ${k.period} s period, got ${minRemaining}`,
          'minRemainingSeconds',
        );
      }
      const periodMs = k.period * 1000;
      const lastUsed = opts.lastUsedStep ?? null;
      for (;;) {
        if (opts.signal?.aborted) throw createAbortError(opts.signal);
        const now = siteNow(opts.offsetMs);
        const current = codeAtMs(k, now);
        const remainingMs = (current.step + 1) * periodMs - now;
        const replayed = lastUsed !== null && current.step <= lastUsed;
        if (!replayed && remainingMs >= minRemaining * 1000) return current;
        const target = Math.max(current.step + 1, lastUsed === null ? 0 : lastUsed + 1);
        const waitMs = target * periodMs - now + BOUNDARY_MARGIN_MS;
        if (target - current.step > MAX_WAIT_STEPS) {
          throw new RetryLaterError(
            'totp_step_ahead',
            `last used step is ${target - 1 - current.step} steps ahead of site time; ` +
              `retry in ${Math.ceil(waitMs / 1000)} s`,
            waitMs,
          );
        }
        await clock.sleep(waitMs, opts.signal);
      }
    },

    verify(key, code, opts = {}) {
      const k = toTotpKey(key);
      const window = opts.window ?? 1;
      if (!Number.isInteger(window) || window < 0 || window > 10) {
        throw new ValidationError(`verify window must be an integer 0–10, got ${window}`, 'window');
      }
      if (!new RegExp(`^\\d{${k.digits}}$`).test(code)) {
        throw new ValidationError(
          `expected a ${k.digits}-digit code, got ${code.length} characters` +
            (/^\d*$/.test(code) ? '' : ' including non-digits'),
          'code',
        );
      }
      const { step } = codeAtMs(k, opts.epochMs ?? siteNow());
      const given = Buffer.from(code);
      let matched: number | null = null;
      // Check every step, even after a match, so timing does not reveal which one matched.
      for (let s = step - window; s <= step + window; s++) {
        if (s >= 0 && timingSafeEqual(Buffer.from(hotpOf(k, s)), given) && matched === null) {
          matched = s;
        }
      }
      return matched;
    },
  };
}

/**
 * Estimates "site time minus our time" from an HTTP `Date` header (RFC 9110 §6.6.1) and the
 * local times a request started and its response ended. The header has 1-second resolution
 * and is truncated, so the server's clock was somewhere in [Date, Date + 1 s) when it answered:
 * we take Date + 500 ms against the request's midpoint. The estimate is good to ±0.5 s plus
 * half the round trip, well inside the 5-second floor of `freshCode`.
 */
export function estimateOffsetMs(
  dateHeader: string,
  requestStartMs: number,
  responseEndMs: number,
): number {
  const serverMs = Date.parse(dateHeader);
  if (!/\d{2}:\d{2}:\d{2}/.test(dateHeader) || Number.isNaN(serverMs)) {
    throw new ValidationError(
      `expected an HTTP Date header like "Sun, 06 Nov 1994 08:49:37 GMT", got "${dateHeader.slice(0, 40)}"`,
      'date',
    );
  }
  if (!(responseEndMs >= requestStartMs)) {
    throw new ValidationError('responseEndMs must not be before requestStartMs', 'responseEndMs');
  }
  return serverMs + 500 - (requestStartMs + responseEndMs) / 2;
}

/** Codes tried per claim before giving up on finding a step no one else claimed. */
const MAX_CLAIM_ATTEMPTS = 3;

/**
 * A fresh code whose time step `claim` won (the caller's atomic claim in Mongo, so no two
 * workers or callers ever submit the same step of one key). A step lost to someone else moves
 * on to the next. TransientError `totp_step_contended` after three lost claims.
 */
export async function claimFreshCode(
  totp: Totp,
  key: TotpKeyInput,
  opts: {
    readonly lastUsedStep: number | null;
    readonly claim: (step: number) => Promise<boolean>;
    readonly signal?: AbortSignal;
  },
): Promise<TotpCode> {
  let lastUsedStep = opts.lastUsedStep;
  for (let attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++) {
    const code = await totp.freshCode(key, {
      lastUsedStep,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    if (await opts.claim(code.step)) return code;
    lastUsedStep = code.step;
  }
  throw new TransientError(
    'totp_step_contended',
    `no free TOTP step after ${MAX_CLAIM_ATTEMPTS} tries`,
  );
}
