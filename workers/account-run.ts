/**
 * One job's work on one account: the lease (per-account exclusivity with a fencing token),
 * fenced state writes with their audit events, opening the account's secrets, the browser
 * context with its proxy and cookies, and TOTP codes whose time step is claimed in Mongo before
 * they are typed. The enrollment and challenge handlers are written against this.
 *
 * Fencing: every state write first checks that this run's lease token is still the account's
 * newest (`leases.assertCurrent`). A worker that lost its lease (it stalled, its job was handed
 * on, another worker took over) has its writes refused with `lease_lost`, and stops.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Cookie, CookieData, HTTPRequest } from 'puppeteer-core';
import type { BrowserFleet, BrowserSession, ProxySettings } from '../shared/browser';
import type { Clock } from '../shared/clock';
import type { Config } from '../shared/config';
import type { SecretPurpose, Vault } from '../shared/crypto';
import {
  AccountNotFoundError,
  joinProxyUrl,
  type AccountRecord,
  type Lease,
  type Repositories,
  type SealedTwoFactorKey,
  type TwoFactorState,
} from '../shared/db';
import type { AuditDetailValue } from '../shared/db';
import type { DesiredStateRepo } from '../shared/db/desired-state.repo';
import { NeedsHumanError, PermanentError, TransientError } from '../shared/errors';
import type { Logger } from '../shared/logger';
import { metrics } from '../shared/metrics';
import type { SiteClock } from '../shared/site-clock';
import { claimFreshCode, createTotp, type TotpCode } from '../shared/totp';
import type { Producer } from '../queues/producer';
import { enqueueWebhook } from '../queues/webhooks';
import type { CrashAt } from './crash-points';
import { UnknownScreenError } from './site';
import type { JobContext } from './runtime';

/** What every account handler needs; built once per worker process. */
export interface FleetDeps {
  readonly config: Config;
  readonly repos: Repositories;
  readonly desired: DesiredStateRepo;
  readonly vault: Vault;
  readonly fleet: BrowserFleet;
  readonly producer: Producer;
  readonly clock: Clock;
  readonly crashAt: CrashAt;
  /** The site's clock as seen in its Date headers; codes are generated on it. */
  readonly siteClock: SiteClock;
  /** Audit actor of this process: `worker:<name>`. */
  readonly actor: string;
}

/** The opened first-factor credentials of an account. Secret: never log. */
export interface AccountCredentials {
  readonly email: string;
  readonly password: string | null;
  readonly cookies: readonly CookieData[];
  readonly proxy: ProxySettings | null;
  /** A checkpoint a parked login waits at (path and query), while it is still worth resuming. */
  readonly resumePath: string | null;
}

/** A browser context of the account, plus the flag that its cookies are worth keeping. */
export interface AccountSession extends BrowserSession {
  /** Call once the context is signed in: its cookies are sealed and stored when it closes. */
  markSignedIn(): void;
  /** The checkpoint a parked login waits at, restored with its cookies (see firstScreen). */
  readonly resumePath: string | null;
}

/**
 * A stored browser session (sealed, purpose `cookies`): a JSON array of cookies, or, while a
 * login waits at a checkpoint for the owner (an e-mailed PIN), `{ cookies, resume }` with the
 * checkpoint's path and until when it is worth coming back to.
 */
interface StoredSession {
  readonly cookies: CookieData[];
  readonly resume: { readonly path: string; readonly until: number } | null;
}

const isCookie = (c: unknown): c is CookieData =>
  typeof c === 'object' &&
  c !== null &&
  typeof (c as CookieData).name === 'string' &&
  typeof (c as CookieData).value === 'string';

/** Parses a stored session; anything malformed is no cookies. */
function parseSession(json: string): StoredSession {
  try {
    const value: unknown = JSON.parse(json);
    if (Array.isArray(value)) return { cookies: value.filter(isCookie), resume: null };
    const v = value as { cookies?: unknown; resume?: { path?: unknown; until?: unknown } };
    const cookies = Array.isArray(v.cookies) ? v.cookies.filter(isCookie) : [];
    const resume =
      typeof v.resume?.path === 'string' && typeof v.resume.until === 'number'
        ? { path: v.resume.path, until: v.resume.until }
        : null;
    return { cookies, resume };
  } catch {
    return { cookies: [], resume: null };
  }
}

/** Keeps what a context needs to restore a cookie; drops session-only noise. */
function storableCookies(cookies: readonly Cookie[]): CookieData[] {
  return cookies.map((c) => ({
    name: c.name,
    value: c.value,
    domain: c.domain,
    path: c.path,
    ...(c.expires > 0 ? { expires: c.expires } : {}),
    httpOnly: c.httpOnly,
    secure: c.secure,
    ...(c.sameSite ? { sameSite: c.sameSite } : {}),
  }));
}

