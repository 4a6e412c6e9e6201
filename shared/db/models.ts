/**
 * Binds the schemas to a connection. Tests pass an isolated connection (random database);
 * processes use the default one from connect.ts.
 */
import mongoose, { type Connection, type Model } from 'mongoose';
import { accountSchema, type AccountDoc } from './account.model';
import { auditEventSchema, type AuditEventDoc } from './audit-event.model';
import { leaseSchema, type LeaseDoc } from './lease.model';
import { ownerSessionSchema, type OwnerSessionDoc } from './owner-session.model';
import { screenSnapshotSchema, type ScreenSnapshotDoc } from './screen-snapshot.model';
import { totpStepClaimSchema, type TotpStepClaimDoc } from './totp-step-claim.model';
import { twoFactorKeySchema, type TwoFactorKeyDoc } from './two-factor-key.model';

/** The models of one connection. Only repositories should use these. */
export interface Models {
  readonly connection: Connection;
  readonly Account: Model<AccountDoc>;
  readonly TwoFactorKey: Model<TwoFactorKeyDoc>;
  readonly AuditEvent: Model<AuditEventDoc>;
  readonly TotpStepClaim: Model<TotpStepClaimDoc>;
  readonly Lease: Model<LeaseDoc>;
  readonly ScreenSnapshot: Model<ScreenSnapshotDoc>;
  readonly OwnerSession: Model<OwnerSessionDoc>;
}

function bind<T>(connection: Connection, name: string, schema: mongoose.Schema<T>): Model<T> {
  // Re-binding the same connection returns the model compiled the first time (mongoose throws
  // OverwriteModelError on a second compile).
  return (connection.models[name] as Model<T> | undefined) ?? connection.model<T>(name, schema);
}

/** The models bound to `connection` (default: mongoose's default connection). */
export function createModels(connection: Connection = mongoose.connection): Models {
  return Object.freeze({
    connection,
    Account: bind(connection, 'Account', accountSchema),
    TwoFactorKey: bind(connection, 'TwoFactorKey', twoFactorKeySchema),
    AuditEvent: bind(connection, 'AuditEvent', auditEventSchema),
    TotpStepClaim: bind(connection, 'TotpStepClaim', totpStepClaimSchema),
    Lease: bind(connection, 'AccountLease', leaseSchema),
    ScreenSnapshot: bind(connection, 'ScreenSnapshot', screenSnapshotSchema),
    OwnerSession: bind(connection, 'OwnerSession', ownerSessionSchema),
  });
}

/**
 * Creates collections and indexes and waits for them. Call once at start-up (and in tests)
 * before relying on unique indexes: mongoose's autoIndex runs in the background otherwise.
 */
export async function ensureIndexes(models: Models): Promise<void> {
  await Promise.all([
    models.Account.init(),
    models.TwoFactorKey.init(),
    models.AuditEvent.init(),
    models.TotpStepClaim.init(),
    models.Lease.init(),
    models.ScreenSnapshot.init(),
    models.OwnerSession.init(),
  ]);
}
