/**
 * Keeping accounts connected, producer side: a session check on demand (the main app's own
 * browser met a 2FA prompt, or an operator wants one), and a code on demand for the main app
 * to type itself, claimed in Mongo exactly like a worker's so two callers never spend one step.
 */
import { createSiteClock } from '../shared/site-clock';
import { claimFreshCode, createTotp } from '../shared/totp';
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
 * fed to a SiteClock and reused for OFFSET_TTL_MS; when the site cannot be reached, the last
 * estimate (0 before any) with a warning.
 */
export function createSiteOffsetProbe(ctx: Pick<FleetClientContext, 'config' | 'clock' | 'log'>) {
  // The same estimator as the workers' (median of samples, the > 2 s warning), fed by a HEAD.
  const siteClock = createSiteClock(ctx.log ? { log: ctx.log } : {});
  let measuredAt: number | null = null;
  return async (): Promise<number> => {
    if (measuredAt !== null && ctx.clock.nowMs() - measuredAt < OFFSET_TTL_MS) {
      return siteClock.offsetMs();
    }
    try {
      const start = ctx.clock.nowMs();
      const res = await fetch(ctx.config.linkedin.baseUrl, {
        method: 'HEAD',
        redirect: 'manual',
        signal: AbortSignal.timeout(3_000),
      });
      const date = res.headers.get('date');
      if (!date) throw new Error('no Date header');
      measuredAt = ctx.clock.nowMs();
      siteClock.observe(date, start, measuredAt);
    } catch (err) {
      ctx.log?.warn({ err }, 'could not read the site clock; using the last estimate');
    }
    return siteClock.offsetMs();
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
  const code = await claimFreshCode(totp, secret, {
    lastUsedStep: key.lastUsedStep,
    claim: (step) => ctx.repos.twoFactorKeys.claimStep(account.id, key.version, step),
  });
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
