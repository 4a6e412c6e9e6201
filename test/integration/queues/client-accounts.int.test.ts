/**
 * The fleet client's account and key methods on real Redis and FerretDB: registration seals
 * every secret (read back from the raw collection), status rules for enable, the emailed-code
 * hand-off that wakes a parked job, key import, the QR reveal limit and the owner's check.
 * Nothing here opens a browser or contacts LinkedIn.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import { Types } from 'mongoose';
import pino from 'pino';
import {
  closeConnections,
  createFleetClient,
  createProducer,
  JobName,
  QueueName,
  QrRevealLimitError,
  type FleetClient,
  type Producer,
} from '../../../queues';
import type { Config } from '../../../shared/config';
import { createVault, type Vault } from '../../../shared/crypto';
import {
  AccountNotActiveError,
  AccountNotFoundError,
  type AccountRecord,
  type Repositories,
} from '../../../shared/db';
import {
  createDesiredStateRepo,
  type DesiredStateRepo,
} from '../../../shared/db/desired-state.repo';
import { ValidationError } from '../../../shared/errors';
import { decodeQrPng } from '../../../shared/qr';
import { createTotp, encodeBase32 } from '../../../shared/totp';
import { createFakeClock, type FakeClock } from '../../helpers/fake-clock';
import { useTestRepositories, type TestDatabase } from '../../helpers/mongo';
import { openTestRedis, type TestRedis } from '../../helpers/redis';

const log = pino({ level: 'silent' });
const cli = { actor: 'cli' };
const DAY_MS = 24 * 3_600_000;
const PASSWORD = 'hunter2-correct-horse';
const PROXY_PASS = 's3cr3t-proxy-pass';
const COOKIE_VALUE = 'AQEDAR-li_at-cookie-value';
/** A cookie jar as the Cookie-Editor extension exports it. */
const EXPORTED_COOKIES = JSON.stringify([
  {
    domain: '.linkedin.com',
    expirationDate: 1_900_000_000,
    hostOnly: false,
    httpOnly: true,
    name: 'li_at',
    path: '/',
    sameSite: 'no_restriction',
    secure: true,
    session: false,
    storeId: '0',
    value: COOKIE_VALUE,
  },
]);

let t: TestRedis;
let db: TestDatabase;
let repos: Repositories;
let desired: DesiredStateRepo;
let vault: Vault;
let clock: FakeClock;
let client: FleetClient;
let producer: Producer;
let enrollment: Queue;

useTestRepositories('file', (opened) => {
  db = opened;
  repos = opened.repos;
});

beforeAll(async () => {
  t = openTestRedis();
  desired = createDesiredStateRepo(db.connection);
  await desired.init();
  vault = createVault(t.config);
  clock = createFakeClock(Date.now());
  const config: Config = Object.freeze({
    ...t.config,
    toggle: Object.freeze({ cooldownSeconds: 0, dailyLimit: 1_000 }),
    enrollment: Object.freeze({ ...t.config.enrollment, qrRevealLimit: 3 }),
  });
  client = createFleetClient({ config, repos, vault, desired, clock, log });
  producer = createProducer({ config: t.config, log });
  enrollment = producer.queue(QueueName.Enrollment);
});
afterEach(async () => {
  await enrollment.obliterate({ force: true });
});
afterAll(async () => {
  await client.close();
  await producer.close();
  await closeConnections();
  await t.cleanup();
});

let serial = 0;
/** Registers an account with a password (status as given). */
function register(status: 'active' | 'checking' | 'disconnected' = 'active') {
  serial += 1;
  return client.registerAccount(
    {
      tenantId: 'tenant-a',
      externalId: `ext-${serial}-${randomUUID()}`,
      email: `owner${serial}@example.com`,
      password: PASSWORD,
      status,
    },
    cli,
  );
}

/** Gives the account an active key, as a finished enrollment would; returns the key. */
async function withActiveKey(account: AccountRecord): Promise<string> {
  const secret = encodeBase32(randomBytes(20));
  const sealed = vault.seal(secret, { accountId: account.id, purpose: 'totp_key' });
  const { version } = await repos.twoFactorKeys.savePending(account.id, sealed, 'enrollment');
  await repos.twoFactorKeys.activate(account.id, version);
  return secret;
}