/** `::ffff:1.2.3.4` and `[::1]` as plain addresses. */
function normaliseIp(ip: string): string {
  return ip
    .replace(/^\[|\]$/g, '')
    .replace(/^::ffff:/i, '')
    .toLowerCase();
}

/** The addresses a proxy URL's host resolves to (what Chromium's responses come from). */
async function proxyAddresses(server: string): Promise<ReadonlySet<string>> {
  const host = new URL(server).hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return new Set([normaliseIp(host)]);
  try {
    const all = await lookup(host, { all: true });
    return new Set(all.map((a) => normaliseIp(a.address)));
  } catch (err) {
    throw new TransientError('proxy_unresolved', `the account's proxy host did not resolve`, {
      cause: err,
    });
  }
}

/**
 * Appends an audit event of a worker about `account` and, when it is a status change the main
 * app is told about, enqueues its webhook (queues/webhooks.ts). A webhook that cannot be
 * enqueued is logged, never fails the run: the event itself is recorded.
 */
export async function recordEvent(
  deps: Pick<FleetDeps, 'repos' | 'config' | 'producer' | 'actor'>,
  account: Pick<AccountRecord, 'id' | 'tenantId'>,
  action: string,
  details: Record<string, AuditDetailValue>,
  jobId: string | null,
  log?: Logger,
): Promise<void> {
  const event = await deps.repos.audit.record({
    tenantId: account.tenantId,
    accountId: account.id,
    actor: deps.actor,
    action,
    jobId,
    details,
  });
  await enqueueWebhook(deps, event).catch((err: unknown) =>
    log?.warn({ err, eventId: event.id }, 'webhook not enqueued'),
  );
}

/** One job's run on one account; see the module comment. */
export class AccountRun {
  private lease: Lease | null = null;
  private renewTimer: NodeJS.Timeout | undefined;
  private lastStep: { name: string; at: number } | null = null;
  private readonly abort = new AbortController();
  readonly signal: AbortSignal;
  /**
   * The key version LinkedIn accepted at a login prompt during this run: a login through the
   * 2FA prompt with our own code, the end-to-end proof that the key is the live one.
   */
  provedKeyVersion: number | null = null;

  constructor(
    readonly deps: FleetDeps,
    readonly accountId: string,
    readonly job: JobContext,
  ) {
    this.signal = AbortSignal.any([job.signal, this.abort.signal]);
  }

  get log(): Logger {
    return this.job.log;
  }

  /** The account now, or AccountNotFoundError. */
  async account(): Promise<AccountRecord> {
    const account = await this.deps.repos.accounts.findById(this.accountId);
    if (!account) throw new AccountNotFoundError(this.accountId);
    return account;
  }

  /**
   * Runs `fn` holding the account's lease (LeaseBusyError, a RetryLaterError, when another
   * worker holds it). The lease is renewed every third of its lifetime; losing it aborts the
   * run's signal. Released afterwards, whatever `fn` does.
   */
  async withLease<T>(fn: () => Promise<T>): Promise<T> {
    const ttlMs = this.deps.config.enrollment.leaseTtlMs;
    const leases = this.deps.repos.leases;
    this.lease = await leases.acquire(this.accountId, this.job.jobId, ttlMs);
    this.renewTimer = setInterval(
      () => {
        const held = this.lease;
        if (!held) return;
        leases
          .renew(held, ttlMs)
          .then((renewed) => {
            if (this.lease === held) this.lease = renewed;
          })
          .catch((err: unknown) => {
            this.log.warn({ err }, 'lease renewal failed; stopping the run');
            this.abort.abort(err);
          });
      },
      Math.max(500, Math.floor(ttlMs / 3)),
    );
    this.renewTimer.unref();
    try {
      return await fn();
    } finally {
      clearInterval(this.renewTimer);
      const held = this.lease;
      this.lease = null;
      if (held) await leases.release(held).catch(() => undefined);
    }
  }

  /** Runs a state write only while this run still holds the newest lease token. */
  async fenced<T>(write: () => Promise<T>): Promise<T> {
    if (!this.lease) throw new TransientError('lease_lost', 'state write outside the lease');
    await this.deps.repos.leases.assertCurrent(this.lease);
    return write();
  }

  /**
   * Appends an audit event for this account (details must be non-secret); a status-change
   * event is also enqueued for delivery as a webhook (queues/webhooks.ts).
   */
  async audit(action: string, details: Record<string, AuditDetailValue> = {}): Promise<void> {
    await recordEvent(this.deps, await this.account(), action, details, this.job.jobId, this.log);
  }

