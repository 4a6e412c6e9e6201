/**
 * The `account_leases` collection: who may act on an account right now, with a fencing token.
 * Only lease.repo.ts uses it.
 *
 * Append-only tokens, one document per (account, token); the current lease is the highest
 * token. Taking a lease **is** the insert of token n+1 under the unique (accountId, token)
 * index, because FerretDB 1.24 evaluates a conditional update's filter and its write in two
 * steps (concurrent conditional updates of one document can all "succeed"), while an insert
 * under a unique index is atomic on FerretDB and MongoDB alike. Expiry is a field compared by
 * the repository, not a TTL index (FerretDB has none).
 */
import { Schema, type Types } from 'mongoose';

/** The stored shape of one lease. */
export interface LeaseDoc {
  _id: Types.ObjectId;
  accountId: Types.ObjectId;
  /** 1, 2, 3… per account: the fencing token; the unique index makes each one atomic claim. */
  token: number;
  /** Who holds it: a job id, or `<worker>:<job id>`. */
  holder: string;
  /** After this the lease may be taken over (renewals push it forward). */
  expiresAt: Date;
  /** Set by release; a released lease is free at once and can no longer be renewed. */
  releasedAt: Date | null;
  createdAt: Date;
}

/** Schema of the `account_leases` collection. */
export const leaseSchema = new Schema<LeaseDoc>(
  {
    accountId: { type: Schema.Types.ObjectId, required: true, ref: 'Account' },
    token: { type: Number, required: true, min: 1 },
    holder: { type: String, required: true, minlength: 1, maxlength: 200 },
    expiresAt: { type: Date, required: true },
    releasedAt: { type: Date, default: null },
  },
  {
    collection: 'account_leases',
    timestamps: { createdAt: true, updatedAt: false },
    strict: 'throw',
  },
);

// **MUST** stay unique: it is what makes two concurrent acquirers of one token impossible.
leaseSchema.index({ accountId: 1, token: 1 }, { unique: true });
