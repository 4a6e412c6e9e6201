/**
 * The owner's desired 2FA state and the toggle guard.
 *
 * Rules (issue 4, "Toggle guard"):
 * - a request equal to the current desired state is a no-op: not a flip, never refused;
 * - a flip within `cooldownSeconds` of the last accepted flip, or one that would exceed
 *   `dailyLimit` accepted flips in the last 24 h, is refused with {@link ToggleCooldownError};
 * - the first request for an account is allowed and counts as a flip (enabling 2FA is itself
 *   a toggle on LinkedIn);
 * - refused requests change nothing.
 *
 * No transactions and no conditional updates (FerretDB has neither atomically): a flip is the
 * insert of version n+1 under the unique (accountId, version) index (see
 * desired-state.model.ts). Losing that race means another request flipped first; the loser
 * re-reads and applies the rules again, so two concurrent flips can never both pass the guard.
 */
import mongoose, { type Connection, type Model } from 'mongoose';
import { PermanentError, TransientError } from '../errors';
import {
  desiredStateModel,
  type DesiredStateDoc,
  type DesiredTwoFactor,
} from './desired-state.model';
import { isDuplicateKeyError } from './errors';
import { toObjectId } from './ids';

export type { DesiredTwoFactor } from './desired-state.model';

/** The flip window of the daily limit: 24 hours in milliseconds. */
export const FLIP_WINDOW_MS = 24 * 3_600_000;

/**
 * Conflicts are retried this many times: each retry means another request for the same
 * account won a race in the last few milliseconds; 5 covers bursts of concurrent clicks.
 */
const MAX_CONFLICT_RETRIES = 5;

/**
 * Versions kept per account below the newest: 10 flips of history for support. Each version
 * carries its own 24 h flip list, so pruning never affects the guard.
 */
const VERSIONS_KEPT = 10;

/** The guard's limits; the integrator wires TOGGLE_COOLDOWN_SECONDS and TOGGLE_DAILY_LIMIT. */
export interface ToggleLimits {
  /** Minimum seconds between two accepted flips (issue default 900). */
  readonly cooldownSeconds: number;
  /** Maximum accepted flips in any 24 h window (issue default 3). */
  readonly dailyLimit: number;
}

/** A flip refused by the toggle guard. Permanent for this request: retry after `retryAfter`. */
export class ToggleCooldownError extends PermanentError {
  constructor(
    readonly accountId: string,
    readonly retryAfter: Date,
    readonly rule: 'cooldown' | 'daily_limit',
    options?: ErrorOptions,
  ) {
    super(
      'toggle_cooldown',
      rule === 'cooldown'
        ? `two-step verification was changed recently; try again after ${retryAfter.toISOString()}`
        : `two-step verification was changed too often today; try again after ${retryAfter.toISOString()}`,
      options,
    );
  }
}

/** An account's desired state as callers see it. */
export interface DesiredState {
  readonly accountId: string;
  readonly desired: DesiredTwoFactor;
  readonly version: number;
  readonly lastFlipAt: Date;
  /** Accepted flips in the 24 h before the read (or before `now` of the last request). */
  readonly recentFlips: readonly Date[];
}

/** What `requestDesired` did. */
export interface DesiredRequestResult extends DesiredState {
  /** True when the request flipped (or first set) the desired state; false for a no-op. */
  readonly changed: boolean;
  /** The desired state before the request; null when it is the account's first. */
  readonly previous: DesiredTwoFactor | null;
}

/** Reads and changes desired states. */
export interface DesiredStateRepo {
  /** Applies the toggle guard and records the request; see the module comment. */
  requestDesired(
    accountId: string,
    desired: DesiredTwoFactor,
    now: Date,
    limits: ToggleLimits,
  ): Promise<DesiredRequestResult>;
  /** The account's desired state, or null when the owner never asked. */
  getDesired(accountId: string): Promise<DesiredState | null>;
  /** Creates the collection and its unique index; call once at start-up and in tests. */
  init(): Promise<void>;
}

function toState(doc: DesiredStateDoc, nowMs: number): DesiredState {
  return {
    accountId: doc.accountId.toHexString(),
    desired: doc.desired,
    version: doc.version,
    lastFlipAt: doc.lastFlipAt,
    recentFlips: doc.flips.filter((f) => nowMs - f.getTime() < FLIP_WINDOW_MS),
  };
}

/** The refusal for a flip at `nowMs`, or null when the guard allows it. */
function refusal(
  accountId: string,
  doc: DesiredStateDoc,
  nowMs: number,
  limits: ToggleLimits,
): ToggleCooldownError | null {
  const cooldownEnds = doc.lastFlipAt.getTime() + limits.cooldownSeconds * 1_000;
  const recent = doc.flips
    .map((f) => f.getTime())
    .filter((t) => nowMs - t < FLIP_WINDOW_MS)
    .sort((a, b) => a - b);
  // Over the limit, the next flip is allowed once enough old flips leave the 24 h window.
  const overLimit = recent.length >= limits.dailyLimit;
  const limitEnds = overLimit
    ? (recent[recent.length - limits.dailyLimit] ?? nowMs) + FLIP_WINDOW_MS
    : 0;
  if (nowMs < cooldownEnds && cooldownEnds >= limitEnds) {
    return new ToggleCooldownError(accountId, new Date(cooldownEnds), 'cooldown');
  }
  if (overLimit) return new ToggleCooldownError(accountId, new Date(limitEnds), 'daily_limit');
  return null;
}

/** The desired-state repository on `connection` (default: mongoose's default connection). */
export function createDesiredStateRepo(
  connection: Connection = mongoose.connection,
): DesiredStateRepo {
  const Desired: Model<DesiredStateDoc> = desiredStateModel(connection);

  const load = (accountId: string) =>
    Desired.findOne({ accountId: toObjectId(accountId, 'accountId') })
      .sort({ version: -1 })
      .lean<DesiredStateDoc>()
      .exec();

  /** Inserts `doc` as the account's next version; false when another request took it. */
  const claim = async (doc: Omit<DesiredStateDoc, '_id' | 'createdAt'>): Promise<boolean> => {
    try {
      await Desired.create([doc]);
      return true;
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
  };

  return {
    async init() {
      await Desired.init();
    },

    async getDesired(accountId) {
      const doc = await load(accountId);
      return doc ? toState(doc, Date.now()) : null;
    },

    async requestDesired(accountId, desired, now, limits) {
      const id = toObjectId(accountId, 'accountId');
      const nowMs = now.getTime();
      for (let attempt = 0; attempt <= MAX_CONFLICT_RETRIES; attempt++) {
        const doc = await load(accountId);
        if (doc?.desired === desired) {
          return { ...toState(doc, nowMs), changed: false, previous: desired };
        }
        if (doc) {
          const refused = refusal(accountId, doc, nowMs, limits);
          if (refused) throw refused;
        }
        const next = {
          accountId: id,
          version: (doc?.version ?? 0) + 1,
          desired,
          flips: [...(doc ? toState(doc, nowMs).recentFlips : []), now],
          lastFlipAt: now,
        };
        if (!(await claim(next))) continue; // another request flipped first: re-read
        await Desired.deleteMany({
          accountId: id,
          version: { $lte: next.version - VERSIONS_KEPT - 1 },
        });
        return {
          ...toState({ ...next, _id: id, createdAt: now }, nowMs),
          changed: true,
          previous: doc?.desired ?? null,
        };
      }
      throw new TransientError(
        'desired_state_conflict',
        `desired state of account ${accountId} changed concurrently ${MAX_CONFLICT_RETRIES + 1} times`,
      );
    },
  };
}
