/**
 * End to end, on real parts: producer → BullMQ → enrollment worker (real Chromium) →
 * simulator → Mongo. Each test registers an account on the simulator and in our database,
 * asks for 2FA on through the typed client, and checks the simulator's own view of the
 * account against what we stored.
 */
import { createFleetClient, type FleetClient, type JobOutcome } from '../../../queues/client';
import { scheduleSlotMs } from '../../../queues/producer';
import { useTestFleet, type TestFleet } from '../../helpers/fleet';
import { uniqueEmail } from '../../helpers/simulator';

const PASSWORD = 'correct-horse-battery';
let f: TestFleet;
let client: FleetClient;
useTestFleet({}, (fleet) => {
  f = fleet;
  client = createFleetClient({
    config: f.config,
    desired: f.desired,
    repos: f.repos,
    vault: f.vault,
    limits: { cooldownSeconds: 0, dailyLimit: 100 },
  });
});
afterAll(() => client?.close());

/** Creates the account on the simulator and registers it with us as Active. */
async function account(
  sim: Record<string, unknown> = {},
  status: 'active' | 'checking' = 'active',
) {
  const email = uniqueEmail('enroll');
  await f.sim.createAccount({ email, password: PASSWORD, ...sim });
  const id = f.repos.accounts.newId();
  await f.repos.accounts.create({
    id,
    tenantId: 'tenant-a',
    externalId: email,
    email,
    status,
    sealedPassword: f.vault.seal(PASSWORD, { accountId: id, purpose: 'password' }),
  });
  return { id, email };
}

/** The active key we hold, opened. */
async function activeKey(id: string): Promise<string | null> {
  const key = await f.repos.twoFactorKeys.loadActive(id);
  return key ? f.vault.open(key.sealedKey, { accountId: id, purpose: 'totp_key' }) : null;
}

async function enableAndWait(id: string, onProgress?: (step: string) => void): Promise<JobOutcome> {
  const { jobId } = await client.enable(id, { actor: 'cli' });
  return client.waitForOutcome(jobId, {
    timeoutMs: 50_000,
    ...(onProgress ? { onProgress } : {}),
  });
}

/** The invariant: LinkedIn on ⇒ we hold a decryptable key that LinkedIn uses. */
async function expectEnrolled(id: string, email: string): Promise<void> {
  const view = await f.sim.account(email);
  expect(view.twoFactor.enabled).toBe(true);
  expect(view.twoFactor.method).toBe('authenticator');
  expect(await activeKey(id)).toBe(view.twoFactor.key);
  const record = await f.repos.accounts.findById(id);
  expect(record?.twoFactor.state).toBe('on');
  expect(record?.status).toBe('active');
  expect(record?.hasCookies).toBe(true);
}

