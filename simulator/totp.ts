/**
 * RFC 4226 HOTP and RFC 6238 TOTP on node:crypto, written for the simulator alone: the site
 * stand-in must not share code with the product it tests (no otplib, no shared/totp).
 * @see RFC 4226 §5.3, RFC 6238 §4
 */
import { createHmac, randomBytes } from 'node:crypto';

/** HMAC algorithms RFC 6238 allows. */
export type TotpAlgorithm = 'sha1' | 'sha256' | 'sha512';

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Encodes bytes as RFC 4648 base32 without padding (the form authenticator apps show). */
export function base32Encode(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32_ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32_ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/**
 * Decodes base32, ignoring case, spaces, hyphens and `=` padding (how keys are displayed and
 * copied). Throws on any other character.
 */
export function base32Decode(text: string): Buffer {
  const clean = text.replace(/[\s=-]/g, '').toUpperCase();
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of clean) {
    const idx = BASE32_ALPHABET.indexOf(ch);
    if (idx < 0) throw new Error(`invalid base32 character ${JSON.stringify(ch)}`);
    value = ((value << 5) | idx) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** True when `text` is a base32 key of at least 80 bits (16 characters), spaces allowed. */
export function isBase32Key(text: string): boolean {
  const clean = text.replace(/\s/g, '').toUpperCase();
  return /^[A-Z2-7]{16,}=*$/.test(clean);
}

/** A fresh 160-bit key as 32 base32 characters (spec §4: "32 characters = 160 bits"). */
export function generateKey(): string {
  return base32Encode(randomBytes(20));
}

/**
 * HOTP value for one counter with dynamic truncation.
 * @see RFC 4226 §5.3
 */
export function hotp(
  key: Buffer,
  counter: number,
  digits = 6,
  algorithm: TotpAlgorithm = 'sha1',
): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(algorithm, key).update(msg).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary =
    ((mac[offset]! & 0x7f) << 24) |
    (mac[offset + 1]! << 16) |
    (mac[offset + 2]! << 8) |
    mac[offset + 3]!;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** TOTP parameters; the defaults are LinkedIn's (spec §4: SHA1, 6 digits, 30 s). */
export interface TotpOptions {
  readonly periodSec?: number;
  readonly digits?: number;
  readonly algorithm?: TotpAlgorithm;
}

/** The time step (T) that a Unix time in milliseconds falls in. @see RFC 6238 §4.2 */
export function timeStep(timeMs: number, periodSec = 30): number {
  return Math.floor(timeMs / 1000 / periodSec);
}

/** The TOTP code for a base32 key at a Unix time in milliseconds. */
export function totp(keyBase32: string, timeMs: number, options: TotpOptions = {}): string {
  return hotp(
    base32Decode(keyBase32),
    timeStep(timeMs, options.periodSec ?? 30),
    options.digits ?? 6,
    options.algorithm ?? 'sha1',
  );
}

/**
 * Finds the step within ±`window` of `timeMs` whose code equals `code`, checking the current
 * step first. Returns the matched step, or null. Comparison covers every candidate so timing
 * does not reveal which step matched.
 */
export function matchTotpStep(
  keyBase32: string,
  code: string,
  timeMs: number,
  window: number,
  options: TotpOptions = {},
): number | null {
  const digits = options.digits ?? 6;
  if (!new RegExp(`^\\d{${digits}}$`).test(code)) return null;
  const key = base32Decode(keyBase32);
  const current = timeStep(timeMs, options.periodSec ?? 30);
  let matched: number | null = null;
  for (const delta of [0, ...Array.from({ length: window }, (_, i) => [-(i + 1), i + 1]).flat()]) {
    const step = current + delta;
    if (step < 0) continue;
    if (hotp(key, step, digits, options.algorithm ?? 'sha1') === code && matched === null) {
      matched = step;
    }
  }
  return matched;
}
