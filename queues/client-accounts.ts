/**
 * Fleet-client methods about accounts: registering one (its secrets sealed before they reach
 * Mongo), reading one with its desired state and key versions, and passing on an emailed code
 * the owner received (which wakes the job parked waiting for it).
 */
import { Job, type Queue } from 'bullmq';
import { z } from 'zod';
import {
  AccountNotFoundError,
  NEW_ACCOUNT_STATUSES,
  splitProxyUrl,
  type AccountRecord,
  type TwoFactorKeySource,
  type TwoFactorKeyState,
} from '../shared/db';
import type { DesiredTwoFactor } from '../shared/db/desired-state.repo';
import { ValidationError } from '../shared/errors';
import {
  assertAccountId,
  audit,
  auditActorOf,
  requestIdOf,
  requireAccount,
  type FleetClientContext,
  type RequestMeta,
} from './client-context';
import { JobName } from './names';
import { OwnerCopyRequiredError, TwoFactorBusyError } from './client-errors';
import { deduplicationIdOf, sessionCheckSchedulerId } from './producer';
import { JOB_QUEUE } from './registry';

/** A new account as the main app (or an operator) describes it. Secrets in the clear, once. */
export interface RegisterAccountInput {
  readonly tenantId: string;
  readonly externalId: string;
  readonly email?: string;
  readonly password?: string;
  /** A JSON array of cookies as a browser exports them (DevTools, Cookie-Editor, Puppeteer). */
  readonly cookies?: string;
  /** `http://user:pass@host:port` (also https, socks4, socks5). */
  readonly proxy?: string;
  /** The main app's word on the connection; see NewAccount.status in account.repo.ts. */
  readonly status?: (typeof NEW_ACCOUNT_STATUSES)[number];
}

/** One key version as the client shows it: no material. */
export interface KeyVersionView {
  readonly version: number;
  readonly state: TwoFactorKeyState;
  readonly source: TwoFactorKeySource;
  readonly createdAt: Date;
  readonly activatedAt: Date | null;
}

/** An account, its desired 2FA state (null: never asked) and its key versions, newest first. */
export interface AccountView {
  readonly account: AccountRecord;
  readonly desired: DesiredTwoFactor | null;
  readonly keys: readonly KeyVersionView[];
  /** When the account's scheduled session check runs next (null: not scheduled, no key). */
  readonly nextCheckAt: Date | null;
}

/** What submitEmailCode did. */
export interface EmailCodeResult {
  /** The job that will type the code: the parked one when there was one, else a new one. */
  readonly jobId: string;
  /** True when a job parked waiting for the code was moved to run now. */
  readonly promoted: boolean;
}

/** Cookies per account: LinkedIn sets a few dozen; 500 bounds a pasted browser-wide export. */
const MAX_COOKIES = 500;

const RegisterSchema = z.strictObject({
  tenantId: z.string().trim().min(1).max(100),
  externalId: z.string().trim().min(1).max(200),
  email: z.email().max(320).optional(),
  password: z.string().min(1).max(1_000).optional(),
  // 1 MB: far above any real cookie jar, low enough to refuse a wrong file.
  cookies: z.string().min(1).max(1_000_000).optional(),
  proxy: z.string().min(1).max(2_000).optional(),
  status: z.enum(NEW_ACCOUNT_STATUSES).optional(),
});

/**
 * One exported cookie. Chrome-extension exports say `expirationDate` and `no_restriction`,
 * DevTools/Puppeteer say `expires` and `None`; other fields (hostOnly, storeId, …) are dropped.
 */
const ExportedCookie = z.object({
  name: z.string().min(1).max(4_096),
  value: z.string().max(8_192),
  domain: z.string().min(1).max(255),
  path: z.string().max(1_024).optional(),
  expires: z.number().optional(),
  expirationDate: z.number().optional(),
  httpOnly: z.boolean().optional(),
  secure: z.boolean().optional(),
  sameSite: z.string().max(20).nullable().optional(),
});