describe('enable', () => {
  it('turns 2FA on without an identity check, proves the key by a fresh login, keeps recovery codes', async () => {
    const { id, email } = await account({ identityCheck: 'none' });
    const steps: string[] = [];
    const outcome = await enableAndWait(id, (s) => steps.push(s));
    expect(outcome).toMatchObject({
      status: 'completed',
      result: { status: 'done', detail: 'enabled' },
    });
    await expectEnrolled(id, email);
    expect(steps).toEqual(expect.arrayContaining(['key_sealed', 'code_confirmed', 'relogin']));
    const view = await f.sim.account(email);
    // One code to confirm the setup, one for the fresh login through the 2FA prompt.
    expect(view.counters.codesAccepted).toBeGreaterThanOrEqual(2);
    expect(view.counters.codesReplayed).toBe(0);
    const key = await f.repos.twoFactorKeys.loadActive(id);
    const sealedCodes = await f.repos.twoFactorKeys.loadSealedRecoveryCodes(id, key!.version);
    expect(
      JSON.parse(f.vault.open(sealedCodes!, { accountId: id, purpose: 'recovery_codes' })),
    ).toEqual(view.twoFactor.recoveryCodes);
    const audit = await f.repos.audit.list(id);
    expect(audit.events.map((e) => e.action)).toEqual(
      expect.arrayContaining([
        'key.sealed',
        'key.activated',
        'key.used',
        'two_factor.state_changed',
      ]),
    );
  });

  it.each([
    ['modern login markup', { variant: 'modern' }],
    ['grouped key text', { keyFormat: 'grouped' }],
    ['lowercase key text', { keyFormat: 'lowercase' }],
    ['QR code only', { showKeyText: false }],
  ])('works with %s', async (_name, extra) => {
    const { id, email } = await account({ identityCheck: 'none', ...extra });
    const outcome = await enableAndWait(id);
    expect(outcome).toMatchObject({ status: 'completed' });
    await expectEnrolled(id, email);
  });

  it('waits in place for the app approval while the owner taps Yes', async () => {
    const { id, email } = await account({ identityCheck: 'app_approval' });
    const approve = (async () => {
      for (let i = 0; i < 200; i++) {
        const r = await f.repos.accounts.findById(id);
        if (r?.twoFactor.state === 'awaiting_app_approval') {
          const res = await f.sim.control(
            'POST',
            `/__sim/accounts/${encodeURIComponent(email)}/approve`,
          );
          if (res.status < 300) return;
        }
        await new Promise((r2) => setTimeout(r2, 100));
      }
      throw new Error('never awaited the approval');
    })();
    const outcome = await enableAndWait(id);
    await approve;
    expect(outcome).toMatchObject({ status: 'completed' });
    await expectEnrolled(id, email);
  });

  it('parks for the e-mailed code; a wrong code parks again, the right one finishes', async () => {
    const { id, email } = await account({ identityCheck: 'email_pin' });
    const { jobId } = await client.enable(id, { actor: 'cli' });
    const waitFor = async (reason: string) => {
      for (let i = 0; i < 300; i++) {
        const r = await f.repos.accounts.findById(id);
        const state = await f.producer.queue('enrollment').getJobState(jobId);
        if (
          r?.twoFactor.state === 'awaiting_email_code' &&
          r.twoFactor.reason === reason &&
          state === 'delayed'
        )
          return;
        await new Promise((r2) => setTimeout(r2, 100));
      }
      throw new Error(`never parked with ${reason}`);
    };
    await waitFor('email_code');
    await client.submitEmailCode(id, '000000', { actor: 'cli' });
    await waitFor('wrong_code');
    const [mail] = await f.sim.outbox(email);
    await client.submitEmailCode(id, mail!.code!, { actor: 'cli' });
    const outcome = await client.waitForOutcome(jobId, { timeoutMs: 50_000 });
    expect(outcome).toMatchObject({ status: 'completed' });
    await expectEnrolled(id, email);
  });

  it('refuses when LinkedIn 2FA is already on with a key we do not hold', async () => {
    const { id } = await account({ twoFactor: { method: 'authenticator' } });
    const outcome = await enableAndWait(id);
    expect(outcome).toMatchObject({ status: 'failed', code: 'linkedin_2fa_already_on' });
    const record = await f.repos.accounts.findById(id);
    expect(record?.twoFactor).toMatchObject({ state: 'error', reason: 'linkedin_2fa_already_on' });
    expect(record?.twoFactor.message).toMatch(/Two-step verification/);
  });

  it('refuses an account that is not Active', async () => {
    const { id } = await account({}, 'checking');
    await expect(client.enable(id, { actor: 'cli' })).rejects.toMatchObject({
      code: 'account_not_active',
    });
  });

  it('collapses 20 concurrent enable requests into one enrollment', async () => {
    const { id, email } = await account({ identityCheck: 'none' });
    const results = await Promise.all(
      Array.from({ length: 20 }, () => client.enable(id, { actor: 'cli' })),
    );
    const jobIds = new Set(results.map((r) => r.jobId));
    expect(jobIds.size).toBe(1);
    const outcome = await client.waitForOutcome([...jobIds][0]!, { timeoutMs: 50_000 });
    expect(outcome).toMatchObject({ status: 'completed' });
    await expectEnrolled(id, email);
    const keys = await f.repos.twoFactorKeys.list(id);
    expect(keys).toHaveLength(1);
  });

  it('then disables: LinkedIn off, key revoked and its material destroyed, schedule removed', async () => {
    const { id, email } = await account({ identityCheck: 'none' });
    const before = Date.now();
    expect(await enableAndWait(id)).toMatchObject({ status: 'completed' });
    // Enrolled: the account's health check is scheduled, in its own slot of the interval.
    const sessionChecks = f.producer.queue('session-check');
    const scheduler = await sessionChecks.getJobScheduler(`session-check_${id}`);
    const every = f.config.challenge.checkIntervalMs;
    expect(scheduler).toMatchObject({ every, name: 'session-check' });
    expect(scheduler!.next).toBeGreaterThanOrEqual(before);
    expect(scheduler!.next! - Date.now()).toBeLessThan(every);
    expect(scheduler!.next! % every).toBe(scheduleSlotMs(id, every));
    expect((await client.getAccount(id)).nextCheckAt?.getTime()).toBe(scheduler!.next);

    const { jobId } = await client.disable(id, { actor: 'cli' });
    const outcome = await client.waitForOutcome(jobId, { timeoutMs: 50_000 });
    expect(outcome).toMatchObject({ status: 'completed', result: { detail: 'disabled' } });
    expect((await f.sim.account(email)).twoFactor.enabled).toBe(false);
    expect(await f.repos.twoFactorKeys.loadLatest(id)).toBeNull();
    const keys = await f.repos.twoFactorKeys.list(id);
    expect(keys.every((k) => k.state === 'revoked')).toBe(true);
    expect((await f.repos.accounts.findById(id))?.twoFactor.state).toBe('off');
    expect(await sessionChecks.getJobScheduler(`session-check_${id}`)).toBeUndefined();
    expect((await client.getAccount(id)).nextCheckAt).toBeNull();
  });
});
