/**
 * The error taxonomy. The class names the retry policy; `code` is a stable snake_case string for
 * dashboards, Bull Board and API clients. The mapping of class → BullMQ behaviour lives in
 * exactly one place (workers/runtime.ts).
 *
 * Messages say what was expected and what arrived. They **never** contain a secret.
 */

/** Base class: every known failure of the fleet carries a stable machine-readable code. */
export class FleetError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }

  /** Plain, secret-free JSON for APIs and job results. */
  toJSON(): { name: string; code: string; message: string } {
    return { name: this.name, code: this.code, message: this.message };
  }
}

/** Something outside us hiccupped (network, timeout, browser crash): retry with backoff. */
export class TransientError extends FleetError {}

/** Try again at a known time without spending an attempt (TOTP step rolling over, site says later). */
export class RetryLaterError extends FleetError {
  constructor(
    code: string,
    message: string,
    readonly delayMs: number,
    options?: ErrorOptions,
  ) {
    super(code, message, options);
  }
}

/** Retrying cannot help (bad input, unknown account, undecryptable secret). */
export class PermanentError extends FleetError {}

/** Bad input from a caller (CLI, API, producer): permanent, and the caller's to fix. */
export class ValidationError extends PermanentError {
  constructor(
    message: string,
    readonly field?: string,
    options?: ErrorOptions,
  ) {
    super('invalid_input', message, options);
  }
}

/**
 * The site or the owner needs a person: unknown screen, unsupported challenge, state we cannot
 * reconcile. `code` is the reason code shown to the owner (e.g. `email_pin`, `captcha`).
 */
export class NeedsHumanError extends PermanentError {
  constructor(
    code: string,
    message: string,
    /** A sentence for the owner or operator saying what to do. */
    readonly instruction?: string,
    options?: ErrorOptions,
  ) {
    super(code, message, options);
  }
}

/** The page is not one we know. Carries a redacted snapshot id for the operator, never the HTML. */
export class UnexpectedScreenError extends NeedsHumanError {
  constructor(
    code: string,
    message: string,
    readonly snapshotId?: string,
    options?: ErrorOptions,
  ) {
    super(code, message, 'An operator must look at the stored snapshot.', options);
  }
}

/** This process is unfit to continue (no key ring, browser will not launch): stop the worker. */
export class FatalWorkerError extends FleetError {}

/** Secrets: typed failures of the vault. Permanent: retrying never opens a tampered box. */
export class SecretError extends PermanentError {}

/** Normalises anything thrown into an Error (graphile-worker's coerceError). */
export function coerceError(err: unknown): Error {
  if (err instanceof Error) return err;
  if (typeof err === 'string') return new Error(err);
  try {
    return new Error(`non-error thrown: ${JSON.stringify(err)}`);
  } catch {
    return new Error('non-error thrown');
  }
}

/** The policy an error implies, for the one place that maps it to queue behaviour. */
export type RetryPolicy = 'retry' | 'retry_later' | 'permanent' | 'needs_human' | 'fatal';

/** Unknown errors (network, Puppeteer timeouts) are treated as transient. */
export function retryPolicyOf(err: unknown): RetryPolicy {
  if (err instanceof RetryLaterError) return 'retry_later';
  if (err instanceof NeedsHumanError) return 'needs_human';
  if (err instanceof PermanentError) return 'permanent';
  if (err instanceof FatalWorkerError) return 'fatal';
  return 'retry';
}

/** The stable code of an error, or `internal_error` for anything outside the taxonomy. */
export function errorCodeOf(err: unknown): string {
  return err instanceof FleetError ? err.code : 'internal_error';
}
