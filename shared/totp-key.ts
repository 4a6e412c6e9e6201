/**
 * TOTP keys: parsing what owners and the site hand us (base32 in its many spellings, or an
 * otpauth:// URI) into one canonical, validated form. Split from totp.ts to keep both small.
 *
 * @see RFC 4648 §6 (base32), RFC 4226 §4 (key length), Google's Key URI format (otpauth://).
 */
import { ScureBase32Plugin, type HashAlgorithm } from 'otplib';
import { ValidationError } from './errors';

/** Hash behind the HMAC (RFC 6238 §1.2 allows SHA-1, SHA-256 and SHA-512). */
export type TotpAlgorithm = HashAlgorithm;

/** A validated key and its parameters. `secret` is canonical: uppercase base32, no padding. */
export interface TotpKey {
  readonly secret: string;
  readonly algorithm: TotpAlgorithm;
  /** 6 to 8 (RFC 4226 §5.3 requires at least 6; 8 is what RFC 6238 Appendix B uses). */
  readonly digits: number;
  /** Step length in seconds (RFC 6238 §4.1 "X", default 30). */
  readonly period: number;
  readonly label?: string;
  readonly issuer?: string;
}

/** A key as accepted by the generators: raw text (base32 or otpauth URI) or a normalised key. */
export type TotpKeyInput = string | TotpKey;

/**
 * Shortest key accepted: 80 bits = 16 base32 characters. RFC 4226 §4 R6 asks for 128 and
 * recommends 160, but LinkedIn issues 80-bit keys.
 */
export const MIN_KEY_BITS = 80;
/** otplib's ceiling (64 bytes), enough for the SHA-512 seed of RFC 6238 Appendix B. */
const MAX_KEY_BYTES = 64;
const DEFAULTS = { algorithm: 'sha1', digits: 6, period: 30 } as const;

const base32 = new ScureBase32Plugin();

/** Encodes bytes as uppercase base32 without padding (RFC 4648 §6). */
export function encodeBase32(bytes: Uint8Array): string {
  return base32.encode(bytes, { padding: false });
}

function checkParams(p: { algorithm: string; digits: number; period: number }): void {
  if (!['sha1', 'sha256', 'sha512'].includes(p.algorithm)) {
    throw new ValidationError(
      `TOTP algorithm must be SHA1, SHA256 or SHA512, got "${p.algorithm}"`,
      'algorithm',
    );
  }
  if (!Number.isInteger(p.digits) || p.digits < 6 || p.digits > 8) {
    throw new ValidationError(`TOTP digits must be 6, 7 or 8, got ${p.digits}`, 'digits');
  }
  // Below 10 s no code could keep the 5-second floor; above 5 minutes is no authenticator's.
  if (!Number.isInteger(p.period) || p.period < 10 || p.period > 300) {
    throw new ValidationError(
      `TOTP period must be whole seconds from 10 to 300, got ${p.period}`,
      'period',
    );
  }
}

/** Validates base32 text and returns it canonical. Messages describe the input, never echo it. */
function canonicalSecret(raw: string): string {
  const compact = raw.replace(/[\s-]/g, '').toUpperCase().replace(/=+$/, '');
  if (compact.length === 0) {
    throw new ValidationError('expected a base32 TOTP key (A–Z, 2–7), got an empty value', 'key');
  }
  const bad = compact.replace(/[A-Z2-7]/g, '');
  if (bad.length > 0) {
    // Count the offenders and name the kind; the characters themselves are part of the key.
    const kinds = [
      /[^=]/.test(bad) ? `${bad.replace(/=/g, '').length} non-base32 character(s)` : '',
      bad.includes('=') ? "'=' before the end" : '',
    ].filter(Boolean);
    throw new ValidationError(
      `expected a base32 TOTP key (A–Z, 2–7, optional spaces, hyphens and trailing '='), ` +
        `got ${compact.length} characters including ${kinds.join(' and ')}`,
      'key',
    );
  }
  const bits = compact.length * 5;
  if (bits < MIN_KEY_BITS) {
    throw new ValidationError(
      `expected a TOTP key of at least ${MIN_KEY_BITS / 5} base32 characters (${MIN_KEY_BITS} bits), ` +
        `got ${compact.length}`,
      'key',
    );
  }
  // RFC 4648 §6: the last quantum holds 8, 16, 24 or 32 bits, i.e. 2, 4, 5 or 7 characters.
  if ([1, 3, 6].includes(compact.length % 8) || Math.floor(bits / 8) > MAX_KEY_BYTES) {
    throw new ValidationError(
      `expected a base32 TOTP key of a valid length (at most ${MAX_KEY_BYTES} bytes), ` +
        `got ${compact.length} characters`,
      'key',
    );
  }
  try {
    base32.decode(compact);
  } catch {
    throw new ValidationError(
      `expected a base32 TOTP key, got ${compact.length} characters that do not decode ` +
        '(the unused bits of the last character must be zero)',
      'key',
    );
  }
  return compact;
}

