/**
 * The `owner_sessions` collection: one-time owner-page links and the sessions they open. Only
 * SHA-256 digests of the tokens are stored. Expiry is a field the repository compares (FerretDB
 * has no TTL indexes); expired documents are deleted when new ones are made.
 */
import { Schema, type Types } from 'mongoose';

export interface OwnerSessionDoc {
  _id: Types.ObjectId;
  /** `link`: the one-time link the main app hands the owner; `session`: what it opens. */
  kind: 'link' | 'session';
  tokenHash: string;
  accountId: Types.ObjectId;
  tenantId: string;
  /** The form token of a session (the page's POSTs must carry it). */
  csrf: string | null;
  expiresAt: Date;
  createdAt: Date;
}

export const ownerSessionSchema = new Schema<OwnerSessionDoc>(
  {
    kind: { type: String, enum: ['link', 'session'], required: true },
    tokenHash: { type: String, required: true, minlength: 64, maxlength: 64 },
    accountId: { type: Schema.Types.ObjectId, required: true, ref: 'Account' },
    tenantId: { type: String, required: true },
    csrf: { type: String, default: null },
    expiresAt: { type: Date, required: true },
  },
  {
    collection: 'owner_sessions',
    timestamps: { createdAt: true, updatedAt: false },
    strict: 'throw',
  },
);

ownerSessionSchema.index({ tokenHash: 1 }, { unique: true });
