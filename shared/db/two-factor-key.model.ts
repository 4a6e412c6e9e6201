/**
 * The TwoFactorKey collection: append-only versions of an account's authenticator key. A new
 * enrollment adds a version; old versions are superseded or revoked, never overwritten.
 */
import { Schema, type Types } from 'mongoose';

/** Life cycle of a key version: pending → active → superseded, or revoked from any state. */
export const TWO_FACTOR_KEY_STATES = ['pending', 'active', 'superseded', 'revoked'] as const;
/** One of TWO_FACTOR_KEY_STATES. */
export type TwoFactorKeyState = (typeof TWO_FACTOR_KEY_STATES)[number];

/** Where a key came from: our own enrollment, or an owner's existing key imported. */
export const TWO_FACTOR_KEY_SOURCES = ['enrollment', 'import'] as const;
/** One of TWO_FACTOR_KEY_SOURCES. */
export type TwoFactorKeySource = (typeof TWO_FACTOR_KEY_SOURCES)[number];

/** The stored shape of one key version. */
export interface TwoFactorKeyDoc {
  _id: Types.ObjectId;
  accountId: Types.ObjectId;
  /** 1, 2, 3… per account; allocated by two-factor-key.repo.ts under a unique index. */
  version: number;
  state: TwoFactorKeyState;
  /** Sealed on the secret ring (purpose `totp_key`); null once revoked (material destroyed). */
  sealedKey: string | null;
  /** Sealed on the secret ring (purpose `recovery_codes`); null when none or revoked. */
  sealedRecoveryCodes: string | null;
  source: TwoFactorKeySource;
  /** The last TOTP time step submitted with this key (replay guard across workers). */
  lastUsedStep: number | null;
  createdAt: Date;
  activatedAt: Date | null;
  revokedAt: Date | null;
}

/** Schema of the `two_factor_keys` collection. */
export const twoFactorKeySchema = new Schema<TwoFactorKeyDoc>(
  {
    accountId: { type: Schema.Types.ObjectId, required: true, ref: 'Account' },
    version: { type: Number, required: true, min: 1 },
    state: { type: String, enum: TWO_FACTOR_KEY_STATES, required: true },
    sealedKey: { type: String, default: null, select: false },
    sealedRecoveryCodes: { type: String, default: null, select: false },
    source: { type: String, enum: TWO_FACTOR_KEY_SOURCES, required: true },
    lastUsedStep: { type: Number, default: null },
    activatedAt: { type: Date, default: null },
    revokedAt: { type: Date, default: null },
  },
  {
    collection: 'two_factor_keys',
    timestamps: { createdAt: true, updatedAt: false },
    strict: 'throw',
  },
);

// **MUST** stay unique: version allocation relies on it instead of a transaction.
twoFactorKeySchema.index({ accountId: 1, version: 1 }, { unique: true });
