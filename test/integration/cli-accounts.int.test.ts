/**
 * The fleet CLI commands in process (`runCli` with a capturing io and an injected context on
 * this file's database and Redis prefix), plus one real process to prove the command closes
 * everything it opened. Jobs are run by an in-process worker with stub handlers: nothing here
 * opens a browser or contacts LinkedIn.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Queue, Worker } from 'bullmq';
import { Types } from 'mongoose';
import pino from 'pino';
import {
  closeConnections,
  createFleetClient,
  createProducer,
  JobName,
  QueueName,
  type Outcome,
  type Producer,
} from '../../queues';
import { currentEnv, type Config } from '../../shared/config';
import { createVault, type Vault } from '../../shared/crypto';
import type { Repositories } from '../../shared/db';
import { createDesiredStateRepo, type DesiredStateRepo } from '../../shared/db/desired-state.repo';
import { NeedsHumanError } from '../../shared/errors';
import { decodeQrPng } from '../../shared/qr';
import { createTotp, encodeBase32 } from '../../shared/totp';
import { systemClock } from '../../shared/clock';
import { runCli } from '../../scripts/cli';
import type { FleetContext } from '../../scripts/lib/fleet-context';
import { createWorker, toProcessor, type Handler } from '../../workers/runtime';
import { useTestRepositories, type TestDatabase } from '../helpers/mongo';
import { openTestRedis, type TestRedis } from '../helpers/redis';

const ROOT = resolve(__dirname, '..', '..');
const TSX_CLI = resolve(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const log = pino({ level: 'silent' });
const PASSWORD = 'cli-test-password-42';
const PROXY_PASS = 'cli-proxy-pass';

let t: TestRedis;
let db: TestDatabase;
let repos: Repositories;
let desired: DesiredStateRepo;
let vault: Vault;
let config: Config;
let producer: Producer;
let queue: Queue;
let worker: Worker<unknown, Outcome> | undefined;
let dir: string;
let contextsOpen = 0;

useTestRepositories('file', (opened) => {
  db = opened;
  repos = opened.repos;
});

beforeAll(async () => {
  t = openTestRedis();
  desired = createDesiredStateRepo(db.connection);
  await desired.init();
  vault = createVault(t.config);
  config = Object.freeze({
    ...t.config,
    toggle: Object.freeze({ cooldownSeconds: 0, dailyLimit: 1_000 }),
    enrollment: Object.freeze({ ...t.config.enrollment, qrRevealLimit: 3 }),
  });
  producer = createProducer({ config: t.config, log });
  queue = producer.queue(QueueName.Enrollment);
  dir = mkdtempSync(join(tmpdir(), 'cli-accounts-'));
});
afterEach(async () => {
  await worker?.close();
  worker = undefined;
  await queue.obliterate({ force: true });
  expect(contextsOpen).toBe(0);
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await producer.close();
  await closeConnections();
  await t.cleanup();
});

/** A context on this file's database and prefix; close() closes only what it opened. */
function contextFactory(overrides: Partial<Config> = {}) {
  return (): Promise<FleetContext> => {
    const cfg: Config = Object.freeze({ ...config, ...overrides });
    const client = createFleetClient({ config: cfg, repos, vault, desired, log });
    contextsOpen += 1;
    return Promise.resolve({
      config: cfg,
      log,
      repos,
      desired,
      vault,
      client,
      async close() {
        contextsOpen -= 1;
        await client.close();
      },
    });
  };
}

interface Run {
  code: number;
  out: string;
  err: string;
}

async function cli(
  argv: string[],
  opts: { stdin?: string; config?: Partial<Config> } = {},
): Promise<Run> {
  let out = '';
  let err = '';
  const code = await runCli(
    argv,
    { out: (s) => void (out += s), err: (s) => void (err += s) },
    {
      openContext: contextFactory(opts.config),
      readStdin: () => Promise.resolve(opts.stdin ?? ''),
      showStack: () => false,
    },
  );
  return { code, out, err };
}

