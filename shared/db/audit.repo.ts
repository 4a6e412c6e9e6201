/**
 * The audit trail: append and read, nothing else. Every write goes through the secret guard
 * (audit-guard.ts) first.
 */
import { ValidationError } from '../errors';
import type { AuditDetailValue, AuditEventDoc } from './audit-event.model';
import { assertSafeAuditDetails } from './audit-guard';
import { toObjectId } from './ids';
import type { Models } from './models';

/** An event to append. `details` must be small, flat and non-secret. */
export interface NewAuditEvent {
  readonly tenantId: string;
  readonly accountId?: string | null;
  /** `worker:<name>`, `cli`, `api:<tokenName>`, `system`. */
  readonly actor: string;
  /** Dotted lower-case verb phrase: `key.sealed`, `key.used`, `account.created`. */
  readonly action: string;
  readonly at?: Date;
  readonly jobId?: string | null;
  readonly details?: Record<string, AuditDetailValue>;
}

/** A stored event. */
export interface AuditEventRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly accountId: string | null;
  readonly actor: string;
  readonly action: string;
  readonly at: Date;
  readonly jobId: string | null;
  readonly details: Readonly<Record<string, AuditDetailValue>>;
}

/** One page, newest first; pass `nextBefore` as `before` for the next (older) page. */
export interface AuditPage {
  readonly events: AuditEventRecord[];
  readonly nextBefore: string | null;
}

const ACTOR = /^(?:worker|api):[\w.@-]{1,80}$|^(?:cli|system)$/;
const ACTION = /^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+$/;
/** Default and maximum page sizes: a screenful, and a bound on one query's work. */
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;

function toRecord(doc: AuditEventDoc): AuditEventRecord {
  return {
    id: doc._id.toHexString(),
    tenantId: doc.tenantId,
    accountId: doc.accountId ? doc.accountId.toHexString() : null,
    actor: doc.actor,
    action: doc.action,
    at: doc.at,
    jobId: doc.jobId,
    details: doc.details ?? {},
  };
}

/** The cursor is `<at in ms>_<id>`: events sort by time, ties by id. */
function encodeCursor(doc: AuditEventRecord): string {
  return `${doc.at.getTime()}_${doc.id}`;
}

function decodeCursor(cursor: string) {
  const m = /^(\d{1,15})_([0-9a-f]{24})$/.exec(cursor);
  if (!m)
    throw new ValidationError('before must be a nextBefore cursor from a previous page', 'before');
  return { at: new Date(Number(m[1])), _id: toObjectId(m[2]!, 'before') };
}

/** Creates the audit repository over `models`. */
export function createAuditRepo({ AuditEvent }: Models) {
  return {
    /** Appends one event; throws AuditDetailsRefusedError for secret-looking details. */
    async record(event: NewAuditEvent): Promise<AuditEventRecord> {
      if (!ACTOR.test(event.actor)) {
        throw new ValidationError(
          'actor must be worker:<name>, api:<token>, cli or system',
          'actor',
        );
      }
      if (!ACTION.test(event.action)) {
        throw new ValidationError('action must be dotted lower-case, e.g. key.sealed', 'action');
      }
      const details = assertSafeAuditDetails(event.details);
      const [doc] = await AuditEvent.create([
        {
          tenantId: event.tenantId,
          accountId: event.accountId ? toObjectId(event.accountId, 'accountId') : null,
          actor: event.actor,
          action: event.action,
          at: event.at ?? new Date(),
          jobId: event.jobId ?? null,
          details,
        },
      ]);
      return toRecord(doc!.toObject());
    },

    /** One event by id, or null. */
    async get(id: string): Promise<AuditEventRecord | null> {
      const doc = await AuditEvent.findById(toObjectId(id, 'eventId')).lean<AuditEventDoc>();
      return doc ? toRecord(doc) : null;
    },

    /**
     * How many `action` events the account has at or after `since`, and when the earliest of
     * them happened (null when none): for rolling-window limits such as QR reveals per 24 h.
     */
    async countSince(
      accountId: string,
      action: string,
      since: Date,
    ): Promise<{ count: number; oldest: Date | null }> {
      const filter = {
        accountId: toObjectId(accountId, 'accountId'),
        action,
        at: { $gte: since },
      };
      const [count, first] = await Promise.all([
        AuditEvent.countDocuments(filter),
        AuditEvent.findOne(filter)
          .sort({ at: 1, _id: 1 })
          .select('at')
          .lean<Pick<AuditEventDoc, 'at'>>(),
      ]);
      return { count, oldest: first?.at ?? null };
    },

    /** The account's events, newest first, `limit` per page (default 50, max 500). */
    async list(
      accountId: string,
      opts: { limit?: number; before?: string } = {},
    ): Promise<AuditPage> {
      const limit = opts.limit ?? DEFAULT_LIMIT;
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
        throw new ValidationError(`limit must be an integer from 1 to ${MAX_LIMIT}`, 'limit');
      }
      const filter: Record<string, unknown> = { accountId: toObjectId(accountId, 'accountId') };
      if (opts.before) {
        const c = decodeCursor(opts.before);
        filter.$or = [{ at: { $lt: c.at } }, { at: c.at, _id: { $lt: c._id } }];
      }
      // One extra row tells whether an older page exists without a count query.
      const docs = await AuditEvent.find(filter)
        .sort({ at: -1, _id: -1 })
        .limit(limit + 1)
        .lean<AuditEventDoc[]>();
      const events = docs.slice(0, limit).map(toRecord);
      const last = events.at(-1);
      return { events, nextBefore: docs.length > limit && last ? encodeCursor(last) : null };
    },
  };
}

/** The audit repository. */
export type AuditRepo = ReturnType<typeof createAuditRepo>;
