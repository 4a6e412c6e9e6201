/**
 * Two-factor key versions, by intent. The only module that selects `+sealedKey`, and only in
 * `loadActive` / `loadLatest` (plus the rotation scan, which never leaves the data layer).
 *
 * No transactions (FerretDB has none): versions come from a unique index plus retry, and
 * every state change is a single conditional `updateOne`.
 */
import type { Types } from 'mongoose';
import { TransientError } from '../errors';
import { TwoFactorKeyNotFoundError, isDuplicateKeyError } from './errors';
import { toObjectId } from './ids';
import type { Models } from './models';
import type {
  TwoFactorKeyDoc,
  TwoFactorKeySource,
  TwoFactorKeyState,
} from './two-factor-key.model';

/** A key version without its material. */
export interface TwoFactorKeyRecord {
  readonly id: string;
  readonly accountId: string;
  readonly version: number;
  readonly state: TwoFactorKeyState;
  readonly source: TwoFactorKeySource;
  readonly lastUsedStep: number | null;
  readonly createdAt: Date;
  readonly activatedAt: Date | null;
  readonly revokedAt: Date | null;
}

/** A key version with its sealed key (open with purpose `totp_key`). */
export interface SealedTwoFactorKey extends TwoFactorKeyRecord {
  readonly sealedKey: string;
}

/** The sealed fields key rotation walks. */
export type TwoFactorKeySealedField = 'sealedKey' | 'sealedRecoveryCodes';

/** One row of a rotation scan. */
export interface TwoFactorKeySealedRow {
  readonly id: string;
  readonly accountId: string;
  readonly values: Readonly<Record<TwoFactorKeySealedField, string | null>>;
}

/**
 * Attempts before giving up on a version: each failed attempt means another writer took the
 * version we computed, so this only runs out if 32 enrollments of one account race at once.
 */
const MAX_ALLOCATION_ATTEMPTS = 32;
/**
 * Claims kept per key below the newest one: 10 steps = 5 minutes of 30-second steps, far more
 * than the ±1 step a verifier accepts, so a pruned step can never be valid again anyway.
 */
const CLAIMS_KEPT = 10;
/** States whose material may be used (pending: during enrollment; active: afterwards). */
const USABLE: TwoFactorKeyState[] = ['pending', 'active'];

type KeyLean = TwoFactorKeyDoc;

function toRecord(doc: KeyLean): TwoFactorKeyRecord {
  return {
    id: doc._id.toHexString(),
    accountId: doc.accountId.toHexString(),
    version: doc.version,
    state: doc.state,
    source: doc.source,
    lastUsedStep: doc.lastUsedStep,
    createdAt: doc.createdAt,
    activatedAt: doc.activatedAt,
    revokedAt: doc.revokedAt,
  };
}