/** Registers an account through the CLI; returns its id. */
async function addAccount(status: 'active' | 'checking' = 'active'): Promise<string> {
  const run = await cli(
    [
      'account:add',
      '--tenant',
      'tenant-cli',
      '--external-id',
      `ext-${randomUUID()}`,
      '--email',
      'owner@example.com',
      '--password-stdin',
      '--status',
      status,
    ],
    { stdin: `${PASSWORD}\n` },
  );
  expect(run).toMatchObject({ code: 0, err: '' });
  return run.out.trim();
}

async function withActiveKey(accountId: string): Promise<string> {
  const secret = encodeBase32(randomBytes(20));
  const sealed = vault.seal(secret, { accountId, purpose: 'totp_key' });
  const { version } = await repos.twoFactorKeys.savePending(accountId, sealed, 'enrollment');
  await repos.twoFactorKeys.activate(accountId, version);
  return secret;
}

function startWorker(handler: Handler<'reconcile-2fa'>): void {
  worker = createWorker(
    QueueName.Enrollment,
    toProcessor(JobName.Reconcile2fa, handler, { log, onFatal: jest.fn() }),
    { config: t.config, concurrency: 1, log },
  );
}

describe('account:add', () => {
  it('registers with the password from stdin, cookies from a file and a proxy', async () => {
    const cookiesFile = join(dir, 'cookies.json');
    writeFileSync(
      cookiesFile,
      JSON.stringify([{ name: 'li_at', value: 'cookie-value-1', domain: '.linkedin.com' }]),
    );
    const run = await cli(
      [
        'account:add',
        '--tenant',
        'tenant-cli',
        '--external-id',
        `ext-${randomUUID()}`,
        '--password-stdin',
        '--cookies-file',
        cookiesFile,
        '--proxy',
        `http://u:${PROXY_PASS}@proxy.example.net:8080`,
        '--json',
      ],
      { stdin: `${PASSWORD}\n` },
    );
    expect(run.code).toBe(0);
    const account = JSON.parse(run.out) as { id: string; status: string; proxyUrl: string };
    expect(account).toMatchObject({
      status: 'checking',
      hasPassword: true,
      hasCookies: true,
      proxyUrl: 'http://proxy.example.net:8080',
    });
    const raw = await db.connection
      .collection('accounts')
      .findOne({ _id: new Types.ObjectId(account.id) });
    expect(raw!.sealedPassword).toMatch(/^sb1\./);
    const text = JSON.stringify(raw) + run.out + run.err;
    for (const plain of [PASSWORD, PROXY_PASS, 'cookie-value-1']) expect(text).not.toContain(plain);
    const sealed = await repos.accounts.loadSealedCredentials(account.id);
    expect(vault.open(sealed!.password!, { accountId: account.id, purpose: 'password' })).toBe(
      PASSWORD,
    );
  });

  it('prints only the id without --json', async () => {
    expect(await addAccount()).toMatch(/^[0-9a-f]{24}$/);
  });

  it.each([
    [['account:add', '--external-id', 'x'], /--tenant is required/],
    [['account:add', '--tenant', 't', '--external-id', 'x', '--status', 'banned'], /status/],
    [['account:add', '--tenant', 't', '--external-id', 'x', '--bogus'], /unknown option/],
    [
      ['account:add', '--tenant', 't', '--external-id', 'x', '--cookies-file', '/nonexistent/c'],
      /cookies-file/,
    ],
    [['account:add', '--tenant', 't', '--external-id', 'x', '--proxy', 'nope'], /proxy/],
  ])('exits 2 on bad input %j', async (argv, message) => {
    const run = await cli(argv);
    expect(run).toMatchObject({ code: 2, out: '' });
    expect(run.err).toMatch(message);
  });
});

