/**
 * Who is calling: bearer tokens from API_TOKENS, each bound to one tenant, and the operator
 * token for Bull Board and /metrics. Tokens are compared in constant time: every configured
 * token is checked (SHA-256 digests of equal length through timingSafeEqual), so neither the
 * position of a match nor a common prefix shows in the timing.
 */
import type { Config } from '../shared/config';
import { sameDigest, secretDigest } from '../shared/http-auth';

export { basicPasswordOf, bearerOf, sameSecret } from '../shared/http-auth';

/** The caller of a tenant route: the token's name (for the audit trail) and its tenant. */
export interface Caller {
  readonly name: string;
  readonly tenant: string;
}

/** Resolves bearer tokens to callers; null for a missing or unknown token. */
export function createTokenAuth(tokens: Config['api']['tokens']) {
  const known = tokens.map((t) => ({
    caller: { name: t.name, tenant: t.tenant },
    d: secretDigest(t.token),
  }));
  return (presented: string | null): Caller | null => {
    if (presented === null) return null;
    const d = secretDigest(presented);
    let found: Caller | null = null;
    for (const k of known) {
      // No early exit: the work is the same whichever token (if any) matches.
      if (sameDigest(k.d, d) && found === null) found = k.caller;
    }
    return found;
  };
}
