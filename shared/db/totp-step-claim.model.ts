/**
 * One row per TOTP time step submitted with a key: the replay guard across workers.
 *
 * Why a collection and not just `updateOne({ lastUsedStep: { $lt: step } })`: FerretDB 1.24
 * evaluates an update's filter and writes the result in two steps, so 10 concurrent
 * conditional updates of one document can all "succeed" (seen 9 rounds in 10 here). An insert
 * under a unique index is atomic on FerretDB and MongoDB alike, so the claim is the insert.
 */
import { Schema, type Types } from 'mongoose';

/** The stored shape of one claim. */
export interface TotpStepClaimDoc {
  _id: Types.ObjectId;
  /** The TwoFactorKey document the step was used with. */
  keyId: Types.ObjectId;
  step: number;
  at: Date;
}

/** Schema of the `totp_step_claims` collection. */
export const totpStepClaimSchema = new Schema<TotpStepClaimDoc>(
  {
    keyId: { type: Schema.Types.ObjectId, required: true, ref: 'TwoFactorKey' },
    step: { type: Number, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'totp_step_claims', strict: 'throw' },
);

// **MUST** stay unique: exactly one caller may use a given step of a given key.
totpStepClaimSchema.index({ keyId: 1, step: 1 }, { unique: true });
