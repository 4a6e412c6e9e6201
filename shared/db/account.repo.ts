/**
 * Accounts, by intent. The only module that reads or writes the account model, and the only
 * one that selects its sealed fields. It stores sealed strings; sealing is the vault's job.
 */
import type { Types } from 'mongoose';
import { ValidationError } from '../errors';
import {
  DEFAULT_STATUS_MESSAGES,
  ACCOUNT_STATUSES,
  type AccountDoc,
  type AccountStatus,
  type TwoFactorDoc,
} from './account.model';
import { AccountExistsError, isDuplicateKeyError } from './errors';
import { newId, toObjectId } from './ids';
import type { Models } from './models';

/** An account as callers see it: no sealed values, ids as strings. */
export interface AccountRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly externalId: string;
  readonly email: string | null;
  readonly status: AccountStatus;
  readonly statusReason: string | null;
  readonly statusMessage: string;
  /** Credential-free proxy URL; the auth part is in SealedCredentials. */
  readonly proxyUrl: string | null;
  readonly hasPassword: boolean;
  readonly hasCookies: boolean;
  /** An emailed verification code the owner submitted is waiting for a worker. */
  readonly hasEmailCode: boolean;
  /** When that code was submitted; null when none is waiting. */
  readonly emailCodeAt: Date | null;
  readonly twoFactor: Readonly<TwoFactorDoc>;
  readonly lastCheckAt: Date | null;
  readonly lastChallengeAt: Date | null;
  readonly lastFailureAt: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** The sealed credentials of one account (open them with the vault's credential purposes). */
export interface SealedCredentials {
  readonly password: string | null;
  readonly cookies: string | null;
  readonly proxyAuth: string | null;
}

/** The statuses the main app may give a new account (its own word on the connection). */
export const NEW_ACCOUNT_STATUSES = ['active', 'checking', 'disconnected'] as const;

/** A new account. Seal values for `id` (from `newId()`) before calling create. */
export interface NewAccount {
  readonly id?: string;
  readonly tenantId: string;
  readonly externalId: string;
  readonly email?: string | null;
  readonly proxy?: { readonly url: string; readonly sealedAuth: string | null } | null;
  readonly sealedPassword?: string | null;
  readonly sealedCookies?: string | null;
  /**
   * The main app's word on the connection, used when a password or cookies are given (default
   * `checking`). Without both the account is always `incomplete` (`missing_credentials`).
   */
  readonly status?: (typeof NEW_ACCOUNT_STATUSES)[number];
}

/** A status change; the message defaults to DEFAULT_STATUS_MESSAGES[status]. */
export interface StatusUpdate {
  readonly status: AccountStatus;
  readonly reason?: string | null;
  readonly message?: string;
}

/** The sealed fields key rotation walks. */
export type AccountSealedField =
  'sealedPassword' | 'sealedCookies' | 'sealedProxyAuth' | 'sealedEmailCode';

/** One row of a rotation scan. */
export interface AccountSealedRow {
  readonly id: string;
  readonly values: Readonly<Record<AccountSealedField, string | null>>;
}

const SEALED_SELECT = '+sealedPassword +sealedCookies +sealedProxyAuth +sealedEmailCode';
const TIMESTAMP_FIELD = {
  check: 'lastCheckAt',
  challenge: 'lastChallengeAt',
  failure: 'lastFailureAt',
} as const;
const HAS_CREDENTIAL = [{ sealedPassword: { $ne: null } }, { sealedCookies: { $ne: null } }];

type AccountLean = AccountDoc & Partial<Record<AccountSealedField, string | null>>;

function toRecord(
  doc: AccountLean,
  has: { password: boolean; cookies: boolean; emailCode: boolean },
): AccountRecord {
  return {
    id: doc._id.toHexString(),
    tenantId: doc.tenantId,
    externalId: doc.externalId,
    email: doc.email,
    status: doc.status,
    statusReason: doc.statusReason,
    statusMessage: doc.statusMessage,
    proxyUrl: doc.proxyUrl,
    hasPassword: has.password,
    hasCookies: has.cookies,
    hasEmailCode: has.emailCode,
    emailCodeAt: doc.emailCodeAt ?? null,
    twoFactor: { ...doc.twoFactor },
    lastCheckAt: doc.lastCheckAt,
    lastChallengeAt: doc.lastChallengeAt,
    lastFailureAt: doc.lastFailureAt,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

/** Creates the account repository over `models`. */
export function createAccountRepo({ Account }: Models) {
  /** Reads one account with presence flags (the sealed values never leave this function). */
  async function findOne(filter: Record<string, unknown>): Promise<AccountRecord | null> {
    const doc = await Account.findOne(filter).select(SEALED_SELECT).lean<AccountLean>();
    if (!doc) return null;
    return toRecord(doc, {
      password: !!doc.sealedPassword,
      cookies: !!doc.sealedCookies,
      emailCode: !!doc.sealedEmailCode,
    });
  }

  /** After credentials change: incomplete ⇄ checking, so the status never lies about them. */
  async function refreshCompleteness(_id: Types.ObjectId): Promise<void> {
    await Account.updateOne(
      { _id, status: 'incomplete', $or: HAS_CREDENTIAL },
      {
        $set: {
          status: 'checking',
          statusReason: null,
          statusMessage: DEFAULT_STATUS_MESSAGES.checking,
        },
      },
    );
    await Account.updateOne(
      { _id, status: { $ne: 'incomplete' }, sealedPassword: null, sealedCookies: null },
      {
        $set: {
          status: 'incomplete',
          statusReason: 'missing_credentials',
          statusMessage: DEFAULT_STATUS_MESSAGES.incomplete,
        },
      },
    );
  }

  async function setSealed(id: string, set: Partial<AccountDoc>): Promise<boolean> {
    const _id = toObjectId(id, 'accountId');
    const result = await Account.updateOne({ _id }, { $set: set });
    if (result.matchedCount === 0) return false;
    await refreshCompleteness(_id);
    return true;
  }

  return {
    /** A fresh account id, so values can be sealed (bound to it) before `create`. */
    newId,

    /**
     * Inserts an account: `incomplete` without password and cookies, otherwise `input.status`
     * (default `checking` until the first check). Throws AccountExistsError for a taken
     * (tenantId, externalId), ValidationError for a status the main app may not set.
     */
    async create(input: NewAccount): Promise<AccountRecord> {
      if (
        input.status !== undefined &&
        !(NEW_ACCOUNT_STATUSES as readonly string[]).includes(input.status)
      ) {
        throw new ValidationError(
          `status must be one of ${NEW_ACCOUNT_STATUSES.join(', ')}`,
          'status',
        );
      }
      const hasCredential = !!input.sealedPassword || !!input.sealedCookies;
      const status: AccountStatus = hasCredential ? (input.status ?? 'checking') : 'incomplete';
      const doc = new Account({
        _id: toObjectId(input.id ?? newId(), 'id'),
        tenantId: input.tenantId,
        externalId: input.externalId,
        email: input.email ?? null,
        status,
        statusReason: hasCredential ? null : 'missing_credentials',
        statusMessage: DEFAULT_STATUS_MESSAGES[status],
        proxyUrl: input.proxy?.url ?? null,
        sealedProxyAuth: input.proxy?.sealedAuth ?? null,
        sealedPassword: input.sealedPassword ?? null,
        sealedCookies: input.sealedCookies ?? null,
      });
      try {
        await doc.save();
      } catch (err) {
        if (isDuplicateKeyError(err)) {
          throw new AccountExistsError(input.tenantId, input.externalId, { cause: err });
        }
        throw err;
      }
      return toRecord(doc.toObject(), {
        password: !!input.sealedPassword,
        cookies: !!input.sealedCookies,
        emailCode: false,
      });
    },

    /** The account, or null. */
    async findById(id: string): Promise<AccountRecord | null> {
      return findOne({ _id: toObjectId(id, 'accountId') });
    },

    /** The tenant's account with this external id, or null. */
    async findByExternalId(tenantId: string, externalId: string): Promise<AccountRecord | null> {
      return findOne({ tenantId, externalId });
    },

    /** Sets the connection status; false when the account does not exist. */
    async setStatus(id: string, update: StatusUpdate): Promise<boolean> {
      const result = await Account.updateOne(
        { _id: toObjectId(id, 'accountId') },
        {
          $set: {
            status: update.status,
            statusReason: update.reason ?? null,
            statusMessage: update.message ?? DEFAULT_STATUS_MESSAGES[update.status],
          },
        },
        { runValidators: true },
      );
      return result.matchedCount === 1;
    },

    /** Updates part of the two-factor sub-document and stamps `twoFactor.updatedAt`. */
    async setTwoFactor(
      id: string,
      patch: Partial<Omit<TwoFactorDoc, 'updatedAt'>>,
      at: Date = new Date(),
    ): Promise<boolean> {
      const set: Record<string, unknown> = { 'twoFactor.updatedAt': at };
      for (const [k, v] of Object.entries(patch)) if (v !== undefined) set[`twoFactor.${k}`] = v;
      const result = await Account.updateOne(
        { _id: toObjectId(id, 'accountId') },
        { $set: set },
        { runValidators: true },
      );
      return result.matchedCount === 1;
    },

    /** Records when a check, a login challenge or a failure last happened. */
    async touch(id: string, event: keyof typeof TIMESTAMP_FIELD, at: Date = new Date()) {
      const result = await Account.updateOne(
        { _id: toObjectId(id, 'accountId') },
        { $set: { [TIMESTAMP_FIELD[event]]: at } },
      );
      return result.matchedCount === 1;
    },

    /** Deletes the account document (its sealed credentials with it); false when none. */
    async remove(id: string): Promise<boolean> {
      const result = await Account.deleteOne({ _id: toObjectId(id, 'accountId') });
      return result.deletedCount === 1;
    },

    /** How many accounts have each status (statuses with none are 0), for metrics. */
    async countByStatus(): Promise<Record<AccountStatus, number>> {
      const rows = await Account.aggregate<{ _id: AccountStatus; n: number }>([
        { $group: { _id: '$status', n: { $sum: 1 } } },
      ]);
      const counts = Object.fromEntries(ACCOUNT_STATUSES.map((s) => [s, 0])) as Record<
        AccountStatus,
        number
      >;
      for (const r of rows) counts[r._id] = r.n;
      return counts;
    },

    /** The sealed password, cookies and proxy auth, or null when the account does not exist. */
    async loadSealedCredentials(id: string): Promise<SealedCredentials | null> {
      const doc = await Account.findById(toObjectId(id, 'accountId'))
        .select(SEALED_SELECT)
        .lean<AccountLean>();
      if (!doc) return null;
      return {
        password: doc.sealedPassword ?? null,
        cookies: doc.sealedCookies ?? null,
        proxyAuth: doc.sealedProxyAuth ?? null,
      };
    },

    /** Stores (or with null, clears) the sealed password. */
    async saveSealedPassword(id: string, sealed: string | null): Promise<boolean> {
      return setSealed(id, { sealedPassword: sealed });
    },

    /** Stores (or with null, clears) the sealed session cookies. */
    async saveSealedCookies(id: string, sealed: string | null): Promise<boolean> {
      return setSealed(id, { sealedCookies: sealed });
    },

    /** Sets or clears the proxy: plain `url` plus sealed `user:pass` (see proxy.ts). */
    async saveProxy(
      id: string,
      proxy: { url: string; sealedAuth: string | null } | null,
    ): Promise<boolean> {
      return setSealed(id, {
        proxyUrl: proxy?.url ?? null,
        sealedProxyAuth: proxy?.sealedAuth ?? null,
      });
    },

    /**
     * Stores the sealed emailed code the owner submitted (replacing any earlier one) and when;
     * false when the account does not exist.
     */
    async saveSealedEmailCode(id: string, sealed: string, at: Date = new Date()): Promise<boolean> {
      const result = await Account.updateOne(
        { _id: toObjectId(id, 'accountId') },
        { $set: { sealedEmailCode: sealed, emailCodeAt: at } },
      );
      return result.matchedCount === 1;
    },

    /**
     * Takes the waiting sealed emailed code: returns it and clears it, or null when none waits.
     * The clear only applies while the field still holds the value read, so a newer code the
     * owner submits meanwhile stays for the next take. Not exclusive on FerretDB (its
     * conditional update is two steps): callers hold the account's lease (lease.repo.ts).
     */
    async takeSealedEmailCode(id: string): Promise<string | null> {
      const _id = toObjectId(id, 'accountId');
      const doc = await Account.findById(_id)
        .select('_id sealedEmailCode')
        .lean<Pick<AccountLean, '_id' | 'sealedEmailCode'>>();
      const sealed = doc?.sealedEmailCode ?? null;
      if (sealed === null) return null;
      await Account.updateOne(
        { _id, sealedEmailCode: sealed },
        { $set: { sealedEmailCode: null, emailCodeAt: null } },
      );
      return sealed;
    },

    /** A page of sealed values in `_id` order, after `afterId`, for key rotation. */
    async scanSealed(opts: { afterId?: string; limit: number }): Promise<AccountSealedRow[]> {
      const filter = opts.afterId ? { _id: { $gt: toObjectId(opts.afterId, 'afterId') } } : {};
      const docs = await Account.find(filter)
        .select('_id sealedPassword sealedCookies sealedProxyAuth sealedEmailCode')
        .sort({ _id: 1 })
        .limit(opts.limit)
        .lean<AccountLean[]>();
      return docs.map((d) => ({
        id: d._id.toHexString(),
        values: {
          sealedPassword: d.sealedPassword ?? null,
          sealedCookies: d.sealedCookies ?? null,
          sealedProxyAuth: d.sealedProxyAuth ?? null,
          sealedEmailCode: d.sealedEmailCode ?? null,
        },
      }));
    },

    /** Compare-and-set of one sealed field: false when it no longer holds `expected`. */
    async replaceSealed(id: string, field: AccountSealedField, expected: string, next: string) {
      const result = await Account.updateOne(
        { _id: toObjectId(id, 'accountId'), [field]: expected },
        { $set: { [field]: next } },
      );
      return result.matchedCount === 1;
    },
  };
}

/** The account repository. */
export type AccountRepo = ReturnType<typeof createAccountRepo>;