/** Creates the two-factor key repository over `models`. */
export function createTwoFactorKeyRepo({ TwoFactorKey, TotpStepClaim }: Models) {
  async function loadSealed(
    accountId: Types.ObjectId,
    states: TwoFactorKeyState[],
  ): Promise<SealedTwoFactorKey | null> {
    const doc = await TwoFactorKey.findOne({ accountId, state: { $in: states } })
      .select('+sealedKey')
      .sort({ version: -1 })
      .lean<KeyLean>();
    if (!doc?.sealedKey) return null;
    return { ...toRecord(doc), sealedKey: doc.sealedKey };
  }

  return {
    /**
     * Appends a `pending` version with the next free version number. Safe under concurrency:
     * the unique (accountId, version) index rejects a taken number and we retry with the next.
     */
    async savePending(
      accountId: string,
      sealedKey: string,
      source: TwoFactorKeySource,
    ): Promise<TwoFactorKeyRecord> {
      const _accountId = toObjectId(accountId, 'accountId');
      for (let attempt = 1; ; attempt++) {
        const latest = await TwoFactorKey.findOne({ accountId: _accountId })
          .sort({ version: -1 })
          .select('version')
          .lean<Pick<KeyLean, 'version'>>();
        try {
          const [doc] = await TwoFactorKey.create([
            {
              accountId: _accountId,
              version: (latest?.version ?? 0) + 1,
              state: 'pending',
              sealedKey,
              source,
            },
          ]);
          return toRecord(doc!.toObject());
        } catch (err) {
          if (!isDuplicateKeyError(err)) throw err;
          if (attempt >= MAX_ALLOCATION_ATTEMPTS) {
            throw new TransientError(
              'key_version_contended',
              `account ${accountId}: no free key version after ${attempt} attempts`,
              { cause: err },
            );
          }
        }
      }
    },

    /**
     * Makes `version` the active key, then marks every other pending/active version
     * superseded. Activating first means a crash in between leaves two active versions, and
     * `loadActive` picks the highest; re-running `activate` finishes the job.
     */
    async activate(accountId: string, version: number, at: Date = new Date()): Promise<void> {
      const _accountId = toObjectId(accountId, 'accountId');
      const target = await TwoFactorKey.updateOne(
        { accountId: _accountId, version, state: { $in: USABLE }, sealedKey: { $ne: null } },
        { $set: { state: 'active', activatedAt: at } },
      );
      if (target.matchedCount === 0) {
        throw new TwoFactorKeyNotFoundError(accountId, version, 'pending or active');
      }
      await TwoFactorKey.updateMany(
        { accountId: _accountId, version: { $ne: version }, state: { $in: USABLE } },
        { $set: { state: 'superseded' } },
      );
    },

    /** The active key with its sealed material (highest version if several), or null. */
    async loadActive(accountId: string): Promise<SealedTwoFactorKey | null> {
      return loadSealed(toObjectId(accountId, 'accountId'), ['active']);
    },

    /** The newest usable key (pending or active) with its sealed material, or null. */
    async loadLatest(accountId: string): Promise<SealedTwoFactorKey | null> {
      return loadSealed(toObjectId(accountId, 'accountId'), USABLE);
    },

    /** Every version of the account, newest first, without material. */
    async list(accountId: string): Promise<TwoFactorKeyRecord[]> {
      const docs = await TwoFactorKey.find({ accountId: toObjectId(accountId, 'accountId') })
        .sort({ version: -1 })
        .lean<KeyLean[]>();
      return docs.map(toRecord);
    },

    /**
     * Claims TOTP time step `step` for this key. Atomic across workers: true for exactly one
     * caller per step; false when this step or a later one was already used, or the key is
     * not usable. The unique claim insert decides (see totp-step-claim.model.ts);
     * `lastUsedStep` is the fast path that refuses steps older than the newest claim.
     */
    async claimStep(accountId: string, version: number, step: number): Promise<boolean> {
      const key = await TwoFactorKey.findOne({
        accountId: toObjectId(accountId, 'accountId'),
        version,
        state: { $in: USABLE },
      })
        .select('_id lastUsedStep')
        .lean<Pick<KeyLean, '_id' | 'lastUsedStep'>>();
      if (!key || (key.lastUsedStep !== null && key.lastUsedStep >= step)) return false;
      try {
        await TotpStepClaim.create([{ keyId: key._id, step, at: new Date() }]);
      } catch (err) {
        if (isDuplicateKeyError(err)) return false;
        throw err;
      }
      await TwoFactorKey.updateOne(
        { _id: key._id, $or: [{ lastUsedStep: { $lt: step } }, { lastUsedStep: null }] },
        { $set: { lastUsedStep: step } },
      );
      await TotpStepClaim.deleteMany({ keyId: key._id, step: { $lt: step - CLAIMS_KEPT } });
      return true;
    },

    /** Revokes a version and destroys its material (key and recovery codes set to null). */
    async revoke(accountId: string, version: number, at: Date = new Date()): Promise<boolean> {
      const result = await TwoFactorKey.updateOne(
        { accountId: toObjectId(accountId, 'accountId'), version, state: { $ne: 'revoked' } },
        { $set: { state: 'revoked', sealedKey: null, sealedRecoveryCodes: null, revokedAt: at } },
      );
      return result.matchedCount === 1;
    },

    /** Revokes every version not yet revoked; returns how many were. */
    async revokeAll(accountId: string, at: Date = new Date()): Promise<number> {
      const result = await TwoFactorKey.updateMany(
        { accountId: toObjectId(accountId, 'accountId'), state: { $ne: 'revoked' } },
        { $set: { state: 'revoked', sealedKey: null, sealedRecoveryCodes: null, revokedAt: at } },
      );
      return result.modifiedCount;
    },

    /** Stores recovery codes (sealed, purpose `recovery_codes`) on a usable version. */
    async saveRecoveryCodes(accountId: string, version: number, sealed: string): Promise<boolean> {
      const result = await TwoFactorKey.updateOne(
        { accountId: toObjectId(accountId, 'accountId'), version, state: { $in: USABLE } },
        { $set: { sealedRecoveryCodes: sealed } },
      );
      return result.matchedCount === 1;
    },

    /** The sealed recovery codes of a version, or null. */
    async loadSealedRecoveryCodes(accountId: string, version: number): Promise<string | null> {
      const doc = await TwoFactorKey.findOne({
        accountId: toObjectId(accountId, 'accountId'),
        version,
      })
        .select('+sealedRecoveryCodes')
        .lean<KeyLean>();
      return doc?.sealedRecoveryCodes ?? null;
    },

    /** A page of sealed values in `_id` order, after `afterId`, for key rotation. */
    async scanSealed(opts: { afterId?: string; limit: number }): Promise<TwoFactorKeySealedRow[]> {
      const filter = opts.afterId ? { _id: { $gt: toObjectId(opts.afterId, 'afterId') } } : {};
      const docs = await TwoFactorKey.find(filter)
        .select('_id accountId sealedKey sealedRecoveryCodes')
        .sort({ _id: 1 })
        .limit(opts.limit)
        .lean<KeyLean[]>();
      return docs.map((d) => ({
        id: d._id.toHexString(),
        accountId: d.accountId.toHexString(),
        values: {
          sealedKey: d.sealedKey ?? null,
          sealedRecoveryCodes: d.sealedRecoveryCodes ?? null,
        },
      }));
    },

    /** Compare-and-set of one sealed field of a key document (by its own id). */
    async replaceSealed(
      id: string,
      field: TwoFactorKeySealedField,
      expected: string,
      next: string,
    ) {
      const result = await TwoFactorKey.updateOne(
        { _id: toObjectId(id, 'id'), [field]: expected },
        { $set: { [field]: next } },
      );
      return result.matchedCount === 1;
    },
  };
}

/** The two-factor key repository. */
export type TwoFactorKeyRepo = ReturnType<typeof createTwoFactorKeyRepo>;