/** A cookie in the shape the workers restore (Puppeteer's CookieData). */
interface StoredCookie {
  name: string;
  value: string;
  domain: string;
  path: string;
  expires?: number;
  httpOnly?: boolean;
  secure?: boolean;
  sameSite?: 'Strict' | 'Lax' | 'None';
}

const SAME_SITE: Readonly<Record<string, StoredCookie['sameSite']>> = {
  strict: 'Strict',
  lax: 'Lax',
  none: 'None',
  no_restriction: 'None',
};

/** The first zod issue as a ValidationError naming the field (zod never quotes the value). */
function issueError(prefix: string, error: z.ZodError): ValidationError {
  const issue = error.issues[0];
  const parts = [prefix, ...(issue?.path ?? []).map(String)].filter(Boolean);
  const where = parts.length > 0 ? parts.join('.') : 'input';
  return new ValidationError(`${where}: ${issue?.message ?? 'invalid'}`, parts[0] ?? 'input');
}

/** Parses and normalises an exported cookie jar to the stored JSON; ValidationError on garbage. */
export function normalizeCookies(json: string): string {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new ValidationError('cookies must be a JSON array of cookie objects', 'cookies');
  }
  const parsed = z.array(ExportedCookie).min(1).max(MAX_COOKIES).safeParse(value);
  if (!parsed.success) throw issueError('cookies', parsed.error);
  const stored = parsed.data.map((c): StoredCookie => {
    const expires = c.expires ?? c.expirationDate;
    const sameSite = c.sameSite ? SAME_SITE[c.sameSite.toLowerCase()] : undefined;
    return {
      name: c.name,
      value: c.value,
      domain: c.domain,
      path: c.path ?? '/',
      ...(expires !== undefined && expires > 0 ? { expires } : {}),
      ...(c.httpOnly !== undefined ? { httpOnly: c.httpOnly } : {}),
      ...(c.secure !== undefined ? { secure: c.secure } : {}),
      ...(sameSite ? { sameSite } : {}),
    };
  });
  return JSON.stringify(stored);
}

/** Registers an account; see FleetClient.registerAccount. */
export async function registerAccount(
  ctx: FleetClientContext,
  input: RegisterAccountInput,
  meta: RequestMeta,
): Promise<AccountRecord> {
  auditActorOf(meta);
  const parsed = RegisterSchema.safeParse(input);
  if (!parsed.success) throw issueError('', parsed.error);
  const v = parsed.data;
  // Validate everything before sealing anything: a bad proxy must not leave half an account.
  const cookies = v.cookies !== undefined ? normalizeCookies(v.cookies) : null;
  const proxy = v.proxy !== undefined ? splitProxyUrl(v.proxy) : null;
  const id = ctx.repos.accounts.newId();
  const seal = (plain: string, purpose: 'password' | 'cookies' | 'proxy_auth') =>
    ctx.vault.seal(plain, { accountId: id, purpose });
  const account = await ctx.repos.accounts.create({
    id,
    tenantId: v.tenantId,
    externalId: v.externalId,
    email: v.email ?? null,
    sealedPassword: v.password !== undefined ? seal(v.password, 'password') : null,
    sealedCookies: cookies !== null ? seal(cookies, 'cookies') : null,
    proxy: proxy && {
      url: proxy.url,
      sealedAuth: proxy.auth ? seal(proxy.auth, 'proxy_auth') : null,
    },
    ...(v.status ? { status: v.status } : {}),
  });
  // Detail keys avoid the words "password" and "cookies": the audit guard refuses such keys.
  const credentials =
    [account.hasPassword && 'password', account.hasCookies && 'cookies']
      .filter(Boolean)
      .join('+') || 'none';
  await audit(ctx, account, meta, 'account.created', {
    details: { credentials, hasProxy: proxy !== null, status: account.status },
  });
  ctx.log?.info({ accountId: id, status: account.status, actor: meta.actor }, 'account registered');
  return account;
}

/** What updateAccount changes: credentials write-only, `null` clears. */
export interface UpdateAccountInput {
  readonly password?: string | null;
  readonly cookies?: string | null;
  readonly proxy?: string | null;
  readonly status?: (typeof NEW_ACCOUNT_STATUSES)[number];
}

