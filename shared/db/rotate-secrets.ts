/**
 * Key rotation over the database: re-seals every stored value whose key version is not its
 * ring's current version.
 *
 * Resumable and idempotent by construction: each write is a compare-and-set on the exact old
 * sealed string, values already current are skipped without opening them, and the walk is a
 * plain `_id` cursor. A crash mid-run loses nothing; run it again and it finishes.
 *
 * FerretDB caveat: its conditional `updateOne` is not atomic (filter and write are two steps),
 * so there a worker saving new cookies at the same instant as the re-seal of the same field
 * could be overwritten by the re-sealed old value. On MongoDB the compare-and-set is atomic.
 * Rotate while workers are quiet when running on FerretDB.
 */
import { resealValue, type SecretPurpose, type Vault } from '../crypto';
import type { AccountRepo, AccountSealedField } from './account.repo';
import type { TwoFactorKeyRepo, TwoFactorKeySealedField } from './two-factor-key.repo';

/** Per-collection counts of sealed values (not documents). */
export interface RotationCounts {
  scanned: number;
  /** Re-sealed (or, in a dry run, would be). */
  resealed: number;
  current: number;
  /** Could not be opened (retired/unknown version, tampered, wrong binding, malformed). */
  failed: number;
  /** Changed by someone else between read and write; the new value is theirs to keep. */
  conflicts: number;
}

/** The outcome of a run. `failuresByCode` counts failed values by error code only. */
export interface RotationReport {
  readonly dryRun: boolean;
  readonly accounts: RotationCounts;
  readonly twoFactorKeys: RotationCounts;
  readonly failuresByCode: Record<string, number>;
}

/** Reported after every batch. */
export interface RotationProgress {
  readonly collection: 'accounts' | 'twoFactorKeys';
  readonly batch: number;
  readonly counts: Readonly<RotationCounts>;
}

/** Options of one run. */
export interface RotateOptions {
  /** Documents per batch; default 100 (small enough that one batch is quick to redo). */
  readonly batchSize?: number;
  /** Open and count, write nothing. */
  readonly dryRun?: boolean;
  /** Called after each batch; a throw stops the run (it can be re-run safely). */
  readonly onProgress?: (progress: RotationProgress) => void | Promise<void>;
  /** Stops between batches when aborted. */
  readonly signal?: AbortSignal;
}

/** The vault and the two repositories' scan / compare-and-set functions. */
export interface RotateDeps {
  readonly vault: Vault;
  readonly accounts: Pick<AccountRepo, 'scanSealed' | 'replaceSealed'>;
  readonly twoFactorKeys: Pick<TwoFactorKeyRepo, 'scanSealed' | 'replaceSealed'>;
}

/** Documents per batch: small enough that redoing one after a crash is quick. */
const DEFAULT_BATCH_SIZE = 100;

const ACCOUNT_FIELDS: ReadonlyArray<[AccountSealedField, SecretPurpose]> = [
  ['sealedPassword', 'password'],
  ['sealedCookies', 'cookies'],
  ['sealedProxyAuth', 'proxy_auth'],
  ['sealedEmailCode', 'email_code'],
];
const KEY_FIELDS: ReadonlyArray<[TwoFactorKeySealedField, SecretPurpose]> = [
  ['sealedKey', 'totp_key'],
  ['sealedRecoveryCodes', 'recovery_codes'],
];

const zero = (): RotationCounts => ({
  scanned: 0,
  resealed: 0,
  current: 0,
  failed: 0,
  conflicts: 0,
});

interface Row<F extends string> {
  readonly id: string;
  readonly accountId: string;
  readonly values: Readonly<Record<F, string | null>>;
}

/** Walks one collection in `_id` order and re-seals each field of each row. */
async function rotateCollection<F extends string>(
  collection: RotationProgress['collection'],
  fields: ReadonlyArray<[F, SecretPurpose]>,
  scan: (afterId: string | undefined, limit: number) => Promise<Row<F>[]>,
  replace: (id: string, field: F, expected: string, next: string) => Promise<boolean>,
  ctx: { vault: Vault; options: RotateOptions; failures: Record<string, number> },
): Promise<RotationCounts> {
  const counts = zero();
  const batchSize = ctx.options.batchSize ?? DEFAULT_BATCH_SIZE;
  let afterId: string | undefined;
  for (let batch = 1; ; batch++) {
    ctx.options.signal?.throwIfAborted();
    const rows = await scan(afterId, batchSize);
    if (rows.length === 0) break;
    for (const row of rows) {
      for (const [field, purpose] of fields) {
        const sealed = row.values[field];
        if (sealed === null) continue;
        counts.scanned++;
        const result = resealValue(ctx.vault, sealed, { accountId: row.accountId, purpose });
        if (result.status === 'current') {
          counts.current++;
        } else if (result.status === 'failed') {
          counts.failed++;
          ctx.failures[result.code] = (ctx.failures[result.code] ?? 0) + 1;
        } else if (ctx.options.dryRun || (await replace(row.id, field, sealed, result.sealed))) {
          counts.resealed++;
        } else {
          counts.conflicts++;
        }
      }
    }
    afterId = rows.at(-1)!.id;
    await ctx.options.onProgress?.({ collection, batch, counts: { ...counts } });
    if (rows.length < batchSize) break;
  }
  return counts;
}

/** Re-seals every account credential and two-factor key not under its ring's current version. */
export async function rotateSecrets(
  deps: RotateDeps,
  options: RotateOptions = {},
): Promise<RotationReport> {
  const failures: Record<string, number> = {};
  const ctx = { vault: deps.vault, options, failures };
  const accounts = await rotateCollection(
    'accounts',
    ACCOUNT_FIELDS,
    async (afterId, limit) =>
      (await deps.accounts.scanSealed({ afterId, limit })).map((r) => ({ ...r, accountId: r.id })),
    (id, field, expected, next) => deps.accounts.replaceSealed(id, field, expected, next),
    ctx,
  );
  const twoFactorKeys = await rotateCollection(
    'twoFactorKeys',
    KEY_FIELDS,
    (afterId, limit) => deps.twoFactorKeys.scanSealed({ afterId, limit }),
    (id, field, expected, next) => deps.twoFactorKeys.replaceSealed(id, field, expected, next),
    ctx,
  );
  return { dryRun: options.dryRun ?? false, accounts, twoFactorKeys, failuresByCode: failures };
}
