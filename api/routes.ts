/**
 * The versioned JSON routes: one table that both the router (app.ts) and the OpenAPI document
 * (openapi.ts) are built from, so they cannot disagree. Every route goes through the typed
 * client, the same code path as the CLI; the API adds only auth, tenancy and HTTP shapes.
 *
 * Tenancy: a token sees only its tenant's accounts. An account of another tenant is answered
 * exactly like a missing one (404 `account_not_found`), so ids cannot be probed.
 */
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { FleetClient } from '../queues/client';
import { QueueName } from '../queues/names';
import { AccountNotFoundError, type AccountRecord, type Repositories } from '../shared/db';
import type { Caller } from './auth';
import { HttpError } from './errors';

/** What every handler gets. */
export interface RouteContext {
  readonly caller: Caller;
  readonly client: FleetClient;
  readonly repos: Repositories;
  readonly req: Request;
  readonly res: Response;
  /** Audit actor and correlation id of the request. */
  readonly meta: { readonly actor: string; readonly requestId: string };
  /** Base URL of links handed out (PUBLIC_URL). */
  readonly publicUrl: string;
}

/** One route: its HTTP shape (for the router and OpenAPI) and its handler. */
export interface RouteDef {
  readonly method: 'get' | 'post' | 'patch' | 'delete';
  /** Express path, e.g. `/v1/accounts/:id`. */
  readonly path: string;
  readonly summary: string;
  readonly tag: string;
  readonly body?: z.ZodType;
  readonly query?: z.ZodType;
  /** Status → description and JSON schema (or a non-JSON content type). */
  readonly responses: Readonly<
    Record<number, { description: string; schema?: z.ZodType; contentType?: string }>
  >;
  /** Returns the JSON body (status from `successStatus`), or undefined after sending itself. */
  handle(ctx: RouteContext, input: { body: unknown; query: unknown }): Promise<unknown>;
  readonly successStatus?: number;
}

const AccountId = z.string().regex(/^[0-9a-f]{24}$/i, 'must be a 24-character hex id');
const Status = z.enum(['active', 'checking', 'disconnected']);
const Cookies = z
  .union([z.string().min(1).max(1_000_000), z.array(z.record(z.string(), z.unknown())).max(500)])
  .describe('the browser cookie export: a JSON array, or that array as a string');

export const RegisterBody = z.strictObject({
  externalId: z.string().trim().min(1).max(200).describe('your id of the account'),
  email: z.email().max(320).optional(),
  password: z.string().min(1).max(1_000).optional().describe('write-only, stored sealed'),
  cookies: Cookies.optional().describe('write-only, stored sealed'),
  proxy: z.string().min(1).max(2_000).optional().describe('http://user:pass@host:port'),
  status: Status.optional().describe('your word on the connection; enrollment needs active'),
});

export const UpdateBody = z.strictObject({
  password: z.string().min(1).max(1_000).nullable().optional(),
  cookies: Cookies.nullable().optional(),
  proxy: z.string().min(1).max(2_000).nullable().optional(),
  status: Status.optional(),
});

export const CodeBody = z.strictObject({ code: z.string().min(1).max(20) });
export const ImportBody = z.strictObject({
  key: z
    .string()
    .min(16)
    .max(2_000)
    .describe('base32 key or otpauth:// URI (SHA1, 6 digits, 30 s)'),
});
export const AuditQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).optional(),
  before: z.string().min(1).max(200).optional(),
});
export const QrQuery = z.strictObject({ format: z.enum(['png', 'svg']).default('png') });

const ErrorBody = z.object({
  error: z.string().describe('stable error code'),
  message: z.string(),
  field: z.string().optional(),
  instruction: z.string().optional(),
  retryAfter: z.iso.datetime().optional(),
});
const JobAccepted = z.object({ jobId: z.string(), queue: z.string(), deduplicated: z.boolean() });
const AccountBody = z.object({
  id: z.string(),
  externalId: z.string(),
  email: z.string().nullable(),
  status: z.string(),
  statusReason: z.string().nullable(),
  statusMessage: z.string(),
  proxyUrl: z.string().nullable(),
  hasPassword: z.boolean(),
  hasCookies: z.boolean(),
  twoFactor: z.object({
    state: z.string(),
    reason: z.string().nullable(),
    message: z.string().nullable(),
    ownerHasCopy: z.boolean(),
  }),
  lastCheckAt: z.string().nullable(),
  lastChallengeAt: z.string().nullable(),
  lastFailureAt: z.string().nullable(),
});

