/**
 * What a secret looks like, in one place: the job-payload guard (queues/jobs.ts) and the audit
 * guard (shared/db/audit-guard.ts) both refuse keys named like a secret and strings shaped like
 * one. Answers name the shape, never the value.
 */

/** Words that make a key look like it carries a secret, matched per camelCase / snake_case word. */
const SECRET_WORDS = new Set([
  'password',
  'passwd',
  'pass',
  'secret',
  'key',
  'code',
  'codes',
  'otp',
  'pin',
  'token',
  'cookie',
  'cookies',
  'sealed',
  'uri',
  'seed',
  'auth',
  'authorization',
]);

/** Metadata keys that contain a secret word but hold no secret (a version number, an error code). */
const SAFE_KEYS = new Set(['keyVersion', 'errorCode', 'reasonCode', 'statusCode']);

const VALUE_SHAPES: ReadonlyArray<[RegExp, string]> = [
  // A TOTP code: 6 digits (LinkedIn's), possibly written "123 456"; 8 for other issuers.
  [/^\d{3} ?\d{3}$|^\d{8}$/, 'a one-time code'],
  // An uppercase base32 key of at least 16 characters (80 bits), possibly in groups of 4.
  [/^[A-Z2-7]{16,}=*$|^[A-Z2-7]{4}(?: [A-Z2-7]{4}){3,}(?: [A-Z2-7]{1,4})?$/, 'a base32 key'],
  // A lowercase base32 key: required to contain a digit so plain long words are not refused.
  [/^(?=.*[2-7])[a-z2-7]{16,}=*$/, 'a base32 key'],
  [/^otpauth:/i, 'an otpauth URI'],
  [/^sb\d+\./, 'a sealed value'],
];

function wordsOf(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** Whether a key names something secret (`password`, `totpKey`, `session_cookie`, …). */
export function isSecretLookingKey(key: string): boolean {
  return !SAFE_KEYS.has(key) && wordsOf(key).some((w) => SECRET_WORDS.has(w));
}

/** What secret a string looks like (`a one-time code`, `a base32 key`, …), or null. */
export function secretShapeOf(value: string): string | null {
  const trimmed = value.trim();
  for (const [pattern, name] of VALUE_SHAPES) if (pattern.test(trimmed)) return name;
  return null;
}
