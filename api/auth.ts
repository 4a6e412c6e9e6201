/**
 * Who is calling: bearer tokens from API_TOKENS, each bound to one tenant, and the operator
 * token for Bull Board and /metrics. Tokens are compared in constant time: every configured
 * token is checked (SHA-256 digests of equal length through timingSafeEqual), so neither the
 * position of a match nor a common prefix shows in the timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Config } from '../shared/config';

/** The caller of a tenant route: the token's name (for the audit trail) and its tenant. */
export interface Caller {
  readonly name: string;
  readonly tenant: string;
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** `Authorization: Bearer <token>` → the token, or null. */
export function bearerOf(header: string | undefined): string | null {
  const m = /^Bearer ([^\s]+)$/i.exec(header ?? '');
  return m ? m[1]! : null;
}

/** Resolves bearer tokens to callers; null for a missing or unknown token. */
export function createTokenAuth(tokens: Config['api']['tokens']) {
  const known = tokens.map((t) => ({
    caller: { name: t.name, tenant: t.tenant },
    d: digest(t.token),
  }));
  return (presented: string | null): Caller | null => {
    if (presented === null) return null;
    const d = digest(presented);
    let found: Caller | null = null;
    for (const k of known) {
      // No early exit: the work is the same whichever token (if any) matches.
      if (timingSafeEqual(k.d, d) && found === null) found = k.caller;
    }
    return found;
  };
}

/** Constant-time check of a presented secret against one expected secret. */
export function sameSecret(presented: string | null, expected: string): boolean {
  return presented !== null && timingSafeEqual(digest(presented), digest(expected));
}

/** The password of `Authorization: Basic …` (any user name), or null. */
export function basicPasswordOf(header: string | undefined): string | null {
  const m = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header ?? '');
  if (!m) return null;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : decoded.slice(colon + 1);
}
