/**
 * The per-value step of key rotation, kept free of I/O so it can be unit tested. The database
 * walk that applies it lives in shared/db/rotate-secrets.ts.
 */
import { errorCodeOf } from '../errors';
import type { SecretBinding } from './purposes';
import type { Vault } from './vault';

/** What rotation decided for one value. `failed` carries the error code, never the value. */
export type ResealResult =
  | { readonly status: 'current' }
  | { readonly status: 'resealed'; readonly sealed: string }
  | { readonly status: 'failed'; readonly code: string };

/**
 * Re-seals `sealed` under its ring's current version when needed. A value already current is
 * reported without being opened (rotation stays cheap when re-run); any value that needs work
 * must open first, so a retired, unknown or tampered one is `failed`, not rewritten.
 */
export function resealValue(vault: Vault, sealed: string, binding: SecretBinding): ResealResult {
  try {
    if (!vault.needsReseal(sealed)) return { status: 'current' };
    return { status: 'resealed', sealed: vault.reseal(sealed, binding) };
  } catch (err) {
    return { status: 'failed', code: errorCodeOf(err) };
  }
}