const UpdateSchema = z.strictObject({
  password: RegisterSchema.shape.password.unwrap().nullable().optional(),
  cookies: RegisterSchema.shape.cookies.unwrap().nullable().optional(),
  proxy: RegisterSchema.shape.proxy.unwrap().nullable().optional(),
  status: RegisterSchema.shape.status,
});

/** Replaces credentials, proxy or status; see FleetClient.updateAccount. */
export async function updateAccount(
  ctx: FleetClientContext,
  accountId: string,
  input: UpdateAccountInput,
  meta: RequestMeta,
): Promise<AccountRecord> {
  auditActorOf(meta);
  const parsed = UpdateSchema.safeParse(input);
  if (!parsed.success) throw issueError('', parsed.error);
  const v = parsed.data;
  const account = await requireAccount(ctx, accountId);
  // Validate everything before writing anything (as registerAccount does).
  const cookies = typeof v.cookies === 'string' ? normalizeCookies(v.cookies) : v.cookies;
  const proxy = typeof v.proxy === 'string' ? splitProxyUrl(v.proxy) : v.proxy;
  const seal = (plain: string, purpose: 'password' | 'cookies' | 'proxy_auth') =>
    ctx.vault.seal(plain, { accountId: account.id, purpose });
  const repo = ctx.repos.accounts;
  if (v.password !== undefined) {
    await repo.saveSealedPassword(
      account.id,
      v.password === null ? null : seal(v.password, 'password'),
    );
  }
  if (cookies !== undefined) {
    await repo.saveSealedCookies(account.id, cookies === null ? null : seal(cookies, 'cookies'));
  }
  if (proxy !== undefined) {
    await repo.saveProxy(
      account.id,
      proxy && { url: proxy.url, sealedAuth: proxy.auth ? seal(proxy.auth, 'proxy_auth') : null },
    );
  }
  if (v.status) await repo.setStatus(account.id, { status: v.status });
  const changed = Object.keys(v)
    .map((k) => (k === 'password' ? 'secret' : k === 'cookies' ? 'session' : k))
    .join('+');
  await audit(ctx, account, meta, 'account.updated', { details: { changed } });
  return requireAccount(ctx, account.id);
}

/** A one-time owner-page link token; see FleetClient.createOwnerLink. */
export async function createOwnerLink(
  ctx: FleetClientContext,
  accountId: string,
  meta: RequestMeta,
): Promise<{ token: string; expiresAt: Date }> {
  auditActorOf(meta);
  const account = await requireAccount(ctx, accountId);
  const link = await ctx.repos.ownerSessions.createLink(account.id, account.tenantId);
  await audit(ctx, account, meta, 'owner_page.link_created', {
    details: { expiresAt: link.expiresAt.toISOString() },
  });
  return link;
}

/** Two-factor states in which a job may be mid-change (a pending key may be live). */
const SETTLING = ['enrolling', 'awaiting_app_approval', 'awaiting_email_code', 'disabling'];

/** Removes an account; see FleetClient.removeAccount. */
export async function removeAccount(
  ctx: FleetClientContext,
  accountId: string,
  meta: RequestMeta,
): Promise<void> {
  auditActorOf(meta);
  const account = await requireAccount(ctx, accountId);
  if (SETTLING.includes(account.twoFactor.state)) {
    throw new TwoFactorBusyError(account.id, account.twoFactor.state);
  }
  const keys = await ctx.repos.twoFactorKeys.list(account.id);
  if (keys.some((k) => k.state === 'pending')) {
    throw new TwoFactorBusyError(account.id, 'pending_key');
  }
  if (keys.some((k) => k.state === 'active') && !account.twoFactor.ownerHasCopy) {
    throw new OwnerCopyRequiredError(account.id);
  }
  await ctx.producer.unscheduleSessionChecks(account.id);
  const revoked = await ctx.repos.twoFactorKeys.revokeAll(account.id);
  await ctx.repos.accounts.remove(account.id);
  await audit(ctx, account, meta, 'account.removed', { details: { keysRevoked: revoked } });
  ctx.log?.info({ accountId, revoked, actor: meta.actor }, 'account removed');
}

