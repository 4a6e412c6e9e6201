/**
 * Reading credentials from an `Authorization` header and comparing secrets in constant time
 * (SHA-256 digests of equal length through timingSafeEqual), for the API and the workers'
 * /metrics.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** The SHA-256 digest of a secret: equal-length input for timingSafeEqual. */
export const secretDigest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** `Authorization: Bearer <token>` → the token, or null. */
export function bearerOf(header: string | undefined): string | null {
  const m = /^Bearer ([^\s]+)$/i.exec(header ?? '');
  return m ? m[1]! : null;
}

/** The password of `Authorization: Basic …` (any user name), or null. */
export function basicPasswordOf(header: string | undefined): string | null {
  const m = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header ?? '');
  if (!m) return null;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : decoded.slice(colon + 1);
}

/** Constant-time check of a presented secret against one expected secret. */
export function sameSecret(presented: string | null, expected: string): boolean {
  return presented !== null && timingSafeEqual(secretDigest(presented), secretDigest(expected));
}

/** Constant-time digest equality, for checking one presented token against many. */
export function sameDigest(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