describe('account:show and 2fa:status', () => {
  it('shows status, 2FA state, desired state and key versions', async () => {
    const id = await addAccount();
    await withActiveKey(id);
    await cli(['2fa:enable', id]);
    const show = await cli(['account:show', id]);
    expect(show.code).toBe(0);
    expect(show.out).toMatch(/^status {10}active: /m);
    expect(show.out).toMatch(/^2fa {13}off/m);
    expect(show.out).toMatch(/^desired {9}on$/m);
    expect(show.out).toMatch(/^keys {12}v1 active \(enrollment/m);
    expect(show.out).toMatch(/^last check {6}-$/m);

    const asJson = JSON.parse((await cli(['account:show', id, '--json'])).out) as {
      desired: string;
      keys: unknown[];
    };
    expect(asJson).toMatchObject({ desired: 'on', keys: [{ version: 1, state: 'active' }] });

    const status = JSON.parse((await cli(['2fa:status', id, '--json'])).out) as object;
    expect(status).toMatchObject({
      accountId: id,
      state: 'off',
      ownerHasCopy: false,
      desired: 'on',
      activeKeyVersion: 1,
    });
    expect((await cli(['2fa:status', id])).out).toMatch(/^active key {4}v1$/m);
  });

  it('exits 1 with account_not_found for an unknown id, 2 for a malformed one', async () => {
    const id = new Types.ObjectId().toHexString();
    const run = await cli(['account:show', id]);
    expect(run).toMatchObject({ code: 1, out: '' });
    expect(run.err).toBe(`account_not_found: account ${id} does not exist\n`);
    expect((await cli(['2fa:status', 'nope'])).code).toBe(2);
    expect((await cli(['account:show'])).code).toBe(2);
  });
});

describe('2fa:enable / 2fa:disable', () => {
  it('refuses a non-active account with account_not_active and the instruction', async () => {
    const id = await addAccount('checking');
    const run = await cli(['2fa:enable', id]);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/^account_not_active: account \S+ is checking/);
    expect(run.err).toMatch(/Connect the account first/);
  });

  it('prints the job id, then with --wait each step and the outcome', async () => {
    const id = await addAccount();
    startWorker(async (_data, ctx) => {
      await ctx.progress('opening_settings');
      await ctx.progress('key_activated');
      return { status: 'done', detail: 'enabled', desired: 'on' };
    });
    const run = await cli(['2fa:enable', id, '--wait', '--timeout', '30']);
    expect(run).toMatchObject({ code: 0, err: '' });
    const lines = run.out.trim().split('\n');
    expect(lines[0]).toMatch(/^job \S+$/);
    expect(lines.slice(-1)).toEqual(['done enabled (desired on)']);
    expect(lines).toEqual(expect.arrayContaining(['step key_activated']));
  });

  it('exits 1 with the typed reason when the job fails', async () => {
    const id = await addAccount();
    startWorker(() =>
      Promise.reject(
        new NeedsHumanError('captcha', 'LinkedIn asked for a captcha', 'Sign in once.'),
      ),
    );
    const run = await cli(['2fa:enable', id, '--wait']);
    expect(run.code).toBe(1);
    expect(run.err).toBe('captcha: LinkedIn asked for a captcha\n');
  });

  it('prints the retry-after time when the toggle guard refuses', async () => {
    const id = await addAccount();
    const guarded = { toggle: { cooldownSeconds: 900, dailyLimit: 3 } };
    expect((await cli(['2fa:enable', id], { config: guarded })).code).toBe(0);
    const run = await cli(['2fa:disable', id], { config: guarded });
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/^toggle_cooldown: /m);
    expect(run.err).toMatch(/^retry after \d{4}-\d\d-\d\dT[\d:.]+Z/m);
    expect(run.err.match(/retry after/g)).toHaveLength(1);
  });

  it('exits 2 on a bad --timeout', async () => {
    const id = await addAccount();
    expect((await cli(['2fa:enable', id, '--wait', '--timeout', 'soon'])).code).toBe(2);
  });
});

describe('2fa:code:submit', () => {
  it('submits a code and prints the job; refuses a malformed code with 2', async () => {
    const id = await addAccount();
    const ok = await cli(['2fa:code:submit', id, '-'], { stdin: '482913\n' });
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^job \S+\n$/);
    expect(ok.out + ok.err).not.toContain('482913');
    expect((await repos.accounts.findById(id))!.hasEmailCode).toBe(true);

    const bad = await cli(['2fa:code:submit', id, '12x']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/code must be/);
  });
});

