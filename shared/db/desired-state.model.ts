/**
 * The TwoFactorDesiredState collection: the owner's wish for an account's authenticator 2FA.
 * Workers reconcile LinkedIn toward `desired`; the toggle guard in desired-state.repo.ts reads
 * `flips` and `lastFlipAt`. Only desired-state.repo.ts uses it.
 *
 * Append-only versions, one document per (account, version); the current state is the highest
 * version. Why not one document per account changed by `updateOne({ accountId, version })`:
 * FerretDB 1.24 evaluates an update's filter and writes in two steps, so concurrent
 * conditional updates of one document can all "succeed" (8 rounds in 10 with 10 writers,
 * measured here). An insert under a unique index is atomic on FerretDB and MongoDB alike, so a
 * flip **is** the insert of the next version.
 */
import { Schema, type Connection, type Model, type Types } from 'mongoose';

/** What the owner wants 2FA to be. */
export type DesiredTwoFactor = 'on' | 'off';

/** The stored shape of one version of an account's desired state. */
export interface DesiredStateDoc {
  _id: Types.ObjectId;
  accountId: Types.ObjectId;
  /** 1, 2, 3… per account; the unique index makes each version one atomic claim. */
  version: number;
  desired: DesiredTwoFactor;
  /** Accepted flips of the 24 hours before this one, plus this one, oldest first. */
  flips: Date[];
  lastFlipAt: Date;
  createdAt: Date;
}

/** Schema of the `two_factor_desired_states` collection. */
export const desiredStateSchema = new Schema<DesiredStateDoc>(
  {
    accountId: { type: Schema.Types.ObjectId, required: true, ref: 'Account' },
    version: { type: Number, required: true, min: 1 },
    desired: { type: String, enum: ['on', 'off'], required: true },
    flips: { type: [Date], required: true, default: () => [] },
    lastFlipAt: { type: Date, required: true },
  },
  {
    collection: 'two_factor_desired_states',
    timestamps: { createdAt: true, updatedAt: false },
    strict: 'throw',
  },
);

// **MUST** stay unique: it is what makes two concurrent flips of one account impossible.
desiredStateSchema.index({ accountId: 1, version: 1 }, { unique: true });

/** The model bound to `connection`, compiled once per connection. */
export function desiredStateModel(connection: Connection): Model<DesiredStateDoc> {
  const name = 'TwoFactorDesiredState';
  return (
    (connection.models[name] as Model<DesiredStateDoc> | undefined) ??
    connection.model<DesiredStateDoc>(name, desiredStateSchema)
  );
}
