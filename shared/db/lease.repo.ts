/**
 * Per-account leases with fencing tokens: at most one run acts on an account at a time, and a
 * run that lost its lease (it stalled, expired, was taken over) is told so before each write.
 *
 * Rules:
 * - acquire reads the account's newest lease; one that is unreleased, unexpired and held by a
 *   different holder makes the account busy ({@link LeaseBusyError}, retry when it expires);
 * - otherwise acquire inserts token newest+1, even when the same holder already holds an
 *   unexpired lease: that caller may be a re-run of the same job after a crash, and fencing
 *   must refuse the old run's writes;
 * - a lease is current while its token is the account's newest and it is not released. Expiry
 *   alone does not end it: it only lets someone else take over.
 *
 * No transactions and no conditional updates (FerretDB has neither atomically): taking a lease
 * is the insert of the next token under the unique (accountId, token) index (see
 * lease.model.ts). Losing that race means another acquirer won; the loser re-reads and applies
 * the rules again, so two concurrent acquirers can never both hold the account.
 */
import { RetryLaterError, TransientError, ValidationError } from '../errors';
import { isDuplicateKeyError } from './errors';
import { toObjectId } from './ids';
import type { LeaseDoc } from './lease.model';
import type { Models } from './models';

/** A held lease. Pass it back to renew, assertCurrent and release. */
export interface Lease {
  readonly accountId: string;
  /** The fencing token: higher is newer; only the account's newest token may write. */
  readonly token: number;
  readonly holder: string;
  readonly expiresAt: Date;
}

/** Another holder has the account's lease: retry once it expires (at least 1 s from now). */
export class LeaseBusyError extends RetryLaterError {
  constructor(
    readonly accountId: string,
    readonly holder: string,
    delayMs: number,
    options?: ErrorOptions,
  ) {
    super(
      'account_busy',
      `account ${accountId} is busy: ${holder} holds its lease for another ${Math.ceil(delayMs / 1_000)} s`,
      delayMs,
      options,
    );
  }
}

/** The lease was taken over or released: this run must stop writing. Another run carries on. */
export class LeaseLostError extends TransientError {
  constructor(
    readonly accountId: string,
    readonly token: number,
    options?: ErrorOptions,
  ) {
    super(
      'lease_lost',
      `lease ${token} of account ${accountId} is no longer current (taken over or released)`,
      options,
    );
  }
}

/**
 * Acquire conflicts are retried this many times: each means another acquirer inserted the
 * next token in the last few milliseconds; after a loss the re-read usually finds it busy.
 */
const MAX_CONFLICT_RETRIES = 5;

/** Lease documents kept per account (newest first): enough history for support. */
const LEASES_KEPT = 10;

/** The shortest delay a busy account is retried after. */
const MIN_BUSY_DELAY_MS = 1_000;

function toLease(doc: Pick<LeaseDoc, 'accountId' | 'token' | 'holder' | 'expiresAt'>): Lease {
  return {
    accountId: doc.accountId.toHexString(),
    token: doc.token,
    holder: doc.holder,
    expiresAt: doc.expiresAt,
  };
}

function assertTtl(ttlMs: number): void {
  if (!Number.isInteger(ttlMs) || ttlMs < 1) {
    throw new ValidationError('lease ttlMs must be a positive integer', 'ttlMs');
  }
}

/** Creates the lease repository over `models`. */
export function createLeaseRepo({ Lease: Leases }: Models) {
  const newest = (accountId: string) =>
    Leases.findOne({ accountId: toObjectId(accountId, 'accountId') })
      .sort({ token: -1 })
      .lean<LeaseDoc>()
      .exec();

  /** The lease's stored document; throws LeaseLostError unless it is the newest, unreleased. */
  async function current(lease: Lease): Promise<LeaseDoc> {
    const doc = await newest(lease.accountId);
    if (!doc || doc.token !== lease.token || doc.releasedAt !== null) {
      throw new LeaseLostError(lease.accountId, lease.token);
    }
    return doc;
  }

  return {
    /**
     * Takes the account's lease for `ttlMs` as `holder`: a new token every time. Throws
     * LeaseBusyError while another holder's lease is live, TransientError `lease_contended`
     * when other acquirers kept winning.
     */
    async acquire(
      accountId: string,
      holder: string,
      ttlMs: number,
      now: Date = new Date(),
    ): Promise<Lease> {
      assertTtl(ttlMs);
      const id = toObjectId(accountId, 'accountId');
      const nowMs = now.getTime();
      for (let attempt = 0; attempt <= MAX_CONFLICT_RETRIES; attempt++) {
        const doc = await newest(accountId);
        if (
          doc &&
          doc.releasedAt === null &&
          doc.expiresAt.getTime() > nowMs &&
          doc.holder !== holder
        ) {
          const delayMs = Math.max(MIN_BUSY_DELAY_MS, doc.expiresAt.getTime() - nowMs);
          throw new LeaseBusyError(accountId, doc.holder, delayMs);
        }
        const next = {
          accountId: id,
          token: (doc?.token ?? 0) + 1,
          holder,
          expiresAt: new Date(nowMs + ttlMs),
          releasedAt: null,
        };
        try {
          await Leases.create([next]);
        } catch (err) {
          if (isDuplicateKeyError(err)) continue; // another acquirer won: re-read
          throw err;
        }
        await Leases.deleteMany({ accountId: id, token: { $lte: next.token - LEASES_KEPT } });
        return toLease(next);
      }
      throw new TransientError(
        'lease_contended',
        `lease of account ${accountId} was contended ${MAX_CONFLICT_RETRIES + 1} times in a row`,
      );
    },

    /**
     * Extends a current lease to `now + ttlMs`. Throws LeaseLostError when a newer token exists
     * or the lease was released (also when a takeover raced the renewal).
     */
    async renew(lease: Lease, ttlMs: number, now: Date = new Date()): Promise<Lease> {
      assertTtl(ttlMs);
      const doc = await current(lease);
      const expiresAt = new Date(now.getTime() + ttlMs);
      await Leases.updateOne({ _id: doc._id, releasedAt: null }, { $set: { expiresAt } });
      // A takeover between the read and the write inserted a newer token: the renewal is moot.
      await current(lease);
      return { ...lease, expiresAt };
    },

    /**
     * Throws LeaseLostError unless `lease.token` is the account's newest token and not
     * released. An expired lease nobody took over is still current. (`now` is accepted for a
     * uniform clock-injected signature; expiry is not checked.)
     */
    async assertCurrent(lease: Lease, _now: Date = new Date()): Promise<void> {
      await current(lease);
    },

    /** Releases the lease so the account is free at once. Idempotent; a lost lease is a no-op. */
    async release(lease: Lease): Promise<void> {
      await Leases.updateOne(
        {
          accountId: toObjectId(lease.accountId, 'accountId'),
          token: lease.token,
          releasedAt: null,
        },
        { $set: { releasedAt: new Date() } },
      );
    },
  };
}

/** The lease repository. */
export type LeaseRepo = ReturnType<typeof createLeaseRepo>;