const common = {
  400: { description: 'invalid input; `field` names it', schema: ErrorBody },
  401: { description: 'missing or unknown bearer token', schema: ErrorBody },
  404: { description: 'no such account for this token', schema: ErrorBody },
} as const;

/** The account when it belongs to the caller's tenant; else 404 exactly as for a missing one. */
async function owned(ctx: RouteContext): Promise<AccountRecord> {
  const id = AccountId.safeParse(ctx.req.params['id']);
  if (!id.success) throw new AccountNotFoundError(String(ctx.req.params['id']).slice(0, 40));
  const account = await ctx.repos.accounts.findById(id.data);
  if (!account || account.tenantId !== ctx.caller.tenant) throw new AccountNotFoundError(id.data);
  return account;
}

/** The public shape of an account: ids, status and flags, never a secret. */
function accountBody(a: AccountRecord): z.input<typeof AccountBody> {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    id: a.id,
    externalId: a.externalId,
    email: a.email,
    status: a.status,
    statusReason: a.statusReason,
    statusMessage: a.statusMessage,
    proxyUrl: a.proxyUrl,
    hasPassword: a.hasPassword,
    hasCookies: a.hasCookies,
    twoFactor: {
      state: a.twoFactor.state,
      reason: a.twoFactor.reason,
      message: a.twoFactor.message,
      ownerHasCopy: a.twoFactor.ownerHasCopy,
    },
    lastCheckAt: iso(a.lastCheckAt),
    lastChallengeAt: iso(a.lastChallengeAt),
    lastFailureAt: iso(a.lastFailureAt),
  };
}

const cookiesText = (c: unknown): string | undefined =>
  c === undefined || c === null ? undefined : typeof c === 'string' ? c : JSON.stringify(c);

const accountPath = '/v1/accounts/:id';