function parseOtpauthUri(input: string, defaults: Partial<TotpKey>): TotpKey {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new ValidationError('expected an otpauth://totp/... URI, got an unparsable URI', 'key');
  }
  const type = url.host.toLowerCase();
  if (type !== 'totp') {
    throw new ValidationError(
      `expected an otpauth://totp/ URI, got type "${type.slice(0, 10) || '(none)'}"`,
      'key',
    );
  }
  const q = url.searchParams;
  const secret = q.get('secret');
  if (!secret) throw new ValidationError('otpauth URI has no secret= parameter', 'key');
  // Key URI format: the path is "/Issuer:account" or "/account", percent-encoded.
  let path: string;
  try {
    path = decodeURIComponent(url.pathname.replace(/^\//, ''));
  } catch {
    throw new ValidationError('otpauth URI label is not valid percent-encoding', 'key');
  }
  const colon = path.indexOf(':');
  const label = (colon >= 0 ? path.slice(colon + 1) : path).trim() || undefined;
  const issuer = q.get('issuer') ?? (colon >= 0 ? path.slice(0, colon).trim() : undefined);
  const algorithm = (q.get('algorithm') ?? defaults.algorithm ?? DEFAULTS.algorithm).toLowerCase();
  const digits = Number(q.get('digits') ?? defaults.digits ?? DEFAULTS.digits);
  const period = Number(q.get('period') ?? defaults.period ?? DEFAULTS.period);
  checkParams({ algorithm, digits, period });
  return Object.freeze({
    secret: canonicalSecret(secret),
    algorithm: algorithm as TotpAlgorithm,
    digits,
    period,
    ...(label ? { label } : {}),
    ...(issuer ? { issuer } : {}),
  });
}

/**
 * Turns what an owner or the site gave us into a {@link TotpKey}: base32 with spaces, hyphens,
 * lowercase and optional `=` padding, or an `otpauth://totp/...?secret=...` URI (whose
 * algorithm, digits and period win over `defaults`). Throws ValidationError otherwise; the
 * message says what was expected and what arrived, never the key.
 */
export function normalizeKey(input: string, defaults: Partial<TotpKey> = {}): TotpKey {
  if (typeof input !== 'string') {
    throw new ValidationError(`expected a TOTP key as text, got ${typeof input}`, 'key');
  }
  if (/^\s*otpauth:/i.test(input)) return parseOtpauthUri(input, defaults);
  const p = {
    algorithm: defaults.algorithm ?? DEFAULTS.algorithm,
    digits: defaults.digits ?? DEFAULTS.digits,
    period: defaults.period ?? DEFAULTS.period,
  };
  checkParams(p);
  return Object.freeze({
    secret: canonicalSecret(input),
    ...p,
    ...(defaults.label ? { label: defaults.label } : {}),
    ...(defaults.issuer ? { issuer: defaults.issuer } : {}),
  });
}

/** Normalises a {@link TotpKeyInput}; an already normalised key is re-validated (cheap). */
export const toTotpKey = (key: TotpKeyInput): TotpKey =>
  typeof key === 'string' ? normalizeKey(key) : normalizeKey(key.secret, key);
