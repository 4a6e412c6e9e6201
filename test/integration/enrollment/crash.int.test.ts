/**
 * Crash safety: an enrollment worker in a separate process is killed with SIGKILL at each
 * crash point (CRASH_POINTS, test-only). Right after the kill, and again once another worker
 * has resumed and finished the job, the invariant must hold: if the simulator says 2FA is on,
 * we hold a decryptable key that the simulator uses.
 */
import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { currentEnv } from '../../../shared/config';
import { createFleetClient, type FleetClient } from '../../../queues/client';
import { CRASH_POINTS } from '../../../workers/crash-points';
import { useTestFleet, type TestFleet } from '../../helpers/fleet';
import { uniqueEmail } from '../../helpers/simulator';

// A resumed run may wait out two TOTP steps (the killed run spent one) plus the lease expiry.
jest.setTimeout(150_000);

const ROOT = resolve(__dirname, '..', '..', '..');
const TSX_CLI = resolve(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const PASSWORD = 'crash-test-password';
let f: TestFleet;
let client: FleetClient;
useTestFleet(
  {},
  (fleet) => {
    f = fleet;
    client = createFleetClient({
      config: f.config,
      desired: f.desired,
      repos: f.repos,
      vault: f.vault,
      limits: { cooldownSeconds: 0, dailyLimit: 100 },
    });
  },
  { worker: false },
);
afterAll(() => client?.close());

/** `npm run worker:enrollment` as a child process on this file's fleet. */
function workerProcess(env: Record<string, string>) {
  const child = spawn(process.execPath, [TSX_CLI, 'workers/enrollment/main.ts'], {
    cwd: ROOT,
    env: currentEnv({
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      REDIS_URL: f.config.redis.url,
      REDIS_PREFIX: f.config.redis.prefix,
      MONGO_URL: f.config.mongo.url,
      LINKEDIN_BASE_URL: f.config.linkedin.baseUrl,
      ...(f.config.browser.executablePath
        ? { CHROMIUM_PATH: f.config.browser.executablePath }
        : {}),
      LEASE_TTL_SECONDS: '2',
      WORKER_LOCK_MS: '2000',
      WORKER_STALLED_INTERVAL_MS: '1000',
      ENROLLMENT_CONCURRENCY: '1',
      ...env,
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null }>((r) =>
    child.on('exit', (code, signal) => r({ code, signal })),
  );
  return { child, exited, output: () => output };
}

/** Runs a worker armed at `point` until it kills itself; its exit signal. */
async function crashingWorker(point: string): Promise<string> {
  const w = workerProcess({ CRASH_POINTS: point });
  const timer = setTimeout(() => w.child.kill('SIGKILL'), 45_000);
  const { code, signal } = await w.exited;
  clearTimeout(timer);
  // tsx runs the script in a child process and reports its SIGKILL as exit code 137.
  return signal === 'SIGKILL' || code === 137
    ? 'SIGKILL'
    : `${code} ${signal} ${w.output().slice(-1500)}`;
}

async function registerAccount(tag: string, sim: Record<string, unknown> = {}) {
  const email = uniqueEmail(tag);
  await f.sim.createAccount({ email, password: PASSWORD, identityCheck: 'none', ...sim });
  const id = f.repos.accounts.newId();
  await f.repos.accounts.create({
    id,
    tenantId: 'tenant-crash',
    externalId: email,
    email,
    status: 'active',
    sealedPassword: f.vault.seal(PASSWORD, { accountId: id, purpose: 'password' }),
  });
  return { id, email };
}

/** A port nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolvePort) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolvePort(port));
    });
  });
}

async function until(what: string, ok: () => Promise<boolean>, timeoutMs = 45_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** If the simulator says on, we hold a decryptable key it uses (the newest usable one). */
async function expectInvariant(id: string, email: string): Promise<void> {
  const view = await f.sim.account(email);
  if (!view.twoFactor.enabled) return;
  const key = await f.repos.twoFactorKeys.loadLatest(id);
  expect(key).not.toBeNull();
  expect(f.vault.open(key!.sealedKey, { accountId: id, purpose: 'totp_key' })).toBe(
    view.twoFactor.key,
  );
}

/** After the resumed job: LinkedIn on, our active key is the one it uses, our state `on`. */
async function expectEnrolled(id: string, email: string): Promise<void> {
  const view = await f.sim.account(email);
  expect(view.twoFactor.enabled).toBe(true);
  await expectInvariant(id, email);
  const active = await f.repos.twoFactorKeys.loadActive(id);
  expect(f.vault.open(active!.sealedKey, { accountId: id, purpose: 'totp_key' })).toBe(
    view.twoFactor.key,
  );
  expect((await f.repos.accounts.findById(id))?.twoFactor.state).toBe('on');
}

describe.each(CRASH_POINTS)('SIGKILL at %s', (point) => {
  it('is resumed by another worker and never locks the owner out', async () => {
    const { id, email } = await registerAccount(`crash-${point}`);
    const { jobId } = await client.enable(id, { actor: 'cli' });

    expect(await crashingWorker(point)).toBe('SIGKILL');
    await expectInvariant(id, email);

    const resumer = await f.startWorker();
    try {
      const outcome = await client.waitForOutcome(jobId, { timeoutMs: 100_000 });
      expect(outcome).toMatchObject({ status: 'completed' });
    } finally {
      await resumer.close();
    }
    await expectEnrolled(id, email);
  });
});

describe('SIGTERM', () => {
  it('hands a job waiting in place back after the grace period, exits 0, and another worker finishes it', async () => {
    const { id, email } = await registerAccount('sigterm', { identityCheck: 'app_approval' });
    const { jobId } = await client.enable(id, { actor: 'cli' });
    const metricsPort = await freePort();
    const w = workerProcess({
      LOG_LEVEL: 'info',
      APPROVAL_WAIT_SECONDS: '120',
      WORKER_SHUTDOWN_GRACE_MS: '1000',
      WORKER_METRICS_PORT: String(metricsPort),
    });
    const awaitingApproval = async () =>
      (await f.repos.accounts.findById(id))?.twoFactor.state === 'awaiting_app_approval';
    await until('the approval wait', awaitingApproval);
    const queue = f.producer.queue('enrollment');
    expect(await queue.getJobState(jobId)).toBe('active');
    // The worker process serves its own metrics: one context open, steps timed.
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).toContain('li2fa_browser_contexts_open 1');
    expect(metrics).toMatch(/li2fa_step_duration_seconds_count\{step="settings_opened"\} 1/);

    w.child.kill('SIGTERM');
    const timer = setTimeout(() => w.child.kill('SIGKILL'), 30_000);
    const exit = await w.exited;
    clearTimeout(timer);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(w.output()).toContain('job handed back on shutdown');
    expect(w.output()).toContain('"msg":"stopped"');
    const job = await queue.getJob(jobId);
    expect(['delayed', 'waiting', 'wait']).toContain(await job!.getState());
    expect(job!.attemptsMade).toBe(0);
    expect((await f.sim.account(email)).twoFactor.enabled).toBe(false);

    const resumer = await f.startWorker();
    try {
      // The owner taps Yes on whichever approval is pending now, until the job is done (the
      // first worker's request is stale: the resumed run asks again).
      let done = false;
      const approving = (async () => {
        while (!done) {
          await f.sim.control('POST', `/__sim/accounts/${encodeURIComponent(email)}/approve`);
          await new Promise((r) => setTimeout(r, 500));
        }
      })();
      const outcome = await client
        .waitForOutcome(jobId, { timeoutMs: 90_000 })
        .finally(() => (done = true));
      await approving;
      expect(outcome).toMatchObject({ status: 'completed' });
    } finally {
      await resumer.close();
    }
    await expectEnrolled(id, email);
  });
});