/** Every /v1 route. */
export const ROUTES: readonly RouteDef[] = [
  {
    method: 'post',
    path: '/v1/accounts',
    tag: 'accounts',
    summary: 'Register an account (credentials write-only, sealed at once)',
    body: RegisterBody,
    successStatus: 201,
    responses: {
      201: { description: 'registered', schema: AccountBody },
      409: { description: '`account_exists` for this externalId', schema: ErrorBody },
      ...common,
    },
    async handle(ctx, { body }) {
      const b = body as z.output<typeof RegisterBody>;
      const cookies = cookiesText(b.cookies);
      const account = await ctx.client.registerAccount(
        {
          tenantId: ctx.caller.tenant,
          externalId: b.externalId,
          ...(b.email !== undefined ? { email: b.email } : {}),
          ...(b.password !== undefined ? { password: b.password } : {}),
          ...(cookies !== undefined ? { cookies } : {}),
          ...(b.proxy !== undefined ? { proxy: b.proxy } : {}),
          ...(b.status !== undefined ? { status: b.status } : {}),
        },
        ctx.meta,
      );
      return accountBody(account);
    },
  },
  {
    method: 'get',
    path: accountPath,
    tag: 'accounts',
    summary: 'Read an account: status, 2FA state, desired state, key versions, next check',
    responses: { 200: { description: 'the account', schema: AccountBody }, ...common },
    async handle(ctx) {
      const a = await owned(ctx);
      const view = await ctx.client.getAccount(a.id);
      return {
        ...accountBody(view.account),
        desired: view.desired,
        nextCheckAt: view.nextCheckAt?.toISOString() ?? null,
        keys: view.keys.map((k) => ({
          version: k.version,
          state: k.state,
          source: k.source,
          createdAt: k.createdAt.toISOString(),
          activatedAt: k.activatedAt?.toISOString() ?? null,
        })),
      };
    },
  },
  {
    method: 'patch',
    path: accountPath,
    tag: 'accounts',
    summary: 'Replace credentials, proxy or status (write-only; null clears)',
    body: UpdateBody,
    responses: { 200: { description: 'updated', schema: AccountBody }, ...common },
    async handle(ctx, { body }) {
      const a = await owned(ctx);
      const b = body as z.output<typeof UpdateBody>;
      const updated = await ctx.client.updateAccount(
        a.id,
        {
          ...(b.password !== undefined ? { password: b.password } : {}),
          ...(b.cookies !== undefined ? { cookies: cookiesText(b.cookies) ?? null } : {}),
          ...(b.proxy !== undefined ? { proxy: b.proxy } : {}),
          ...(b.status !== undefined ? { status: b.status } : {}),
        },
        ctx.meta,
      );
      return accountBody(updated);
    },
  },
  {
    method: 'delete',
    path: accountPath,
    tag: 'accounts',
    summary: 'Remove an account: schedule, keys (material destroyed), credentials; audit kept',
    successStatus: 204,
    responses: {
      204: { description: 'removed' },
      409: {
        description:
          '`owner_copy_required` (an active key the owner has not confirmed) or `two_factor_busy`',
        schema: ErrorBody,
      },
      ...common,
    },
    async handle(ctx) {
      const a = await owned(ctx);
      await ctx.client.removeAccount(a.id, ctx.meta);
      ctx.res.status(204).end();
      return undefined;
    },
  },
  ...(['enable', 'disable'] as const).map((op): RouteDef => ({
    method: 'post',
    path: `${accountPath}/2fa/${op}`,
    tag: 'two-factor',
    summary:
      op === 'enable'
        ? 'Turn LinkedIn 2FA on with this service as the authenticator (account must be active)'
        : 'Turn LinkedIn 2FA off',
    successStatus: 202,
    responses: {
      202: { description: 'accepted: the job that carries it out', schema: JobAccepted },
      409: {
        description: '`toggle_cooldown` (Retry-After) or `account_not_active`',
        schema: ErrorBody,
      },
      ...common,
    },
    async handle(ctx) {
      const a = await owned(ctx);
      const r =
        op === 'enable'
          ? await ctx.client.enable(a.id, ctx.meta)
          : await ctx.client.disable(a.id, ctx.meta);
      return { jobId: r.jobId, queue: QueueName.Enrollment, deduplicated: r.deduplicated };
    },
  })),
  {
    method: 'post',
    path: `${accountPath}/2fa/email-code`,
    tag: 'two-factor',
    summary: 'Submit the code LinkedIn e-mailed the owner; wakes the job waiting for it',
    body: CodeBody,
    successStatus: 202,
    responses: {
      202: {
        description: 'stored sealed',
        schema: z.object({ jobId: z.string(), promoted: z.boolean() }),
      },
      ...common,
    },
    async handle(ctx, { body }) {
      const a = await owned(ctx);
      return ctx.client.submitEmailCode(a.id, (body as { code: string }).code, ctx.meta);
    },
  },
  {
    method: 'post',
    path: `${accountPath}/2fa/import`,
    tag: 'two-factor',
    summary: 'Import an existing key; verified by a fresh login before it is used',
    body: ImportBody,
    successStatus: 202,
    responses: {
      202: {
        description: 'stored as pending; the verification job',
        schema: z.object({ jobId: z.string(), version: z.number().int() }),
      },
      409: { description: '`key_already_active`', schema: ErrorBody },
      ...common,
    },
    async handle(ctx, { body }) {
      const a = await owned(ctx);
      return ctx.client.importKey(a.id, (body as { key: string }).key, ctx.meta);
    },
  },
  {
    method: 'post',
    path: `${accountPath}/2fa/code`,
    tag: 'two-factor',
    summary: 'A fresh code for your own browser to type (step claimed, audited)',
    responses: {
      200: {
        description: 'the code; never log it',
        schema: z.object({
          code: z.string(),
          remainingSeconds: z.number().int(),
          validUntil: z.iso.datetime(),
          keyVersion: z.number().int(),
        }),
      },
      409: { description: '`no_active_key`', schema: ErrorBody },
      ...common,
    },
    async handle(ctx) {
      const a = await owned(ctx);
      const c = await ctx.client.codeNow(a.id, ctx.meta);
      ctx.res.set('Cache-Control', 'no-store');
      return {
        code: c.code,
        remainingSeconds: c.remainingSeconds,
        validUntil: c.validUntil.toISOString(),
        keyVersion: c.keyVersion,
      };
    },
  },
  {
    method: 'get',
    path: `${accountPath}/2fa/qr`,
    tag: 'two-factor',
    summary: "The active key as a QR code for the owner's app (audited; 3 per 24 h)",
    query: QrQuery,
    responses: {
      200: { description: 'PNG or SVG', contentType: 'image/png' },
      409: { description: '`no_active_key`', schema: ErrorBody },
      429: { description: '`qr_reveal_limited` (Retry-After)', schema: ErrorBody },
      ...common,
    },
    async handle(ctx, { query }) {
      const a = await owned(ctx);
      const qr = await ctx.client.revealQr(a.id, ctx.meta);
      const svg = (query as z.output<typeof QrQuery>).format === 'svg';
      ctx.res
        .status(200)
        .set({
          'Cache-Control': 'no-store',
          'Content-Type': svg ? 'image/svg+xml' : 'image/png',
          'X-Remaining-Reveals': String(qr.remainingReveals),
        })
        .send(svg ? qr.svg : qr.png);
      return undefined;
    },
  },
  {
    method: 'post',
    path: `${accountPath}/2fa/confirm-owner`,
    tag: 'two-factor',
    summary: "Prove the owner's app holds the key: one code from it (±1 step)",
    body: CodeBody,
    responses: {
      200: { description: 'confirmed', schema: z.object({ ownerHasCopy: z.literal(true) }) },
      422: { description: '`owner_code_mismatch`', schema: ErrorBody },
      ...common,
    },
    async handle(ctx, { body }) {
      const a = await owned(ctx);
      return ctx.client.confirmOwnerCopy(a.id, (body as { code: string }).code, ctx.meta);
    },
  },
  {
    method: 'post',
    path: `${accountPath}/owner-link`,
    tag: 'accounts',
    summary: "A one-time link to the account's owner page (valid 24 h; opens a 1 h session)",
    successStatus: 201,
    responses: {
      201: {
        description: 'the link; hand it to the owner only',
        schema: z.object({ url: z.string(), expiresAt: z.iso.datetime() }),
      },
      ...common,
    },
    async handle(ctx) {
      const a = await owned(ctx);
      const link = await ctx.client.createOwnerLink(a.id, ctx.meta);
      ctx.res.set('Cache-Control', 'no-store');
      return {
        url: `${ctx.publicUrl}/owner/start?token=${encodeURIComponent(link.token)}`,
        expiresAt: link.expiresAt.toISOString(),
      };
    },
  },
  {
    method: 'post',
    path: `${accountPath}/session-check`,
    tag: 'sessions',
    summary: 'Check the session now; sign in and answer LinkedIn if it is gone',
    successStatus: 202,
    responses: { 202: { description: 'the check job', schema: JobAccepted }, ...common },
    async handle(ctx) {
      const a = await owned(ctx);
      const r = await ctx.client.checkSession(a.id, ctx.meta);
      return { jobId: r.jobId, queue: QueueName.SessionCheck, deduplicated: r.deduplicated };
    },
  },
  {
    method: 'get',
    path: `${accountPath}/audit`,
    tag: 'accounts',
    summary: 'The audit trail, newest first; pass nextBefore as before for older events',
    query: AuditQuery,
    responses: {
      200: {
        description: 'one page',
        schema: z.object({ events: z.array(z.unknown()), nextBefore: z.string().nullable() }),
      },
      ...common,
    },
    async handle(ctx, { query }) {
      const a = await owned(ctx);
      const q = query as z.output<typeof AuditQuery>;
      const page = await ctx.client.auditTrail(a.id, {
        ...(q.limit !== undefined ? { limit: q.limit } : {}),
        ...(q.before !== undefined ? { before: q.before } : {}),
      });
      return {
        events: page.events.map((e) => ({
          id: e.id,
          at: e.at.toISOString(),
          actor: e.actor,
          action: e.action,
          jobId: e.jobId,
          details: e.details,
        })),
        nextBefore: page.nextBefore,
      };
    },
  },
  {
    method: 'get',
    path: '/v1/jobs/:queue/:jobId',
    tag: 'jobs',
    summary: "A job's state, last step and outcome (enrollment or session-check queue)",
    responses: {
      200: {
        description: 'the job',
        schema: z.object({
          jobId: z.string(),
          queue: z.string(),
          state: z.string(),
          step: z.string().nullable(),
          outcome: z.unknown().nullable(),
        }),
      },
      ...common,
    },
    async handle(ctx) {
      const queue = z
        .enum([QueueName.Enrollment, QueueName.SessionCheck])
        .safeParse(ctx.req.params['queue']);
      const jobId = String(ctx.req.params['jobId']);
      const notFound = new HttpError(404, 'job_not_found', `no job ${jobId.slice(0, 60)}`);
      if (!queue.success) throw notFound;
      const status = await ctx.client.jobStatus(queue.data, jobId).catch(() => null);
      const account = status?.accountId
        ? await ctx.repos.accounts.findById(status.accountId)
        : null;
      // Another tenant's job is answered like a missing one.
      if (!status || !account || account.tenantId !== ctx.caller.tenant) throw notFound;
      return {
        jobId: status.jobId,
        queue: status.queue,
        accountId: status.accountId,
        state: status.state,
        step: status.step,
        outcome: status.outcome,
      };
    },
  },
];
