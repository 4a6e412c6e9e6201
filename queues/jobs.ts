/**
 * Job payload contracts. Payloads carry **ids only**: Bull Board shows job data to anyone who
 * can open it, so keys, codes, passwords and cookies never enter Redis. Every payload is
 * versioned (`v`) and validated at both ends (producer.ts before `queue.add`, workers/runtime.ts
 * before the handler), because jobs already queued outlive the code that wrote them.
 */
import { z } from 'zod';
import { isSecretLookingKey, secretShapeOf } from '../shared/secret-shapes';
import { JobName } from './names';

/** Our internal account id: a MongoDB ObjectId as 24 lowercase or uppercase hex digits. */
const ObjectIdHex = z.string().regex(/^[0-9a-f]{24}$/i, 'must be a 24-character hex id');

/** A caller's correlation id (UUID, ULID, `cli-…`): 1–100 URL-safe characters. */
const RequestId = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9._-]+$/, 'must be URL-safe characters only');

/** Why a job was enqueued; shown in Bull Board and logs. */
export const JobReason = z.enum([
  'owner_request',
  'desired_changed',
  'operator_retry',
  'scheduled',
  'session_lost',
]);
/** A job reason. */
export type JobReason = z.infer<typeof JobReason>;

/**
 * Why `data` looks like it carries a secret (a key named like one, or a string shaped like a
 * code, base32 key, otpauth URI or sealed value), or null. Names the key, never the value.
 */
export function secretLookingReason(data: unknown): string | null {
  if (typeof data !== 'object' || data === null) return null;
  for (const [key, value] of Object.entries(data)) {
    if (isSecretLookingKey(key)) return `key "${key}" is named like a secret`;
    const shape = typeof value === 'string' ? secretShapeOf(value) : null;
    if (shape) return `key "${key}" holds what looks like ${shape}`;
    const nested = secretLookingReason(value);
    if (nested) return `${key}: ${nested}`;
  }
  return null;
}

/**
 * Wraps a strict object schema with the secret guard, which runs first so a payload carrying
 * `password` is refused as secret-looking rather than merely as an unknown key.
 */
function guarded<T extends z.ZodObject>(schema: T) {
  return z.preprocess((data, ctx) => {
    const reason = secretLookingReason(data);
    if (reason) ctx.addIssue({ code: 'custom', message: `secret-looking payload: ${reason}` });
    return data;
  }, schema);
}

/** The fields every v1 payload has: ids only. */
const accountJobV1 = {
  v: z.literal(1),
  accountId: ObjectIdHex,
  requestId: RequestId,
  reason: JobReason.optional(),
};

/** v1 of `reconcile-2fa`. The desired state is read from Mongo at run time, never carried here. */
export const Reconcile2faPayload = guarded(z.strictObject(accountJobV1));
/** v1 of `verify-imported-key`: the worker verifies the account's newest pending imported key. */
export const VerifyImportedKeyPayload = guarded(z.strictObject(accountJobV1));
/** v1 of `session-check`. */
export const SessionCheckPayload = guarded(z.strictObject(accountJobV1));
/** v1 of `deliver-webhook`: `eventId` is the AuditEvent to deliver. */
export const DeliverWebhookPayload = guarded(
  z.strictObject({ ...accountJobV1, eventId: ObjectIdHex }),
);

/** Job name → payload schema. Exhaustive: a JobName without a schema does not compile. */
export const payloadSchemas = {
  [JobName.Reconcile2fa]: Reconcile2faPayload,
  [JobName.VerifyImportedKey]: VerifyImportedKeyPayload,
  [JobName.SessionCheck]: SessionCheckPayload,
  [JobName.DeliverWebhook]: DeliverWebhookPayload,
} satisfies Record<JobName, z.ZodType>;

/** The validated payload of job `N` (immich's `JobOf<>`). */
export type JobOf<N extends JobName> = z.output<(typeof payloadSchemas)[N]>;

/**
 * What a handler returns; stored by BullMQ and shown in Bull Board, so secret-free.
 * `followUpJobId` names the job that carries on when the desired state changed while this one
 * ran (see producer.ts `requeueIfDesiredChanged`); `waitForOutcome` follows it.
 */
export type Outcome =
  | { status: 'done'; detail?: string; desired?: 'on' | 'off'; followUpJobId?: string }
  | { status: 'skipped'; reason: string; desired?: 'on' | 'off'; followUpJobId?: string };

/** Parses a stored return value back into an Outcome (they come back from Redis untyped). */
export const OutcomeSchema: z.ZodType<Outcome> = z.union([
  z.object({
    status: z.literal('done'),
    detail: z.string().optional(),
    desired: z.enum(['on', 'off']).optional(),
    followUpJobId: z.string().optional(),
  }),
  z.object({
    status: z.literal('skipped'),
    reason: z.string(),
    desired: z.enum(['on', 'off']).optional(),
    followUpJobId: z.string().optional(),
  }),
]);