  /** Sets the 2FA state the main app reads (fenced) and audits the change. */
  async setTwoFactor(
    state: TwoFactorState,
    reason: string | null = null,
    message: string | null = null,
    extra: { ownerHasCopy?: boolean } = {},
  ): Promise<void> {
    await this.fenced(() =>
      this.deps.repos.accounts.setTwoFactor(
        this.accountId,
        { state, reason, message, ...extra },
        new Date(this.deps.clock.nowMs()),
      ),
    );
    await this.audit('two_factor.state_changed', {
      state,
      ...(reason ? { reason } : {}),
    });
  }

  /** Reports a step to `--wait` watchers and the log. */
  async step(name: string): Promise<void> {
    const now = this.deps.clock.nowMs();
    if (this.lastStep) {
      metrics.stepDuration.observe({ step: this.lastStep.name }, (now - this.lastStep.at) / 1000);
    }
    this.lastStep = { name, at: now };
    this.log.info({ step: name }, 'step');
    await this.job.progress(name);
  }

  /** Opens a sealed value of this account. */
  open(sealed: string, purpose: SecretPurpose): string {
    return this.deps.vault.open(sealed, { accountId: this.accountId, purpose });
  }

  /** Seals a value for this account. */
  seal(plaintext: string, purpose: SecretPurpose): string {
    return this.deps.vault.seal(plaintext, { accountId: this.accountId, purpose });
  }

  /** The account's e-mail, password, cookies and proxy, opened. */
  async credentials(): Promise<AccountCredentials> {
    const account = await this.account();
    const sealed = await this.deps.repos.accounts.loadSealedCredentials(this.accountId);
    if (!sealed) throw new AccountNotFoundError(this.accountId);
    if (!account.email) {
      throw new NeedsHumanError(
        'missing_credentials',
        `account ${this.accountId} has no e-mail to sign in with`,
        'Add the LinkedIn e-mail and password of the account.',
      );
    }
    let proxy: ProxySettings | null = null;
    if (account.proxyUrl) {
      const auth = sealed.proxyAuth ? this.open(sealed.proxyAuth, 'proxy_auth') : null;
      const full = new URL(joinProxyUrl(account.proxyUrl, auth));
      proxy = {
        server: account.proxyUrl,
        ...(full.username ? { username: decodeURIComponent(full.username) } : {}),
        ...(full.password ? { password: decodeURIComponent(full.password) } : {}),
      };
    }
    const session = sealed.cookies
      ? parseSession(this.open(sealed.cookies, 'cookies'))
      : { cookies: [], resume: null };
    const resume = session.resume && session.resume.until > this.deps.clock.nowMs();
    return {
      email: account.email,
      password: sealed.password ? this.open(sealed.password, 'password') : null,
      cookies: session.cookies,
      proxy,
      resumePath: resume ? session.resume.path : null,
    };
  }

  /**
   * Parks a login at a checkpoint: the context's cookies and the checkpoint's path are sealed
   * as the account's session, so any worker can come back to the same checkpoint (the code the
   * owner receives belongs to it) within `forMs`.
   */
  async saveCheckpoint(session: BrowserSession, path: string, forMs: number): Promise<void> {
    const stored = {
      cookies: storableCookies(await session.cookies()),
      resume: { path, until: this.deps.clock.nowMs() + forMs },
    };
    await this.fenced(() =>
      this.deps.repos.accounts.saveSealedCookies(
        this.accountId,
        this.seal(JSON.stringify(stored), 'cookies'),
      ),
    );
  }

  /** The password, or a needs-human error naming what is missing. */
  async password(): Promise<string> {
    const { password } = await this.credentials();
    if (!password) {
      throw new NeedsHumanError(
        'missing_password',
        `account ${this.accountId} has no stored password`,
        'Add the LinkedIn password of the account: LinkedIn asks for it to change two-step verification.',
      );
    }
    return password;
  }

