/**
 * Errors the page objects raise, on top of the shared taxonomy (shared/errors.ts). Messages
 * name screens and steps, never a key, code, password or input value.
 */
import { NeedsHumanError, TransientError, UnexpectedScreenError } from '../../shared/errors';
import type { Screen, SettingsStep } from './screen';

/** A redacted copy of the page for the operator (see redactedSnapshot). */
export interface RedactedSnapshot {
  /** The URL with every query value masked. */
  readonly url: string;
  readonly title: string;
  /** outerHTML with input values, key-like elements, scripts and secret-looking runs masked. */
  readonly html: string;
  /** PNG taken while the same elements were blanked; null when the page could not be shot. */
  readonly screenshot: Buffer | null;
}

/**
 * No known screen matched. Carries the redacted snapshot so the handler can store it (the page
 * objects never store anything). `toJSON()` stays the base one: the snapshot never reaches a
 * job result.
 */
export class UnknownScreenError extends UnexpectedScreenError {
  constructor(
    message: string,
    readonly snapshot: RedactedSnapshot | null,
    options?: ErrorOptions & { snapshotId?: string },
  ) {
    super('unknown_screen', message, options?.snapshotId, options);
  }

  /** The same error once its snapshot is stored: the id instead of the material. */
  stored(snapshotId: string): UnknownScreenError {
    return new UnknownScreenError(`${this.message} (snapshot ${snapshotId})`, null, {
      snapshotId,
    });
  }
}

/** A page object was asked to act on a screen it does not own (e.g. a code on the feed). */
export class WrongScreenError extends UnexpectedScreenError {
  constructor(
    readonly expected: string,
    readonly actual: Screen,
  ) {
    super('wrong_screen', `expected ${expected}, got ${describeScreen(actual)}`);
  }
}

/**
 * The page stayed the same (or blank) until the timeout. Transient: a slow site, not a new one.
 * `last` is the screen seen last (null while blank).
 */
export class ScreenTimeoutError extends TransientError {
  constructor(
    code: 'screen_unchanged' | 'blank_page',
    message: string,
    readonly last: Screen | null,
  ) {
    super(code, message);
  }
}

/** Settings asked for a risk-based identity check the caller must answer (§3.2 step 2). */
export class IdentityCheckRequiredError extends NeedsHumanError {
  constructor(
    readonly step: Extract<SettingsStep, 'identity_email_pin' | 'identity_app_approval'>,
  ) {
    super(
      'identity_check_required',
      `two-step settings asked for an identity check (${step})`,
      'Answer the identity check (e-mail code or app approval), then resume.',
    );
  }
}

/** Settings asked for the current 2FA code to turn it off, and no code provider was given. */
export class CodeRequiredError extends NeedsHumanError {
  constructor() {
    super('code_required', 'turning two-step verification off asked for a current code');
  }
}

/** A short, secret-free description of a screen for messages. */
export function describeScreen(s: Screen): string {
  if (s.kind === 'two_step_settings') return `two_step_settings/${s.step}`;
  if (s.kind === 'login') return `login/${s.variant}`;
  if (s.kind === 'interstitial') return `interstitial/${s.which}`;
  if (s.kind === 'app_approval') return `app_approval/${s.state}`;
  return s.kind;
}
