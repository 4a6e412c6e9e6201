/** Typed failures of the data layer. Messages name ids and versions, never a sealed value. */
import { NeedsHumanError, PermanentError } from '../errors';

/** A tenant already has an account with this external id. */
export class AccountExistsError extends PermanentError {
  constructor(
    readonly tenantId: string,
    readonly externalId: string,
    options?: ErrorOptions,
  ) {
    super(
      'account_exists',
      `tenant ${tenantId} already has an account with externalId ${externalId}`,
      options,
    );
  }
}

/** No account with this id. */
export class AccountNotFoundError extends PermanentError {
  constructor(
    readonly accountId: string,
    options?: ErrorOptions,
  ) {
    super('account_not_found', `account ${accountId} does not exist`, options);
  }
}

/** Two-step verification needs a connected account; the owner or main app must connect it. */
export class AccountNotActiveError extends NeedsHumanError {
  constructor(
    readonly accountId: string,
    readonly status: string,
  ) {
    super(
      'account_not_active',
      `account ${accountId} is ${status}; the account must be connected (Active) before two-step verification can be enabled`,
      'Connect the account first (status Active), then enable two-step verification.',
    );
  }
}

/** No two-factor key in a state that allows the requested change. */
export class TwoFactorKeyNotFoundError extends PermanentError {
  constructor(accountId: string, version: number, expected: string, options?: ErrorOptions) {
    super(
      'two_factor_key_not_found',
      `account ${accountId} has no ${expected} two-factor key version ${version}`,
      options,
    );
  }
}

/** An audit event whose details look like they carry a secret; see audit-guard.ts. */
export class AuditDetailsRefusedError extends PermanentError {
  constructor(message: string, options?: ErrorOptions) {
    super('audit_details_refused', message, options);
  }
}

/** MongoDB's duplicate-key error code (E11000), the same on FerretDB. */
export const DUPLICATE_KEY = 11000;

/** Whether `err` is a duplicate-key violation of a unique index. */
export function isDuplicateKeyError(err: unknown): boolean {
  return (
    typeof err === 'object' && err !== null && (err as { code?: unknown }).code === DUPLICATE_KEY
  );
}