  /**
   * Runs `fn` in a fresh browser context through the account's proxy, with its stored cookies
   * unless `fresh` (a clean login). Cookies of a context marked signed in are sealed and
   * stored (fenced) when `fn` ends, also when it parks or fails.
   */
  async browser<T>(opts: { fresh: boolean }, fn: (s: AccountSession) => Promise<T>): Promise<T> {
    const creds = await this.credentials();
    if (!creds.proxy && this.deps.config.challenge.requireProxy) {
      throw new NeedsHumanError(
        'proxy_required',
        `account ${this.accountId} has no proxy and REQUIRE_PROXY is on`,
        'Set the account’s fixed proxy: its browser only goes out through it.',
      );
    }
    const egress = creds.proxy ? await proxyAddresses(creds.proxy.server) : null;
    let egressError: PermanentError | null = null;
    let signedIn = false;
    return this.deps.fleet.withSession(
      {
        proxy: creds.proxy,
        // A login parked at a checkpoint resumes with that login's cookies, fresh or not.
        cookies: opts.fresh && !creds.resumePath ? [] : creds.cookies,
        signal: this.signal,
      },
      async (session) => {
        this.watchResponses(session, egress, (err) => {
          egressError ??= err;
          this.abort.abort(err);
        });
        const save = async (): Promise<void> => {
          if (!signedIn) return;
          const json = JSON.stringify(storableCookies(await session.cookies()));
          await this.fenced(() =>
            this.deps.repos.accounts.saveSealedCookies(this.accountId, this.seal(json, 'cookies')),
          );
        };
        try {
          const result = await fn({
            ...session,
            markSignedIn: () => (signedIn = true),
            resumePath: creds.resumePath,
          });
          await save();
          return result;
        } catch (err) {
          if (egressError) throw egressError;
          await save().catch((saveErr: unknown) =>
            this.log.warn({ err: saveErr }, 'could not save the session cookies'),
          );
          throw await this.storeSnapshot(err);
        }
      },
    );
  }

  /**
   * Watches the site's responses in this context: their Date headers feed the site clock, and
   * with a proxy each one must have come from the proxy's address (`egress`), else the run is
   * stopped with `proxy_bypassed` before anything else is sent.
   */
  private watchResponses(
    session: BrowserSession,
    egress: ReadonlySet<string> | null,
    refuse: (err: PermanentError) => void,
  ): void {
    const origin = new URL(this.deps.config.linkedin.baseUrl).origin;
    const started = new WeakMap<HTTPRequest, number>();
    session.page.on('request', (req) => started.set(req, this.deps.clock.nowMs()));
    session.page.on('response', (res) => {
      if (!res.url().startsWith(origin)) return;
      const peer = res.remoteAddress().ip;
      if (egress && peer && !egress.has(normaliseIp(peer))) {
        refuse(
          new PermanentError(
            'proxy_bypassed',
            `a response for account ${this.accountId} did not come through its proxy`,
          ),
        );
        return;
      }
      const date = res.headers()['date'];
      if (!date) return;
      const end = this.deps.clock.nowMs();
      this.deps.siteClock.observe(date, started.get(res.request()) ?? end, end);
    });
  }

  /**
   * An unknown screen's redacted snapshot is stored for the operator (audited as
   * `screen.unknown`) and the error continues with its id only. Other errors pass unchanged.
   */
  private async storeSnapshot(err: unknown): Promise<unknown> {
    if (!(err instanceof UnknownScreenError) || !err.snapshot) return err;
    try {
      const { url, title, html, screenshot } = err.snapshot;
      const id = await this.deps.repos.snapshots.save({
        accountId: this.accountId,
        queue: this.job.queue,
        jobId: this.job.jobId,
        message: err.message,
        url,
        title,
        html,
        screenshot,
      });
      await this.audit('screen.unknown', { snapshotId: id });
      this.log.warn({ snapshotId: id, url }, 'unknown screen: snapshot stored for the operator');
      return err.stored(id);
    } catch (saveErr) {
      this.log.warn({ err: saveErr }, 'could not store the unknown screen snapshot');
      return err;
    }
  }

  /**
   * A code for `key` whose time step this run has claimed in Mongo (no other worker can submit
   * that step), with at least TOTP_MIN_REMAINING_SECONDS left. Audited as a key use.
   */
  async claimedCode(key: SealedTwoFactorKey, purpose: string): Promise<TotpCode> {
    const totp = createTotp({
      clock: this.deps.clock,
      minRemainingSeconds: this.deps.config.totp.minRemainingSeconds,
      offsetMs: this.deps.siteClock.offsetMs(),
    });
    const code = await claimFreshCode(totp, this.open(key.sealedKey, 'totp_key'), {
      lastUsedStep: key.lastUsedStep,
      signal: this.signal,
      claim: (step) =>
        this.fenced(() =>
          this.deps.repos.twoFactorKeys.claimStep(this.accountId, key.version, step),
        ),
    });
    await this.audit('key.used', { version: key.version, purpose, step: code.step });
    return code;
  }

  /** The newest key of `states`, re-read (its lastUsedStep moves with every claim). */
  async key(which: 'active' | 'latest'): Promise<SealedTwoFactorKey | null> {
    const keys = this.deps.repos.twoFactorKeys;
    return which === 'active' ? keys.loadActive(this.accountId) : keys.loadLatest(this.accountId);
  }

  /** Fails the run when the key material cannot be used (never types a code for it). */
  static unusable(accountId: string, version: number): PermanentError {
    return new PermanentError(
      'key_readback_failed',
      `key version ${version} of account ${accountId} did not read back identical; nothing was submitted`,
    );
  }
}
