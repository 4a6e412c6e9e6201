/**
 * Keeping accounts connected, producer side: a session check on demand (the main app's own
 * browser met a 2FA prompt, or an operator wants one), and a code on demand for the main app
 * to type itself, claimed in Mongo exactly like a worker's so two callers never spend one step.
 */
import { TransientError } from '../shared/errors';
import { createTotp, estimateOffsetMs } from '../shared/totp';
import {
  assertAccountId,
  audit,
  auditActorOf,
  requestIdOf,
  requireAccount,
  type FleetClientContext,
  type RequestMeta,
} from './client-context';
import { NoActiveKeyError } from './client-errors';
import { JobName } from './names';

/** What `checkSession` did. */
export interface SessionCheckRequest {
  readonly jobId: string;
  /** True when a check of the account was already queued and this request joined it. */
  readonly deduplicated: boolean;
}

/** A code on demand. Secret: hand it to the browser that asked, never log or store it. */
export interface OnDemandCode {
  readonly code: string;
  /** Whole seconds left in its step (at least TOTP_MIN_REMAINING_SECONDS when returned). */
  readonly remainingSeconds: number;
  /** When the code's step ends on the site, in our clock (the site offset applied). */
  readonly validUntil: Date;
  readonly step: number;
  readonly keyVersion: number;
}

/** Steps tried before giving up on finding one no one else claimed. */
const MAX_CLAIM_ATTEMPTS = 3;
/** LinkedIn's (and every stored key's) period: imports accept SHA1/6/30 only. */
const TOTP_PERIOD_MS = 30_000;
/** How long a measured site offset is reused. */
const OFFSET_TTL_MS = 5 * 60_000;

/** Enqueues a session check of the account (deduplicated per account). */
export async function checkSession(
  ctx: FleetClientContext,
  accountId: string,
  meta: RequestMeta,
): Promise<SessionCheckRequest> {
  auditActorOf(meta);
  const account = await requireAccount(ctx, accountId);
  const { jobId, deduplicated } = await ctx.producer.enqueue(JobName.SessionCheck, {
    v: 1,
    accountId: account.id,
    requestId: requestIdOf(meta),
    reason: 'owner_request',
  });
  await audit(ctx, account, meta, 'session.check_requested', {
    jobId,
    details: { deduplicated },
  });
  ctx.log?.info({ accountId, jobId, deduplicated, actor: meta.actor }, 'session check requested');
  return { jobId, deduplicated };
}

/**
 * "Site time minus ours" from one HEAD request to the site's base URL (its Date header),
 * reused for OFFSET_TTL_MS; 0 with a warning when the site cannot be reached.
 */
export function createSiteOffsetProbe(ctx: Pick<FleetClientContext, 'config' | 'clock' | 'log'>) {
  let cached: { offsetMs: number; at: number } | null = null;
  return async (): Promise<number> => {
    const now = ctx.clock.nowMs();
    if (cached && now - cached.at < OFFSET_TTL_MS) return cached.offsetMs;
    try {
      const start = ctx.clock.nowMs();
      const res = await fetch(ctx.config.linkedin.baseUrl, {
        method: 'HEAD',
        redirect: 'manual',
        signal: AbortSignal.timeout(3_000),
      });
      const end = ctx.clock.nowMs();
      const date = res.headers.get('date');
      if (!date) throw new Error('no Date header');
      cached = { offsetMs: Math.round(estimateOffsetMs(date, start, end)), at: end };
      if (Math.abs(cached.offsetMs) > 2_000) {
        ctx.log?.warn(
          { offsetMs: cached.offsetMs },
          'the site clock differs from ours by more than 2 s',
        );
      }
      return cached.offsetMs;
    } catch (err) {
      ctx.log?.warn({ err }, 'could not read the site clock; generating on our own clock');
      return 0;
    }
  };
}

/** A fresh code of the active key with its step claimed; see FleetClient.codeNow. */
export async function codeNow(
  ctx: FleetClientContext,
  siteOffsetMs: () => Promise<number>,
  accountId: string,
  meta: RequestMeta,
): Promise<OnDemandCode> {
  auditActorOf(meta);
  assertAccountId(accountId);
  const account = await requireAccount(ctx, accountId);
  const key = await ctx.repos.twoFactorKeys.loadActive(account.id);
  if (!key) throw new NoActiveKeyError(account.id);
  const secret = ctx.vault.open(key.sealedKey, { accountId: account.id, purpose: 'totp_key' });
  const offsetMs = await siteOffsetMs();
  const totp = createTotp({
    clock: ctx.clock,
    minRemainingSeconds: ctx.config.totp.minRemainingSeconds,
    offsetMs,
  });
  let lastUsedStep = key.lastUsedStep;
  for (let attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++) {
    const code = await totp.freshCode(secret, { lastUsedStep });
    if (await ctx.repos.twoFactorKeys.claimStep(account.id, key.version, code.step)) {
      // **MUST** be recorded before the code leaves this function: it is a use of the key.
      await audit(ctx, account, meta, 'key.used', {
        details: { version: key.version, purpose: 'on_demand', step: code.step },
      });
      ctx.log?.info({ accountId, version: key.version, actor: meta.actor }, 'code handed out');
      return {
        code: code.code,
        remainingSeconds: code.remainingSeconds,
        validUntil: new Date((code.step + 1) * TOTP_PERIOD_MS - offsetMs),
        step: code.step,
        keyVersion: key.version,
      };
    }
    lastUsedStep = code.step;
  }
  throw new TransientError(
    'totp_step_contended',
    `no free TOTP step for account ${account.id} after ${MAX_CLAIM_ATTEMPTS} tries`,
  );
}
