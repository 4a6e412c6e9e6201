/** All repositories of one connection, for wiring a process or a test. */
import type { Connection } from 'mongoose';
import { createAccountRepo, type AccountRepo } from './account.repo';
import { createAuditRepo, type AuditRepo } from './audit.repo';
import { createLeaseRepo, type LeaseRepo } from './lease.repo';
import { createModels, ensureIndexes } from './models';
import { createOwnerSessionRepo, type OwnerSessionRepo } from './owner-session.repo';
import { createScreenSnapshotRepo, type ScreenSnapshotRepo } from './screen-snapshot.repo';
import { createTwoFactorKeyRepo, type TwoFactorKeyRepo } from './two-factor-key.repo';

/** The repositories, by collection. */
export interface Repositories {
  readonly accounts: AccountRepo;
  readonly twoFactorKeys: TwoFactorKeyRepo;
  readonly audit: AuditRepo;
  /** Per-account leases with fencing tokens. */
  readonly leases: LeaseRepo;
  /** Redacted snapshots of unknown screens, for operators. */
  readonly snapshots: ScreenSnapshotRepo;
  /** One-time owner-page links and their sessions. */
  readonly ownerSessions: OwnerSessionRepo;
}

/**
 * Binds the models to `connection` (default: mongoose's default connection), waits for the
 * collections and indexes (the unique indexes carry correctness, see two-factor-key.repo.ts),
 * and returns the repositories.
 */
export async function createRepositories(connection?: Connection): Promise<Repositories> {
  const models = createModels(connection);
  await ensureIndexes(models);
  return Object.freeze({
    accounts: createAccountRepo(models),
    twoFactorKeys: createTwoFactorKeyRepo(models),
    audit: createAuditRepo(models),
    leases: createLeaseRepo(models),
    snapshots: createScreenSnapshotRepo(models),
    ownerSessions: createOwnerSessionRepo(models),
  });
}
