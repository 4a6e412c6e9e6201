/**
 * What a sealed value is for, and which ring seals it. The purpose is part of every value's
 * binding, so a password can never be opened as a TOTP key even by a caller holding both rings.
 */
import type { RingName } from './key-ring';

/**
 * Every purpose the vault seals.
 * - `totp_key`, `recovery_codes`: second-factor material, SECRET ring.
 * - `password`, `cookies`, `proxy_auth` (the `user:pass` of an account's proxy URL): first-factor
 *   material and credentials, CREDENTIAL ring.
 * - `email_code`: an emailed LinkedIn verification code the owner submitted, kept sealed until a
 *   worker types it; it proves the owner's mailbox, so it is a credential, CREDENTIAL ring.
 */
export const SECRET_PURPOSES = [
  'totp_key',
  'recovery_codes',
  'password',
  'cookies',
  'proxy_auth',
  'email_code',
] as const;

/** One of SECRET_PURPOSES. */
export type SecretPurpose = (typeof SECRET_PURPOSES)[number];

/**
 * The ring each purpose is sealed under. **Invariant:** the second factor (TOTP key, recovery
 * codes) and the first factor (password, cookies) live on different rings, so one leaked ring
 * never yields both.
 */
export const PURPOSE_RING: Readonly<Record<SecretPurpose, RingName>> = Object.freeze({
  totp_key: 'secret',
  recovery_codes: 'secret',
  password: 'credential',
  cookies: 'credential',
  proxy_auth: 'credential',
  email_code: 'credential',
});

/** What a sealed value is bound to. Opening with any other binding fails. */
export interface SecretBinding {
  /** The account's id (Account `_id` as a hex string). */
  readonly accountId: string;
  readonly purpose: SecretPurpose;
}

/** Type guard for untrusted purpose strings. */
export function isSecretPurpose(value: unknown): value is SecretPurpose {
  return typeof value === 'string' && (SECRET_PURPOSES as readonly string[]).includes(value);
}
