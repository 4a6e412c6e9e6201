/** The simulator's in-memory records: accounts, sessions, challenges, setup flows, mail. */
import type { KEY_FORMATS, VARIANTS } from './settings';

/** Login UI generation. */
export type Variant = (typeof VARIANTS)[number];
/** How the setup key text is displayed. */
export type KeyFormat = (typeof KEY_FORMATS)[number];
/** The active 2FA method (spec §3.1: only one at a time). */
export type TwoFactorMethod = 'authenticator' | 'sms';
/** Risk-based identity check before a 2FA settings change (spec §3.2 step 2). */
export type IdentityCheck = 'none' | 'email_pin' | 'app_approval';
/** The checkpoint a login meets after the password (spec §2). */
export type LoginChallenge =
  'none' | 'email_pin' | 'app_approval' | 'captcha' | 'phone_register' | 'restricted';
/** A post-login interstitial (spec §2.7). */
export type Interstitial = 'none' | 'add_phone' | 'manage_account';
/** Restriction kind for `loginChallenge: "restricted"` (spec §2.8). */
export type Restriction = 'temporary' | 'permanent';

/** One in-app approval request (login checkpoint or settings identity check). */
export interface Approval {
  readonly id: string;
  state: 'pending' | 'approved' | 'denied';
  readonly expiresAt: number;
}

/** A one-time code sent by mail or SMS. */
export interface SentCode {
  readonly value: string;
  readonly expiresAt: number;
}

/** Per-account counters exposed by GET /__sim/accounts/:email. */
export interface Counters {
  codesAccepted: number;
  /** Every rejected code, replays included. */
  codesRejected: number;
  codesReplayed: number;
  logins: number;
}

/** A member account. */
export interface Account {
  readonly email: string;
  password: string;
  twoFactor: { enabled: boolean; method: TwoFactorMethod; key: string | null };
  recoveryCodes: string[];
  recoveryCodesEnabled: boolean;
  phone: string | null;
  identityCheck: IdentityCheck;
  loginChallenge: LoginChallenge;
  restriction: Restriction;
  interstitial: Interstitial;
  variant: Variant | undefined;
  keyFormat: KeyFormat | undefined;
  qr: boolean | undefined;
  showKeyText: boolean | undefined;
  /** TOTP steps already accepted (replay protection), pruned as time passes. */
  readonly usedSteps: Set<number>;
  /** li_at tokens of this account's sessions. */
  readonly sessions: Set<string>;
  /** bcookie → time until which that browser skips 2FA. */
  readonly recognized: Map<string, number>;
  approval: Approval | null;
  captchaPending: boolean;
  lockedUntil: number;
  readonly counters: Counters;
}

/** A signed-in browser session (the li_at cookie). */
export interface Session {
  readonly id: string;
  readonly token: string;
  readonly email: string;
  readonly bcookie: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  revoked: boolean;
}

/** One checkpoint step of a login. */
export type ChallengeStep =
  | 'captcha'
  | 'email_pin'
  | 'phone_register'
  | 'phone_verify'
  | 'restricted'
  | 'app'
  | 'totp'
  | 'sms';

/** A login between a correct password and a session. */
export interface Challenge {
  readonly id: string;
  readonly ut: string;
  readonly email: string;
  readonly bcookie: string;
  readonly remember: boolean;
  readonly sessionRedirect: string | null;
  steps: ChallengeStep[];
  attempts: number;
  /** Codes currently valid for this step (one, unless resends keep older codes alive). */
  codes: SentCode[];
  approval: Approval | null;
  captchaSolved: boolean;
  recognizedDevice: boolean;
  /** Set once every step is passed; the complete hop then issues the session. */
  completeAt: number | null;
}

/** Where a settings 2FA change stands, per session. */
export type SetupStage =
  | 'identity_pin'
  | 'identity_app'
  | 'method'
  | 'password'
  | 'phone'
  | 'qr'
  | 'code'
  | 'disable_password'
  | 'disable_code';

/** A 2FA setup or disable flow in progress; discarded when abandoned. */
export interface SetupFlow {
  readonly purpose: 'enable' | 'disable';
  stage: SetupStage;
  method: TwoFactorMethod;
  identityDone: boolean;
  key: string | null;
  codes: SentCode[];
  approval: Approval | null;
}

/** A mail or SMS in the outbox. */
export interface OutboxMessage {
  readonly id: number;
  readonly to: string;
  readonly channel: 'email' | 'sms';
  readonly from: string;
  readonly subject: string;
  readonly body: string;
  readonly code: string | null;
  readonly sentAt: string;
}
