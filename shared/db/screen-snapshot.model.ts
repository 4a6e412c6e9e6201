/**
 * The `screen_snapshots` collection: redacted copies of screens no page object recognised, kept
 * for the operator (the worker never clicks through an unknown screen). Already redacted when
 * stored (workers/site/snapshot.ts masks inputs, key-like elements, query values and
 * secret-looking runs), so nothing here is sealed. Only screen-snapshot.repo.ts uses it.
 * Retention is a count per account enforced by the repository (FerretDB has no TTL indexes).
 */
import { Schema, type Types } from 'mongoose';

/** The stored shape of one snapshot. */
export interface ScreenSnapshotDoc {
  _id: Types.ObjectId;
  accountId: Types.ObjectId;
  /** The job that met the screen (queue and id), for finding it in Bull Board. */
  queue: string;
  jobId: string;
  /** The error message of the run (secret-free by construction). */
  message: string;
  /** The URL with every query value masked. */
  url: string;
  title: string;
  /** Masked outerHTML. */
  html: string;
  /** PNG taken with the same elements blanked; null when the page could not be shot. */
  screenshot: Buffer | null;
  createdAt: Date;
}

/** Schema of the `screen_snapshots` collection. */
export const screenSnapshotSchema = new Schema<ScreenSnapshotDoc>(
  {
    accountId: { type: Schema.Types.ObjectId, required: true, ref: 'Account' },
    queue: { type: String, required: true, maxlength: 100 },
    jobId: { type: String, required: true, maxlength: 200 },
    message: { type: String, required: true, maxlength: 2_000 },
    url: { type: String, required: true, maxlength: 4_000 },
    title: { type: String, default: '', maxlength: 1_000 },
    html: { type: String, required: true },
    screenshot: { type: Buffer, default: null },
  },
  {
    collection: 'screen_snapshots',
    timestamps: { createdAt: true, updatedAt: false },
    strict: 'throw',
  },
);

screenSnapshotSchema.index({ accountId: 1, createdAt: -1 });
