/**
 * Typed refusals of the fleet client's key methods (client-keys.ts). All are permanent for the
 * request: repeating it unchanged cannot succeed. Messages name ids and versions, never a key
 * or a code.
 */
import { PermanentError } from '../shared/errors';

/** An import was asked for an account that already has an active key: disable 2FA first. */
export class KeyAlreadyActiveError extends PermanentError {
  constructor(
    readonly accountId: string,
    readonly version: number,
  ) {
    super(
      'key_already_active',
      `account ${accountId} already has active key version ${version}; ` +
        'disable two-step verification before importing another key',
    );
  }
}

/** The account has no active key to reveal or check (2FA not enabled yet, or turned off). */
export class NoActiveKeyError extends PermanentError {
  constructor(readonly accountId: string) {
    super('no_active_key', `account ${accountId} has no active two-factor key`);
  }
}

/** The QR reveal limit of the rolling 24 h window is reached; retry after `retryAfter`. */
export class QrRevealLimitError extends PermanentError {
  constructor(
    readonly accountId: string,
    readonly limit: number,
    readonly retryAfter: Date,
  ) {
    super(
      'qr_reveal_limited',
      `the QR code of account ${accountId} was shown ${limit} times in the last 24 hours; ` +
        `try again after ${retryAfter.toISOString()}`,
    );
  }
}

/** The code the owner typed is not a current code of the active key. */
export class OwnerCodeMismatchError extends PermanentError {
  constructor(readonly accountId: string) {
    super(
      'owner_code_mismatch',
      `the code does not match the active key of account ${accountId}; ` +
        'check the authenticator app holds the LinkedIn entry and its clock is right',
    );
  }
}

/**
 * Removing the account would destroy the only copy of a live key: LinkedIn would keep asking
 * for codes no one can produce. Turn 2FA off first, or have the owner confirm their app.
 */
export class OwnerCopyRequiredError extends PermanentError {
  constructor(readonly accountId: string) {
    super(
      'owner_copy_required',
      `account ${accountId} has an active key the owner has not confirmed holding; removing it could lock the owner out`,
    );
  }
}

/** Two-step verification is being changed right now; remove the account once it settles. */
export class TwoFactorBusyError extends PermanentError {
  constructor(
    readonly accountId: string,
    readonly state: string,
  ) {
    super(
      'two_factor_busy',
      `account ${accountId} is in two-step state ${state}; try again when it settles`,
    );
  }
}
