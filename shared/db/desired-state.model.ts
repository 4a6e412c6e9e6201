/**
 * The TwoFactorDesiredState collection: the owner's wish for an account's authenticator 2FA,
 * one document per account. Workers reconcile LinkedIn toward `desired`; the toggle guard in
 * desired-state.repo.ts reads `flips` and `lastFlipAt`. Only desired-state.repo.ts uses it.
 */
import { Schema, type Connection, type Model, type Types } from 'mongoose';

/** What the owner wants 2FA to be. */
export type DesiredTwoFactor = 'on' | 'off';

/** The stored shape of one account's desired state. */
export interface DesiredStateDoc {
  _id: Types.ObjectId;
  accountId: Types.ObjectId;
  desired: DesiredTwoFactor;
  /** Accepted flips of the last 24 hours, oldest first (older ones are pruned on each flip). */
  flips: Date[];
  lastFlipAt: Date;
  /** Optimistic-concurrency counter: every accepted flip is `updateOne({ accountId, version })`. */
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** Schema of the `two_factor_desired_states` collection. */
export const desiredStateSchema = new Schema<DesiredStateDoc>(
  {
    accountId: { type: Schema.Types.ObjectId, required: true, ref: 'Account' },
    desired: { type: String, enum: ['on', 'off'], required: true },
    flips: { type: [Date], required: true, default: () => [] },
    lastFlipAt: { type: Date, required: true },
    version: { type: Number, required: true, min: 1 },
  },
  { collection: 'two_factor_desired_states', timestamps: true, strict: 'throw' },
);

// **MUST** stay unique: the first-request insert relies on it instead of a transaction.
desiredStateSchema.index({ accountId: 1 }, { unique: true });

/** The model bound to `connection`, compiled once per connection. */
export function desiredStateModel(connection: Connection): Model<DesiredStateDoc> {
  const name = 'TwoFactorDesiredState';
  return (
    (connection.models[name] as Model<DesiredStateDoc> | undefined) ??
    connection.model<DesiredStateDoc>(name, desiredStateSchema)
  );
}