function rawAccount(id: string) {
  return db.connection.collection('accounts').findOne({ _id: new Types.ObjectId(id) });
}

async function auditActions(accountId: string): Promise<string[]> {
  const page = await repos.audit.list(accountId, { limit: 100 });
  return page.events.map((e) => e.action).reverse();
}

async function jobCount(): Promise<number> {
  const counts = await enrollment.getJobCounts();
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

describe('registerAccount', () => {
  it('seals password, cookies and proxy auth; Mongo holds sb1. strings, never the plaintext', async () => {
    const account = await client.registerAccount(
      {
        tenantId: 'tenant-a',
        externalId: `ext-${randomUUID()}`,
        email: 'Owner@Example.com',
        password: PASSWORD,
        cookies: EXPORTED_COOKIES,
        proxy: `http://proxyuser:${PROXY_PASS}@proxy.example.net:3128`,
      },
      cli,
    );
    expect(account).toMatchObject({
      status: 'checking',
      hasPassword: true,
      hasCookies: true,
      email: 'owner@example.com',
      proxyUrl: 'http://proxy.example.net:3128',
    });

    const raw = (await rawAccount(account.id))!;
    for (const field of ['sealedPassword', 'sealedCookies', 'sealedProxyAuth']) {
      expect(raw[field]).toMatch(/^sb1\./);
    }
    const text = JSON.stringify(raw);
    for (const plain of [PASSWORD, PROXY_PASS, COOKIE_VALUE, 'proxyuser']) {
      expect(text).not.toContain(plain);
    }
    const bind = (purpose: 'password' | 'cookies' | 'proxy_auth') => ({
      accountId: account.id,
      purpose,
    });
    expect(vault.open(raw.sealedPassword as string, bind('password'))).toBe(PASSWORD);
    expect(vault.open(raw.sealedProxyAuth as string, bind('proxy_auth'))).toBe(
      `proxyuser:${PROXY_PASS}`,
    );
    // Normalised to the shape the workers restore: expires, SameSite=None, no extension fields.
    expect(JSON.parse(vault.open(raw.sealedCookies as string, bind('cookies')))).toEqual([
      {
        name: 'li_at',
        value: COOKIE_VALUE,
        domain: '.linkedin.com',
        path: '/',
        expires: 1_900_000_000,
        httpOnly: true,
        secure: true,
        sameSite: 'None',
      },
    ]);

    const [event] = (await repos.audit.list(account.id)).events;
    expect(event).toMatchObject({
      action: 'account.created',
      actor: 'cli',
      tenantId: 'tenant-a',
      details: { credentials: 'password+cookies', hasProxy: true, status: 'checking' },
    });
  });

  it('applies the status rules: incomplete without credentials, else the given status', async () => {
    const bare = await client.registerAccount(
      { tenantId: 'tenant-a', externalId: `ext-${randomUUID()}`, status: 'active' },
      cli,
    );
    expect(bare).toMatchObject({ status: 'incomplete', statusReason: 'missing_credentials' });
    expect((await register('active')).status).toBe('active');
    expect((await register('disconnected')).status).toBe('disconnected');
  });

  it.each([
    [{ status: 'banned' }, 'status'],
    [{ email: 'not-an-email' }, 'email'],
    [{ cookies: '{"not":"an array"}' }, 'cookies'],
    [{ cookies: 'not json' }, 'cookies'],
    [{ cookies: JSON.stringify([{ name: 'li_at', value: 'x' }]) }, 'cookies'],
    [{ proxy: 'ftp://proxy.example.net:21' }, 'proxy'],
    [{ tenantId: '' }, 'tenantId'],
  ])('refuses %j with a ValidationError naming %s, creating nothing', async (patch, field) => {
    const externalId = `ext-${randomUUID()}`;
    const err: unknown = await client
      .registerAccount(
        { tenantId: 'tenant-a', externalId, password: PASSWORD, ...patch } as never,
        cli,
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toMatchObject({ field });
    expect(String((err as Error).message)).not.toContain(PASSWORD);
    expect(await repos.accounts.findByExternalId('tenant-a', externalId)).toBeNull();
  });

  it('refuses an actor outside the audit format', async () => {
    await expect(
      client.registerAccount({ tenantId: 't', externalId: 'x' }, { actor: 'owner:123' }),
    ).rejects.toMatchObject({ code: 'invalid_input', field: 'actor' });
  });
});

describe('getAccount', () => {
  it('returns the account, its desired state and key versions', async () => {
    const account = await register();
    expect(await client.getAccount(account.id)).toEqual({
      account,
      desired: null,
      keys: [],
      nextCheckAt: null,
    });
    await withActiveKey(account);
    await client.enable(account.id, cli);
    const view = await client.getAccount(account.id);
    expect(view.desired).toBe('on');
    expect(view.keys).toEqual([
      {
        version: 1,
        state: 'active',
        source: 'enrollment',
        createdAt: expect.any(Date) as Date,
        activatedAt: expect.any(Date) as Date,
      },
    ]);
  });

  it('throws AccountNotFoundError for an unknown id and ValidationError for a malformed one', async () => {
    await expect(client.getAccount(repos.accounts.newId())).rejects.toBeInstanceOf(
      AccountNotFoundError,
    );
    await expect(client.getAccount('nope')).rejects.toMatchObject({ field: 'accountId' });
  });
});

describe('enable / disable', () => {
  it('refuses enable on an account that is not active, before the guard and the queue', async () => {
    const account = await register('checking');
    const err: unknown = await client.enable(account.id, cli).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AccountNotActiveError);
    expect(err).toMatchObject({ code: 'account_not_active' });
    expect(await desired.getDesired(account.id)).toBeNull();
    expect(await jobCount()).toBe(0);
  });

  it('refuses an unknown account with account_not_found', async () => {
    const id = repos.accounts.newId();
    await expect(client.enable(id, cli)).rejects.toMatchObject({ code: 'account_not_found' });
    await expect(client.disable(id, cli)).rejects.toMatchObject({ code: 'account_not_found' });
    expect(await jobCount()).toBe(0);
  });

  it('enqueues for an active account and audits the request with the job id', async () => {
    const account = await register('active');
    const { jobId } = await client.enable(account.id, cli);
    const off = await client.disable(account.id, { actor: 'api:main-app' });
    expect(off.jobId).toBe(jobId);
    const { events } = await repos.audit.list(account.id);
    expect(events.slice(0, 2).map((e) => [e.action, e.actor, e.jobId])).toEqual([
      ['two_factor.disable_requested', 'api:main-app', jobId],
      ['two_factor.enable_requested', 'cli', jobId],
    ]);
  });

  it('allows disable on an account that is not active', async () => {
    const account = await register('disconnected');
    await expect(client.disable(account.id, cli)).resolves.toMatchObject({ desired: 'off' });
  });
});

describe('submitEmailCode', () => {
  it('seals the code, audits it, and promotes the job parked waiting for it', async () => {
    const account = await register();
    // A reconcile job parked by RetryLaterError: delayed, holding the account's dedup id.
    const parked = await enrollment.add(
      JobName.Reconcile2fa,
      { v: 1, accountId: account.id, requestId: 'r-parked', reason: 'owner_request' },
      { jobId: randomUUID(), delay: 600_000, deduplication: { id: `reconcile-2fa_${account.id}` } },
    );
    expect(await parked.getState()).toBe('delayed');

    const result = await client.submitEmailCode(account.id, '123 456', cli);
    expect(result).toEqual({ jobId: parked.id, promoted: true });
    expect(await enrollment.getJobState(parked.id!)).toBe('waiting');
    expect(await jobCount()).toBe(1);

    const raw = (await rawAccount(account.id))!;
    expect(raw.sealedEmailCode).toMatch(/^sb1\./);
    expect(JSON.stringify(raw)).not.toContain('123456');
    const sealed = await repos.accounts.takeSealedEmailCode(account.id);
    expect(vault.open(sealed!, { accountId: account.id, purpose: 'email_code' })).toBe('123456');
    const { events } = await repos.audit.list(account.id);
    expect(events[0]).toMatchObject({ action: 'email_code.submitted', details: {} });
  });

  it('wakes a parked verify-imported-key job rather than starting a reconcile', async () => {
    const account = await register();
    const queue = producer.queue(QueueName.Enrollment);
    const parked = await queue.add(
      JobName.VerifyImportedKey,
      { v: 1, accountId: account.id, requestId: 'r-verify' },
      {
        jobId: randomUUID(),
        delay: 600_000,
        deduplication: { id: `verify-imported-key_${account.id}` },
      },
    );
    await expect(client.submitEmailCode(account.id, '654321', cli)).resolves.toEqual({
      jobId: parked.id,
      promoted: true,
    });
    expect(await jobCount()).toBe(1);
  });

  it('enqueues a reconcile job when none is queued', async () => {
    const account = await register();
    const { jobId, promoted } = await client.submitEmailCode(account.id, '0042', cli);
    expect(promoted).toBe(false);
    const job = (await enrollment.getJob(jobId))!;
    expect(job.name).toBe(JobName.Reconcile2fa);
    expect(Object.keys(job.data as object).sort()).toEqual([
      'accountId',
      'reason',
      'requestId',
      'v',
    ]);
  });

  it.each(['12', '123456789', '12a456', ''])('refuses code %j', async (code) => {
    const account = await register();
    await expect(client.submitEmailCode(account.id, code, cli)).rejects.toMatchObject({
      code: 'invalid_input',
      field: 'code',
    });
    expect((await repos.accounts.findById(account.id))!.hasEmailCode).toBe(false);
  });
});

describe('importKey', () => {
  it('stores a pending imported version and enqueues its verification, ids only', async () => {
    const account = await register();
    const secret = encodeBase32(randomBytes(20));
    const spaced = secret.toLowerCase().replace(/(.{4})/g, '$1 ');
    const { jobId, version } = await client.importKey(account.id, spaced, cli);
    expect(version).toBe(1);
    const [key] = await repos.twoFactorKeys.list(account.id);
    expect(key).toMatchObject({ version: 1, state: 'pending', source: 'import' });
    const latest = await repos.twoFactorKeys.loadLatest(account.id);
    expect(latest!.sealedKey).toMatch(/^sb1\./);
    expect(vault.open(latest!.sealedKey, { accountId: account.id, purpose: 'totp_key' })).toBe(
      secret,
    );

    const job = (await enrollment.getJob(jobId))!;
    expect(job.name).toBe(JobName.VerifyImportedKey);
    expect(job.data).toEqual({
      v: 1,
      accountId: account.id,
      requestId: expect.any(String) as string,
      reason: 'owner_request',
    });
    expect(JSON.stringify(job.data)).not.toContain(secret);
    const { events } = await repos.audit.list(account.id);
    expect(events[0]).toMatchObject({ action: 'key.imported', details: { version: 1 } });
  });

  it('accepts an otpauth URI with LinkedIn parameters and refuses others', async () => {
    const account = await register();
    const secret = encodeBase32(randomBytes(10));
    const uri = `otpauth://totp/LinkedIn:owner%40example.com?secret=${secret}&issuer=LinkedIn`;
    await expect(client.importKey(account.id, uri, cli)).resolves.toMatchObject({ version: 1 });
    for (const [param, field] of [
      ['algorithm=SHA256', 'algorithm'],
      ['digits=8', 'digits'],
      ['period=60', 'period'],
    ] as const) {
      const err: unknown = await client
        .importKey(account.id, `${uri}&${param}`, cli)
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'invalid_input', field });
      expect((err as Error).message).not.toContain(secret);
    }
  });

  it('refuses a malformed key without echoing it', async () => {
    const account = await register();
    const bad = 'JBSWY3DPEHPK3PX1ZZ';
    const err: unknown = await client.importKey(account.id, bad, cli).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'invalid_input', field: 'key' });
    expect((err as Error).message).not.toContain('JBSWY3DP');
  });

  it('refuses with key_already_active while a key is active', async () => {
    const account = await register();
    await withActiveKey(account);
    await expect(
      client.importKey(account.id, encodeBase32(randomBytes(20)), cli),
    ).rejects.toMatchObject({ code: 'key_already_active' });
    expect(await jobCount()).toBe(0);
  });
});

