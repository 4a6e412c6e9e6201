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
import type { Cookie, CookieData } from 'puppeteer-core';
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
import { createTotp, type TotpCode } from '../shared/totp';
import type { Producer } from '../queues/producer';
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
  /** Audit actor of this process: `worker:<name>`. */
  readonly actor: string;
}

/** The opened first-factor credentials of an account. Secret: never log. */
export interface AccountCredentials {
  readonly email: string;
  readonly password: string | null;
  readonly cookies: readonly CookieData[];
  readonly proxy: ProxySettings | null;
}

/** A browser context of the account, plus the flag that its cookies are worth keeping. */
export interface AccountSession extends BrowserSession {
  /** Call once the context is signed in: its cookies are sealed and stored when it closes. */
  markSignedIn(): void;
}

/** Codes tried per account and claimed step before giving up on finding a free step. */
const MAX_CLAIM_ATTEMPTS = 3;

/** Parses stored cookies (JSON array of cookie objects); anything else is no cookies. */
function parseCookies(json: string): CookieData[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value)
      ? value.filter(
          (c): c is CookieData =>
            typeof c === 'object' &&
            c !== null &&
            typeof (c as CookieData).name === 'string' &&
            typeof (c as CookieData).value === 'string',
        )
      : [];
  } catch {
    return [];
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

/** One job's run on one account; see the module comment. */
export class AccountRun {
  private lease: Lease | null = null;
  private renewTimer: NodeJS.Timeout | undefined;
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

  /** Appends an audit event for this account (details must be non-secret). */
  async audit(action: string, details: Record<string, AuditDetailValue> = {}): Promise<void> {
    const account = await this.account();
    await this.deps.repos.audit.record({
      tenantId: account.tenantId,
      accountId: this.accountId,
      actor: this.deps.actor,
      action,
      jobId: this.job.jobId,
      details,
    });
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
    return {
      email: account.email,
      password: sealed.password ? this.open(sealed.password, 'password') : null,
      cookies: sealed.cookies ? parseCookies(this.open(sealed.cookies, 'cookies')) : [],
      proxy,
    };
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
    let signedIn = false;
    return this.deps.fleet.withSession(
      {
        proxy: creds.proxy,
        cookies: opts.fresh ? [] : creds.cookies,
        signal: this.signal,
      },
      async (session) => {
        const save = async (): Promise<void> => {
          if (!signedIn) return;
          const json = JSON.stringify(storableCookies(await session.cookies()));
          await this.fenced(() =>
            this.deps.repos.accounts.saveSealedCookies(this.accountId, this.seal(json, 'cookies')),
          );
        };
        try {
          const result = await fn({ ...session, markSignedIn: () => (signedIn = true) });
          await save();
          return result;
        } catch (err) {
          await save().catch((saveErr: unknown) =>
            this.log.warn({ err: saveErr }, 'could not save the session cookies'),
          );
          throw await this.storeSnapshot(err);
        }
      },
    );
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
    });
    const secret = this.open(key.sealedKey, 'totp_key');
    let lastUsedStep = key.lastUsedStep;
    for (let attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++) {
      const code = await totp.freshCode(secret, { lastUsedStep, signal: this.signal });
      const claimed = await this.fenced(() =>
        this.deps.repos.twoFactorKeys.claimStep(this.accountId, key.version, code.step),
      );
      if (claimed) {
        await this.audit('key.used', { version: key.version, purpose, step: code.step });
        return code;
      }
      lastUsedStep = code.step;
    }
    throw new TransientError(
      'totp_step_contended',
      `no free TOTP step for account ${this.accountId} after ${MAX_CLAIM_ATTEMPTS} tries`,
    );
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
