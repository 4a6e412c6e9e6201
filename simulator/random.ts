/**
 * Randomness. Faults and delays draw from {@link createRng} (seedable, so a test can replay a
 * run); tokens, keys and codes always come from node:crypto.
 */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';

/** A function returning uniform numbers in [0, 1). */
export type Rng = () => number;

/** mulberry32 when seeded (deterministic), Math.random otherwise. */
export function createRng(seed?: number): Rng {
  if (seed === undefined) return Math.random;
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** URL-safe random text of `bytes` random bytes. */
export function token(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

/** A string of `length` random decimal digits (leading zeros allowed). */
export function digits(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += String(randomInt(10));
  return out;
}

/** `"ajax:<19 digits>"`, the JSESSIONID / csrfToken shape of spec §1.6 (quotes included). */
export function jsessionId(): string {
  return `"ajax:${String(randomInt(1, 10)) + digits(18)}"`;
}

/** `li_at`-shaped token: `AQEDA` + base64url, about 150 characters (spec §1.6). */
export function liAtToken(): string {
  return `AQEDA${token(108)}`;
}

/** `li_rm`-shaped token: `AQH` + base64url (spec §1.6). */
export function liRmToken(): string {
  return `AQH${token(72)}`;
}

/** `bcookie` value `"v=2&<uuid>"` (spec §1.6). */
export function bcookieValue(): string {
  return `"v=2&${randomUUID()}"`;
}