/** Reads an account with its desired state and key versions; see FleetClient.getAccount. */
export async function getAccount(ctx: FleetClientContext, accountId: string): Promise<AccountView> {
  const account = await requireAccount(ctx, accountId);
  const [desired, keys, scheduler] = await Promise.all([
    ctx.desired.getDesired(account.id),
    ctx.repos.twoFactorKeys.list(account.id),
    ctx.producer
      .queue(JOB_QUEUE[JobName.SessionCheck])
      .getJobScheduler(sessionCheckSchedulerId(account.id)),
  ]);
  return {
    account,
    desired: desired?.desired ?? null,
    nextCheckAt: scheduler?.next ? new Date(scheduler.next) : null,
    keys: keys.map((k) => ({
      version: k.version,
      state: k.state,
      source: k.source,
      createdAt: k.createdAt,
      activatedAt: k.activatedAt,
    })),
  };
}

/**
 * Moves a parked (delayed) job to run now; false when it is not delayed. A job that stops
 * being delayed between the state read and the promotion (a worker took it) is not an error.
 */
async function promoteIfDelayed(queue: Queue, jobId: string): Promise<boolean> {
  const job = await Job.fromId(queue, jobId);
  if (!job || (await job.getState()) !== 'delayed') return false;
  try {
    await job.promote();
    return true;
  } catch (err) {
    if ((await job.getState()) === 'delayed') throw err;
    return false;
  }
}

/** The jobs whose sign-in may be what asked for an e-mailed code, in the order they are woken. */
const CODE_WAITERS = [JobName.VerifyImportedKey, JobName.SessionCheck, JobName.Reconcile2fa];

/**
 * The job to wake for a submitted code: the account's queued verify-imported-key, session-check
 * or reconcile-2fa job, in that order. With none queued, a new one: a session check when the
 * account's status says a login waits for the code, else a reconcile (the settings' identity
 * check asked for it).
 */
async function wakeJobFor(
  ctx: FleetClientContext,
  account: AccountRecord,
  meta: RequestMeta,
): Promise<EmailCodeResult> {
  const payload = {
    v: 1,
    accountId: account.id,
    requestId: requestIdOf(meta),
    reason: 'owner_request',
  } as const;
  for (const name of CODE_WAITERS) {
    const queue = ctx.producer.queue(JOB_QUEUE[name]);
    const jobId = await queue.getDeduplicationJobId(deduplicationIdOf(name, payload));
    const state = jobId ? await queue.getJobState(jobId) : 'unknown';
    if (jobId && state !== 'unknown' && state !== 'completed' && state !== 'failed') {
      return { jobId, promoted: await promoteIfDelayed(queue, jobId) };
    }
  }
  const name =
    account.status === 'needs_user_action' && account.statusReason === 'email_pin'
      ? JobName.SessionCheck
      : JobName.Reconcile2fa;
  const { jobId } = await ctx.producer.enqueue(name, payload);
  return { jobId, promoted: false };
}

/** Stores the owner's emailed code sealed and wakes the job waiting for it. */
export async function submitEmailCode(
  ctx: FleetClientContext,
  accountId: string,
  code: string,
  meta: RequestMeta,
): Promise<EmailCodeResult> {
  auditActorOf(meta);
  assertAccountId(accountId);
  const digits = typeof code === 'string' ? code.replace(/\s+/g, '') : '';
  if (!/^\d{4,8}$/.test(digits)) {
    throw new ValidationError('code must be the 4 to 8 digits of the LinkedIn e-mail', 'code');
  }
  const account = await requireAccount(ctx, accountId);
  const sealed = ctx.vault.seal(digits, { accountId: account.id, purpose: 'email_code' });
  const at = new Date(ctx.clock.nowMs());
  if (!(await ctx.repos.accounts.saveSealedEmailCode(account.id, sealed, at))) {
    throw new AccountNotFoundError(account.id);
  }
  await audit(ctx, account, meta, 'email_code.submitted');
  const result = await wakeJobFor(ctx, account, meta);
  ctx.log?.info({ accountId, ...result, actor: meta.actor }, 'emailed code submitted');
  return result;
}
