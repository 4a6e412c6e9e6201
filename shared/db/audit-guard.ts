/**
 * Keeps secrets out of the audit trail. Details must be a small flat object of primitives; a
 * key that names a secret, or a value shaped like one, is refused before anything is written.
 * Refusal messages name the offending key, never the value.
 */
import type { AuditDetailValue } from './audit-event.model';
import { AuditDetailsRefusedError } from './errors';

/** Words that make a detail key look secret, matched per camelCase / snake_case word. */
const SECRET_WORDS = new Set([
  'password',
  'passwd',
  'pass',
  'key',
  'code',
  'codes',
  'cookie',
  'cookies',
  'secret',
  'token',
  'pin',
  'otp',
  'seed',
  'sealed',
  'auth',
  'authorization',
]);

/** Metadata keys that contain a secret word but hold no secret (a version number, an error code). */
const SAFE_KEYS = new Set(['keyVersion', 'errorCode', 'reasonCode', 'statusCode']);

/** 20 keys and 200 characters per string: room for ids, counts and reasons, not for payloads. */
const MAX_KEYS = 20;
const MAX_STRING = 200;

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

/** Whether a detail key names something secret. Exported for tests. */
export function isSecretLookingKey(key: string): boolean {
  return !SAFE_KEYS.has(key) && wordsOf(key).some((w) => SECRET_WORDS.has(w));
}

/** What secret a string value looks like, or null. Exported for tests. */
export function secretShapeOf(value: string): string | null {
  const trimmed = value.trim();
  for (const [pattern, name] of VALUE_SHAPES) if (pattern.test(trimmed)) return name;
  return null;
}

/** Validates details and returns a plain copy, or throws AuditDetailsRefusedError. */
export function assertSafeAuditDetails(details: unknown): Record<string, AuditDetailValue> {
  if (details === undefined) return {};
  if (typeof details !== 'object' || details === null || Array.isArray(details)) {
    throw new AuditDetailsRefusedError('audit details must be a plain object');
  }
  const entries = Object.entries(details);
  if (entries.length > MAX_KEYS) {
    throw new AuditDetailsRefusedError(
      `audit details have ${entries.length} keys, max ${MAX_KEYS}`,
    );
  }
  const out: Record<string, AuditDetailValue> = {};
  for (const [key, value] of entries) {
    if (isSecretLookingKey(key)) {
      throw new AuditDetailsRefusedError(`audit detail "${key}" is named like a secret`);
    }
    if (typeof value === 'string') {
      if (value.length > MAX_STRING) {
        throw new AuditDetailsRefusedError(`audit detail "${key}" is longer than ${MAX_STRING}`);
      }
      const shape = secretShapeOf(value);
      if (shape) throw new AuditDetailsRefusedError(`audit detail "${key}" looks like ${shape}`);
    } else if (!(
      value === null ||
      typeof value === 'boolean' ||
      (typeof value === 'number' && Number.isFinite(value))
    )) {
      throw new AuditDetailsRefusedError(
        `audit detail "${key}" must be a string, finite number, boolean or null`,
      );
    }
    out[key] = value as AuditDetailValue;
  }
  return out;
}
