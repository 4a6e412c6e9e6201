/**
 * Redacted snapshots of unknown screens, for the operator: saved by the worker that met the
 * screen, listed and read by the CLI (and the API). The newest SNAPSHOTS_PER_ACCOUNT per
 * account are kept; older ones are deleted on save (no TTL indexes on FerretDB).
 */
import { toObjectId } from './ids';
import type { Models } from './models';
import type { ScreenSnapshotDoc } from './screen-snapshot.model';

/** Snapshots kept per account. */
export const SNAPSHOTS_PER_ACCOUNT = 20;

/** What the worker stores (already redacted). */
export interface ScreenSnapshotInput {
  readonly accountId: string;
  readonly queue: string;
  readonly jobId: string;
  readonly message: string;
  readonly url: string;
  readonly title: string;
  readonly html: string;
  readonly screenshot: Buffer | null;
}

/** A stored snapshot without its HTML and PNG (for lists). */
export interface ScreenSnapshotSummary {
  readonly id: string;
  readonly accountId: string;
  readonly queue: string;
  readonly jobId: string;
  readonly message: string;
  readonly url: string;
  readonly title: string;
  readonly hasScreenshot: boolean;
  readonly createdAt: Date;
}

/** A stored snapshot in full. */
export interface ScreenSnapshot extends ScreenSnapshotSummary {
  readonly html: string;
  readonly screenshot: Buffer | null;
}

function summary(d: Omit<ScreenSnapshotDoc, 'html'>): ScreenSnapshotSummary {
  return {
    id: d._id.toHexString(),
    accountId: d.accountId.toHexString(),
    queue: d.queue,
    jobId: d.jobId,
    message: d.message,
    url: d.url,
    title: d.title,
    hasScreenshot: d.screenshot !== null && d.screenshot !== undefined,
    createdAt: d.createdAt,
  };
}

/** Binary fields come back from lean() as mongodb Binary; normalise to a Buffer. */
function toBuffer(value: unknown): Buffer | null {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return value;
  const binary = value as { buffer?: Uint8Array };
  return binary.buffer ? Buffer.from(binary.buffer) : null;
}

export function createScreenSnapshotRepo({ ScreenSnapshot: Snapshots }: Models) {
  return {
    /** Stores one snapshot and trims the account's history; returns the new id. */
    async save(input: ScreenSnapshotInput): Promise<string> {
      const accountId = toObjectId(input.accountId, 'accountId');
      const doc = await Snapshots.create({ ...input, accountId });
      const stale = await Snapshots.find({ accountId })
        .sort({ createdAt: -1, _id: -1 })
        .skip(SNAPSHOTS_PER_ACCOUNT)
        .select({ _id: 1 })
        .lean<Pick<ScreenSnapshotDoc, '_id'>[]>();
      if (stale.length > 0) await Snapshots.deleteMany({ _id: { $in: stale.map((s) => s._id) } });
      return doc._id.toHexString();
    },

    /** The account's snapshots, newest first, without HTML or PNG. */
    async list(accountId: string): Promise<ScreenSnapshotSummary[]> {
      const docs = await Snapshots.find({ accountId: toObjectId(accountId, 'accountId') })
        .sort({ createdAt: -1, _id: -1 })
        .select({ html: 0 })
        .lean<Omit<ScreenSnapshotDoc, 'html'>[]>();
      return docs.map((d) => summary(d));
    },

    /** One snapshot in full, or null. */
    async get(id: string): Promise<ScreenSnapshot | null> {
      const d = await Snapshots.findById(toObjectId(id, 'snapshotId')).lean<ScreenSnapshotDoc>();
      if (!d) return null;
      const screenshot = toBuffer(d.screenshot);
      return { ...summary({ ...d, screenshot }), html: d.html, screenshot };
    },
  };
}

export type ScreenSnapshotRepo = ReturnType<typeof createScreenSnapshotRepo>;