describe('2fa:import', () => {
  it('imports a key from stdin without echoing it', async () => {
    const id = await addAccount();
    const secret = encodeBase32(randomBytes(20));
    const run = await cli(['2fa:import', id, '-'], { stdin: `${secret}\n` });
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^job \S+ \(verifying key version 1\)\n$/);
    expect(run.out + run.err).not.toContain(secret);
    const again = await cli(['2fa:import', id, 'JBSWY3DPEHPK3PX1ZZ']);
    expect(again.code).toBe(2);
    expect(again.err).not.toContain('JBSWY3DP');
  });

  it('exits 1 with key_already_active when a key is active', async () => {
    const id = await addAccount();
    await withActiveKey(id);
    const run = await cli(['2fa:import', id, encodeBase32(randomBytes(20))]);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/^key_already_active: /);
  });
});

describe('2fa:qr', () => {
  it('writes a 0600 PNG, prints the QR in the terminal, then stops at the limit', async () => {
    const id = await addAccount();
    const secret = await withActiveKey(id);
    const png = join(dir, `qr-${randomUUID()}.png`);

    const first = await cli(['2fa:qr', id, '--png', png]);
    expect(first).toMatchObject({ code: 0, err: '' });
    expect(first.out).toBe(`wrote ${png} (mode 600)\n2 reveal(s) left in the next 24 hours\n`);
    expect(statSync(png).mode & 0o777).toBe(0o600);
    expect(decodeQrPng(readFileSync(png))).toContain(`secret=${secret}`);

    const exists = await cli(['2fa:qr', id, '--png', png]);
    expect(exists.code).toBe(2);

    const terminal = await cli(['2fa:qr', id]);
    expect(terminal.code).toBe(0);
    expect(terminal.out).toMatch(/[▀▄█]/);
    expect(terminal.out).not.toContain(secret);
    expect(terminal.out).toMatch(/1 reveal\(s\) left/);

    expect((await cli(['2fa:qr', id])).code).toBe(0);
    const limited = await cli(['2fa:qr', id, '--png', join(dir, 'never.png')]);
    expect(limited.code).toBe(1);
    expect(limited.err).toMatch(/^qr_reveal_limited: /);
    expect(limited.err).toMatch(/^retry after /m);
    expect(() => statSync(join(dir, 'never.png'))).toThrow();
  });

  it('exits 1 with no_active_key without a key', async () => {
    const id = await addAccount();
    const run = await cli(['2fa:qr', id]);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/^no_active_key: /);
  });
});

describe('2fa:confirm-owner', () => {
  it('confirms with a current code and refuses a wrong one', async () => {
    const id = await addAccount();
    const secret = await withActiveKey(id);
    const totp = createTotp({ clock: systemClock });
    const wrong = totp.codeAt(secret, Date.now() + 120_000).code;
    const bad = await cli(['2fa:confirm-owner', id, wrong]);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/^owner_code_mismatch: /);

    const good = await cli(['2fa:confirm-owner', id, totp.codeAt(secret, Date.now()).code]);
    expect(good).toMatchObject({ code: 0, out: 'owner holds a copy of the key\n' });
    expect((await repos.accounts.findById(id))!.twoFactor.ownerHasCopy).toBe(true);
  });
});

describe('a real process', () => {
  it('runs account:show on the real context and exits once done', async () => {
    const id = await addAccount();
    const url = new URL(config.mongo.url);
    url.pathname = `/${db.dbName}`;
    const r = spawnSync(process.execPath, [TSX_CLI, 'scripts/cli.ts', 'account:show', id], {
      cwd: ROOT,
      encoding: 'utf8',
      env: currentEnv({ MONGO_URL: url.toString(), REDIS_PREFIX: t.prefix, LOG_LEVEL: '' }),
      // One tsx start is 1–2 s on these shared 2-core machines; a hang would hit this.
      timeout: 30_000,
    });
    expect(r.error).toBeUndefined();
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^account {9}${id}$`, 'm'));
  });
});
