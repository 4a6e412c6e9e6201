/**
 * Crash safety: an enrollment worker in a separate process is killed with SIGKILL at each
 * crash point (CRASH_POINTS, test-only). Right after the kill, and again once another worker
 * has resumed and finished the job, the invariant must hold: if the simulator says 2FA is on,
 * we hold a decryptable key that the simulator uses.
 */
import { spawn } from 'node:child_process';
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

/** Runs `npm run worker:enrollment` armed at `point` until it kills itself; its exit signal. */
function crashingWorker(point: string): Promise<string> {
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
      CRASH_POINTS: point,
      LEASE_TTL_SECONDS: '2',
      WORKER_LOCK_MS: '2000',
      WORKER_STALLED_INTERVAL_MS: '1000',
      ENROLLMENT_CONCURRENCY: '1',
    }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`worker never reached ${point}: ${stderr.slice(-2000)}`));
    }, 45_000);
    // tsx runs the script in a child process and reports its SIGKILL as exit code 137.
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolvePromise(
        signal === 'SIGKILL' || code === 137
          ? 'SIGKILL'
          : `${code} ${signal} ${stderr.slice(-1500)}`,
      );
    });
  });
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

describe.each(CRASH_POINTS)('SIGKILL at %s', (point) => {
  it('is resumed by another worker and never locks the owner out', async () => {
    const email = uniqueEmail(`crash-${point}`);
    await f.sim.createAccount({ email, password: PASSWORD, identityCheck: 'none' });
    const id = f.repos.accounts.newId();
    await f.repos.accounts.create({
      id,
      tenantId: 'tenant-crash',
      externalId: email,
      email,
      status: 'active',
      sealedPassword: f.vault.seal(PASSWORD, { accountId: id, purpose: 'password' }),
    });
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
    const view = await f.sim.account(email);
    expect(view.twoFactor.enabled).toBe(true);
    await expectInvariant(id, email);
    const active = await f.repos.twoFactorKeys.loadActive(id);
    expect(f.vault.open(active!.sealedKey, { accountId: id, purpose: 'totp_key' })).toBe(
      view.twoFactor.key,
    );
    expect((await f.repos.accounts.findById(id))?.twoFactor.state).toBe('on');
  });
});