describe('revealQr', () => {
  it('refuses without an active key', async () => {
    const account = await register();
    await expect(client.revealQr(account.id, cli)).rejects.toMatchObject({
      code: 'no_active_key',
    });
  });

  it('reveals 3 times per 24 h, audits each, then refuses with retryAfter', async () => {
    const account = await register();
    const secret = await withActiveKey(account);
    const firstAt = clock.nowMs();
    const remaining: number[] = [];
    for (let i = 0; i < 3; i++) {
      const qr = await client.revealQr(account.id, cli);
      remaining.push(qr.remainingReveals);
      expect(qr.uri).toBe(
        `otpauth://totp/LinkedIn:${encodeURIComponent(account.email!)}?secret=${secret}&issuer=LinkedIn`,
      );
      expect(decodeQrPng(qr.png)).toBe(qr.uri);
      expect(qr.svg).toMatch(/^<svg/);
      await clock.advance(60_000);
    }
    expect(remaining).toEqual([2, 1, 0]);

    const err: unknown = await client.revealQr(account.id, cli).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QrRevealLimitError);
    expect(err).toMatchObject({ code: 'qr_reveal_limited' });
    expect((err as QrRevealLimitError).retryAfter.getTime()).toBe(firstAt + DAY_MS);
    const actions = await auditActions(account.id);
    expect(actions.filter((a) => a === 'key.revealed')).toHaveLength(3);
    const { events } = await repos.audit.list(account.id);
    expect(events[0]).toMatchObject({ action: 'key.revealed', details: { version: 1 } });

    // Once the first reveal leaves the window, one more is allowed.
    await clock.advance(firstAt + DAY_MS - clock.nowMs());
    await expect(client.revealQr(account.id, cli)).resolves.toMatchObject({
      remainingReveals: 0,
    });
  });
});

