/**
 * The Account collection. Sealed values (`sb1.…` strings from shared/crypto) are `select:
 * false`: a plain query never returns them, and account.repo.ts is the only module that asks.
 */
import { Schema, type Types } from 'mongoose';

/** Connection status shown to the owner. */
export const ACCOUNT_STATUSES = [
  'active',
  'incomplete',
  'disconnected',
  'checking',
  'needs_user_action',
  'restricted',
  'rate_limited',
] as const;
/** One of ACCOUNT_STATUSES. */
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

/** Where the authenticator-app 2FA of an account stands on the site. */
export const TWO_FACTOR_STATES = [
  'off',
  'enrolling',
  'awaiting_app_approval',
  'awaiting_email_code',
  'on',
  'disabling',
  'error',
] as const;
/** One of TWO_FACTOR_STATES. */
export type TwoFactorState = (typeof TWO_FACTOR_STATES)[number];

/** The sentence shown for each status when the caller gives none. */
export const DEFAULT_STATUS_MESSAGES: Readonly<Record<AccountStatus, string>> = {
  active: 'The account is connected.',
  incomplete: 'Add a password or session cookies so the account can sign in.',
  disconnected: 'The account is signed out; it will be reconnected on the next check.',
  checking: 'The connection is being checked.',
  needs_user_action: 'The owner must act on LinkedIn before the account can reconnect.',
  restricted: 'LinkedIn has restricted this account.',
  rate_limited: 'LinkedIn asked us to slow down; the next check is delayed.',
};

/** The two-factor sub-document. */
export interface TwoFactorDoc {
  state: TwoFactorState;
  reason: string | null;
  message: string | null;
  /** The owner has their own copy of the key (scanned the QR or stored the setup key). */
  ownerHasCopy: boolean;
  updatedAt: Date;
}

/** The stored shape of an account. */
export interface AccountDoc {
  _id: Types.ObjectId;
  tenantId: string;
  externalId: string;
  email: string | null;
  status: AccountStatus;
  statusReason: string | null;
  statusMessage: string;
  /** Credential-free proxy URL (`scheme://host:port`); see proxy.ts. */
  proxyUrl: string | null;
  /** Proxy `user:pass`, sealed on the credential ring (purpose `proxy_auth`). */
  sealedProxyAuth: string | null;
  /** Sealed on the credential ring (purpose `password`). */
  sealedPassword: string | null;
  /** Sealed on the credential ring (purpose `cookies`). */
  sealedCookies: string | null;
  /**
   * An emailed LinkedIn verification code the owner submitted, sealed on the credential ring
   * (purpose `email_code`) until a worker takes it to type it.
   */
  sealedEmailCode: string | null;
  /** When the owner submitted `sealedEmailCode`; null when none is waiting. */
  emailCodeAt: Date | null;
  twoFactor: TwoFactorDoc;
  lastCheckAt: Date | null;
  lastChallengeAt: Date | null;
  lastFailureAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const nullableString = { type: String, default: null } as const;
const sealed = { type: String, default: null, select: false } as const;
const nullableDate = { type: Date, default: null } as const;

const twoFactorSchema = new Schema<TwoFactorDoc>(
  {
    state: { type: String, enum: TWO_FACTOR_STATES, required: true, default: 'off' },
    reason: nullableString,
    message: nullableString,
    ownerHasCopy: { type: Boolean, required: true, default: false },
    updatedAt: { type: Date, required: true, default: () => new Date() },
  },
  { _id: false },
);

/** Schema of the `accounts` collection. */
export const accountSchema = new Schema<AccountDoc>(
  {
    tenantId: { type: String, required: true, trim: true, minlength: 1, maxlength: 100 },
    externalId: { type: String, required: true, trim: true, minlength: 1, maxlength: 200 },
    email: { type: String, default: null, trim: true, lowercase: true, maxlength: 320 },
    status: { type: String, enum: ACCOUNT_STATUSES, required: true },
    statusReason: nullableString,
    statusMessage: { type: String, required: true },
    proxyUrl: nullableString,
    sealedProxyAuth: sealed,
    sealedPassword: sealed,
    sealedCookies: sealed,
    sealedEmailCode: sealed,
    emailCodeAt: nullableDate,
    twoFactor: { type: twoFactorSchema, required: true, default: () => ({}) },
    lastCheckAt: nullableDate,
    lastChallengeAt: nullableDate,
    lastFailureAt: nullableDate,
  },
  { collection: 'accounts', timestamps: true, strict: 'throw' },
);

// One account per (tenant, external id): the caller's own id is how it finds its account again.
accountSchema.index({ tenantId: 1, externalId: 1 }, { unique: true });
