/**
 * What every fleet-client method shares: its dependencies ({@link FleetClientContext}), who is
 * asking ({@link RequestMeta}) and the checks most methods start with (a well-formed account id,
 * an account that exists, an audit event in the trail's actor format).
 *
 * Split from client.ts so the method modules (client-accounts.ts, client-keys.ts) can depend on
 * it without an import cycle.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Clock } from '../shared/clock';
import type { Config } from '../shared/config';
import type { Vault } from '../shared/crypto';
import {
  AccountNotFoundError,
  type AccountRecord,
  type AuditDetailValue,
  type Repositories,
} from '../shared/db';
import type { DesiredStateRepo, ToggleLimits } from '../shared/db/desired-state.repo';
import { ValidationError } from '../shared/errors';
import type { Logger } from '../shared/logger';
import type { Producer } from './producer';

/** The configuration the client reads. */
export type FleetClientConfig = Pick<
  Config,
  'redis' | 'toggle' | 'enrollment' | 'linkedin' | 'totp' | 'challenge'
>;

/** Who asked, for logs and the audit trail. */
export interface RequestMeta {
  /**
   * The audit actor: `cli`, `api:<tokenName>` (1–80 of `A–Z a–z 0–9 _ . @ -`) or `system`.
   * Anything else is refused with a ValidationError (field `actor`) before any work is done.
   */
  readonly actor: string;
  /** Correlation id; a random one when omitted. */
  readonly requestId?: string;
}

/** The client's dependencies, shared by every method. */
export interface FleetClientContext {
  readonly config: FleetClientConfig;
  readonly clock: Clock;
  readonly log: Logger | undefined;
  readonly producer: Producer;
  readonly desired: DesiredStateRepo;
  readonly repos: Repositories;
  readonly vault: Vault;
  readonly limits: ToggleLimits;
  readonly connection: Redis;
}

/** The actors a client caller may be (the audit trail's `worker:<name>` is for workers only). */
const CALLER_ACTOR = /^api:[\w.@-]{1,80}$|^(?:cli|system)$/;

/** Maps a request's actor to the audit trail's format; ValidationError (field `actor`) if it has none. */
export function auditActorOf(meta: RequestMeta): string {
  const actor = typeof meta?.actor === 'string' ? meta.actor : '';
  if (!CALLER_ACTOR.test(actor)) {
    throw new ValidationError('actor must be cli, system or api:<token name>', 'actor');
  }
  return actor;
}

/** The request's correlation id, or a fresh one. */
export function requestIdOf(meta: RequestMeta): string {
  return meta.requestId ?? randomUUID();
}

/** Checks an account id's shape (24 hex digits) without a database round trip. */
export function assertAccountId(accountId: unknown): asserts accountId is string {
  if (typeof accountId !== 'string' || !/^[0-9a-f]{24}$/i.test(accountId)) {
    throw new ValidationError('accountId must be a 24-character hex id', 'accountId');
  }
}

/** The account, or AccountNotFoundError; ValidationError for a malformed id. */
export async function requireAccount(
  ctx: FleetClientContext,
  accountId: unknown,
): Promise<AccountRecord> {
  assertAccountId(accountId);
  const account = await ctx.repos.accounts.findById(accountId);
  if (!account) throw new AccountNotFoundError(accountId);
  return account;
}

/** One audit event about `account`; details go through the repository's secret guard. */
export async function audit(
  ctx: FleetClientContext,
  account: AccountRecord,
  meta: RequestMeta,
  action: string,
  extra: { jobId?: string; details?: Record<string, AuditDetailValue> } = {},
): Promise<void> {
  await ctx.repos.audit.record({
    tenantId: account.tenantId,
    accountId: account.id,
    actor: auditActorOf(meta),
    action,
    at: new Date(ctx.clock.nowMs()),
    jobId: extra.jobId ?? null,
    details: extra.details ?? {},
  });
}