describe('confirmOwnerCopy', () => {
  it('sets ownerHasCopy on a current code of the active key, audited', async () => {
    const account = await register();
    const secret = await withActiveKey(account);
    const { code } = createTotp({ clock }).codeAt(secret, clock.nowMs());
    await expect(client.confirmOwnerCopy(account.id, code, cli)).resolves.toEqual({
      ownerHasCopy: true,
    });
    expect((await repos.accounts.findById(account.id))!.twoFactor.ownerHasCopy).toBe(true);
    const { events } = await repos.audit.list(account.id);
    expect(events[0]).toMatchObject({ action: 'key.owner_confirmed', details: { version: 1 } });
  });

  it('refuses a wrong code with owner_code_mismatch and audits the check', async () => {
    const account = await register();
    const secret = await withActiveKey(account);
    // A code three steps ahead: outside the ±1 window.
    const { code } = createTotp({ clock }).codeAt(secret, clock.nowMs() + 90_000);
    await expect(client.confirmOwnerCopy(account.id, code, cli)).rejects.toMatchObject({
      code: 'owner_code_mismatch',
    });
    expect((await repos.accounts.findById(account.id))!.twoFactor.ownerHasCopy).toBe(false);
    expect(await auditActions(account.id)).toContain('key.owner_check_failed');
  });

  it('refuses a malformed code and an account without an active key', async () => {
    const account = await register();
    await expect(client.confirmOwnerCopy(account.id, '12345', cli)).rejects.toMatchObject({
      field: 'code',
    });
    await expect(client.confirmOwnerCopy(account.id, '123456', cli)).rejects.toMatchObject({
      code: 'no_active_key',
    });
  });
});
