/**
 * The AuditEvent collection: append-only. The schema refuses updates and deletes, so even a
 * careless caller cannot rewrite history through mongoose.
 */
import { Schema, type MongooseQueryMiddleware, type Types } from 'mongoose';

/** A detail value: small, flat and non-secret (checked by audit-guard.ts). */
export type AuditDetailValue = string | number | boolean | null;

/** The stored shape of one audit event. */
export interface AuditEventDoc {
  _id: Types.ObjectId;
  tenantId: string;
  accountId: Types.ObjectId | null;
  /** Who acted: `worker:enrollment`, `cli`, `api:<tokenName>`. */
  actor: string;
  /** What happened: `key.sealed`, `key.used`, `key.revealed`, `account.created`. */
  action: string;
  at: Date;
  jobId: string | null;
  details: Record<string, AuditDetailValue>;
}

/** Schema of the `audit_events` collection. */
export const auditEventSchema = new Schema<AuditEventDoc>(
  {
    tenantId: { type: String, required: true },
    accountId: { type: Schema.Types.ObjectId, default: null, ref: 'Account' },
    actor: { type: String, required: true },
    action: { type: String, required: true },
    at: { type: Date, required: true },
    jobId: { type: String, default: null },
    details: { type: Schema.Types.Mixed, default: () => ({}) },
  },
  { collection: 'audit_events', strict: 'throw', minimize: false },
);

// Newest-first paging per account; `_id` breaks ties between events in the same millisecond.
auditEventSchema.index({ accountId: 1, at: -1, _id: -1 });
auditEventSchema.index({ tenantId: 1, at: -1 });

const REWRITES: MongooseQueryMiddleware[] = [
  'updateOne',
  'updateMany',
  'findOneAndUpdate',
  'findOneAndReplace',
  'findOneAndDelete',
  'replaceOne',
  'deleteOne',
  'deleteMany',
];

auditEventSchema.pre(REWRITES, function refuseRewrite() {
  throw new Error('audit events are append-only');
});
