/**
 * The challenge side end to end, on real parts: producer → session-check queue → challenge
 * worker (real Chromium) → simulator → Mongo. Accounts are enrolled directly (the simulator
 * holds a key, we hold the same key active), and the simulator asks for the authenticator code
 * on every login (recognizedDeviceSkips2fa off), so each expired session meets the 2FA prompt;
 * it accepts the current step only (totpWindow 0), so a code on the wrong clock is rejected.
 */
import { createFleetClient, type FleetClient, type JobOutcome } from '../../../queues/client';
import { QueueName } from '../../../queues/names';
import { enrolledAccount, fleetCli, useTestFleet, type TestFleet } from '../../helpers/fleet';
import { startTestProxy, type TestProxy } from '../../helpers/proxy';
import { scanForSecrets } from '../../helpers/secret-scan';

const PASSWORD = 'challenge-test-password-91';
let f: TestFleet;
let client: FleetClient;
const emails: string[] = [];
const ids: string[] = [];
useTestFleet(
  { recognizedDeviceSkips2fa: false, totpWindow: 0 },
  (fleet) => {
    f = fleet;
    client = createFleetClient({
      config: f.config,
      desired: f.desired,
      repos: f.repos,
      vault: f.vault,
    });
  },
  { worker: false, challenge: true },
);
afterAll(() => client?.close());
afterEach(() => f.sim.control('DELETE', '/__sim/faults'));

/** An enrolled account of this file (kept for the secret scan). */
async function enrolled(sim: Record<string, unknown> = {}, extra: { proxyUrl?: string } = {}) {
  const a = await enrolledAccount(f, {
    password: PASSWORD,
    tenantId: 'tenant-c',
    tag: 'chal',
    sim,
    ...extra,
  });
  emails.push(a.email);
  ids.push(a.id);
  return a;
}

async function check(id: string, timeoutMs = 60_000): Promise<JobOutcome> {
  const { jobId } = await client.checkSession(id, { actor: 'cli' });
  return client.waitForOutcome(jobId, { queue: QueueName.SessionCheck, timeoutMs });
}

async function until(what: string, ok: () => Promise<boolean>, timeoutMs = 45_000) {
  const end = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('session check', () => {
  it('answers the authenticator prompt when the cookies are gone, then finds the session alive', async () => {
    const { id, email } = await enrolled();
    expect(await check(id)).toMatchObject({
      status: 'completed',
      result: { status: 'done', detail: 'challenge_answered' },
    });
    let record = await f.repos.accounts.findById(id);
    expect(record).toMatchObject({ status: 'active', hasCookies: true });
    expect(record?.lastCheckAt).toBeInstanceOf(Date);
    expect(record?.lastChallengeAt).toBeInstanceOf(Date);
    const sim = await f.sim.account(email);
    expect(sim.counters).toMatchObject({ codesAccepted: 1, codesRejected: 0, codesReplayed: 0 });

    // With the saved cookies the next check needs no login at all.
    expect(await check(id)).toMatchObject({ result: { detail: 'session_alive' } });
    expect((await f.sim.account(email)).counters.logins).toBe(sim.counters.logins);
    record = await f.repos.accounts.findById(id);
    const audit = (await f.repos.audit.list(id)).events.map((e) => e.action);
    expect(audit).toEqual(expect.arrayContaining(['session.checked', 'key.used']));

    // Revoked by LinkedIn: the next check signs in again with a new step's code.
    await f.sim.patch(email, { revokeSessions: true });
    expect(await check(id)).toMatchObject({ result: { detail: 'challenge_answered' } });
    expect((await f.sim.account(email)).counters).toMatchObject({
      codesAccepted: 2,
      codesReplayed: 0,
    });
  });

  it('works with the modern login markup', async () => {
    const { id, email } = await enrolled({ variant: 'modern' });
    expect(await check(id)).toMatchObject({ result: { detail: 'challenge_answered' } });
    expect((await f.sim.account(email)).counters.codesAccepted).toBe(1);
  });

  it('takes "Try another way" from the app approval to the authenticator form at once', async () => {
    const { id, email } = await enrolled({ loginChallenge: 'app_approval' });
    expect(await check(id)).toMatchObject({ result: { detail: 'challenge_answered' } });
    const sim = await f.sim.account(email);
    expect(sim.counters.codesAccepted).toBe(1);
    expect(sim.pending.approval).toBeUndefined();
  });

  it('parks at the e-mailed PIN and resumes the same checkpoint when the owner submits the code', async () => {
    const { id, email } = await enrolled({ loginChallenge: 'email_pin' });
    const { jobId } = await client.checkSession(id, { actor: 'cli' });
    const queue = f.producer.queue(QueueName.SessionCheck);
    await until('the e-mail PIN park', async () => {
      const r = await f.repos.accounts.findById(id);
      return r?.statusReason === 'email_pin' && (await queue.getJobState(jobId)) === 'delayed';
    });
    const parked = await f.repos.accounts.findById(id);
    expect(parked).toMatchObject({ status: 'needs_user_action', statusReason: 'email_pin' });
    expect(parked?.statusMessage).toMatch(/e-mailed a verification code/);
    const mails = await f.sim.outbox(email);
    expect(mails).toHaveLength(1);
    const woken = await client.submitEmailCode(id, mails[0]!.code!, { actor: 'cli' });
    expect(woken).toEqual({ jobId, promoted: true });
    const outcome = await client.waitForOutcome(jobId, {
      queue: QueueName.SessionCheck,
      timeoutMs: 60_000,
    });
    expect(outcome).toMatchObject({
      status: 'completed',
      result: { detail: 'challenge_answered' },
    });
    // The owner's code was for the first checkpoint: no second PIN was sent.
    expect(await f.sim.outbox(email)).toHaveLength(1);
    expect(await f.repos.accounts.findById(id)).toMatchObject({
      status: 'active',
      statusReason: null,
    });
  });

  it.each([
    ['captcha', { loginChallenge: 'captcha' }, 'needs_user_action', 'captcha'],
    ['phone_register', { loginChallenge: 'phone_register' }, 'needs_user_action', 'phone_register'],
    ['restricted', { loginChallenge: 'restricted' }, 'restricted', 'restricted'],
  ])('stops at %s with its status, once (no retry storm)', async (code, sim, status, reason) => {
    const { id, email } = await enrolled(sim);
    const outcome = await check(id);
    expect(outcome).toMatchObject({ status: 'failed', code });
    const job = await f.producer.queue(QueueName.SessionCheck).getJob(outcome.jobId);
    expect(job?.attemptsMade).toBe(1);
    const record = await f.repos.accounts.findById(id);
    expect(record).toMatchObject({ status, statusReason: reason });
    expect(record?.statusMessage.length).toBeGreaterThan(10);
    expect(record?.lastFailureAt).toBeInstanceOf(Date);
    expect((await f.sim.account(email)).counters.codesAccepted).toBe(0);
  });

  it('backs off with jitter when rate limited: a delayed job, not a spent attempt', async () => {
    const { id, email } = await enrolled();
    await f.sim.control('POST', '/__sim/faults', { rateLimitNextLogin: email });
    const { jobId } = await client.checkSession(id, { actor: 'cli' });
    const queue = f.producer.queue(QueueName.SessionCheck);
    await until('the rate-limit park', async () => (await queue.getJobState(jobId)) === 'delayed');
    const job = await queue.getJob(jobId);
    expect(job?.attemptsMade).toBe(0);
    const runsAt = job!.timestamp + job!.delay;
    expect(runsAt - Date.now()).toBeGreaterThan(4 * 60_000);
    expect(runsAt - Date.now()).toBeLessThan(11 * 60_000);
    expect(await f.repos.accounts.findById(id)).toMatchObject({
      status: 'rate_limited',
      statusReason: 'rate_limited',
    });
    await job!.remove();
  });

  it.each([40, -40])('answers with the site clock %i s off', async (offset) => {
    await f.sim.control('POST', '/__sim/faults', { clockOffsetSec: offset });
    const { id, email } = await enrolled();
    expect(await check(id)).toMatchObject({ result: { detail: 'challenge_answered' } });
    expect((await f.sim.account(email)).counters).toMatchObject({
      codesAccepted: 1,
      codesRejected: 0,
    });
  });

  it('waits through a slow redirect after the code', async () => {
    await f.sim.control('POST', '/__sim/faults', { postCodeRedirectDelayMs: 6_000 });
    const { id } = await enrolled();
    expect(await check(id)).toMatchObject({ result: { detail: 'challenge_answered' } });
  });

  it('never spends a step twice: a code on demand and a challenge inside one step', async () => {
    const { id, email } = await enrolled();
    const onDemand = await client.codeNow(id, { actor: 'api:main-app' });
    expect(onDemand.code).toMatch(/^\d{6}$/);
    expect(onDemand.remainingSeconds).toBeGreaterThanOrEqual(5);
    expect(await check(id, 90_000)).toMatchObject({ result: { detail: 'challenge_answered' } });
    const sim = await f.sim.account(email);
    expect(sim.counters).toMatchObject({ codesAccepted: 1, codesReplayed: 0, codesRejected: 0 });
    const used = (await f.repos.audit.list(id)).events.filter((e) => e.action === 'key.used');
    expect(used.map((e) => e.details['purpose']).sort()).toEqual(['login', 'on_demand']);
    const steps = used.map((e) => e.details['step'] as number);
    expect(new Set(steps).size).toBe(2);
    expect(used.find((e) => e.details['purpose'] === 'on_demand')?.actor).toBe('api:main-app');
  });

  it('goes out through the account’s proxy only', async () => {
    const proxy: TestProxy = await startTestProxy();
    try {
      const { id } = await enrolled({}, { proxyUrl: proxy.url });
      expect(await check(id)).toMatchObject({ result: { detail: 'challenge_answered' } });
      const simHost = new URL(f.sim.url).host;
      expect(proxy.forwarded.get(simHost) ?? 0).toBeGreaterThan(3);
    } finally {
      await proxy.close();
    }
  });
});

describe('a misbehaving site', () => {
  it('gets through latency', async () => {
    await f.sim.control('POST', '/__sim/faults', { latencyMs: 300, jitterMs: 300 });
    const { id } = await enrolled();
    expect(await check(id, 90_000)).toMatchObject({ result: { detail: 'challenge_answered' } });
  });

  it('retries 500s with bounded, jittered backoff (3 attempts in all)', async () => {
    await f.sim.control('POST', '/__sim/faults', { errorRate: 1 });
    const { id } = await enrolled();
    const { jobId } = await client.checkSession(id, { actor: 'cli' });
    const queue = f.producer.queue(QueueName.SessionCheck);
    await until('the first retry', async () => (await queue.getJobState(jobId)) === 'delayed');
    const job = await queue.getJob(jobId);
    expect(job?.attemptsMade).toBe(1);
    expect(job?.opts.attempts).toBe(3);
    // First retry after 30 s, drawn from 70–100 % of it.
    expect(job!.delay).toBeGreaterThanOrEqual(21_000);
    expect(job!.delay).toBeLessThanOrEqual(30_000);
    const record = await f.repos.accounts.findById(id);
    expect(record?.status).toBe('checking');
    expect(record?.lastFailureAt).toBeInstanceOf(Date);
    // The backoffs, cut short: the third failure is final, and the account disconnected.
    for (let retry = 2; retry <= 3; retry++) {
      await job!.promote();
      await until(`attempt ${retry}`, async () => {
        const state = await queue.getJobState(jobId);
        return (
          (state === 'delayed' || state === 'failed') &&
          (await queue.getJob(jobId))!.attemptsMade === retry
        );
      });
    }
    const outcome = await client.waitForOutcome(jobId, {
      queue: QueueName.SessionCheck,
      timeoutMs: 5_000,
    });
    expect(outcome).toMatchObject({ status: 'failed', code: 'site_error' });
    expect(await f.repos.accounts.findById(id)).toMatchObject({
      status: 'disconnected',
      statusReason: 'site_error',
    });
  });
});

describe('from the command line', () => {
  it('checks a session with --wait, hands out a code, and shows the status', async () => {
    const { id } = await enrolled();
    const checked = await fleetCli(f, client, ['session:check', id, '--wait']);
    expect(checked).toMatchObject({ code: 0 });
    expect(checked.out).toMatch(/^job \S+\n/);
    expect(checked.out).toContain('step answering_two_factor_prompt');
    expect(checked.out).toContain('done challenge_answered');
    const code = await fleetCli(f, client, ['2fa:code', id]);
    expect(code).toMatchObject({ code: 0 });
    expect(code.out).toMatch(/^\d{6}\n\d+ s left \(key v1\)\n$/);
    const shown = await fleetCli(f, client, ['account:show', id]);
    expect(shown.out).toMatch(/status\s+active: The account is connected\./);
    expect(shown.out).toMatch(/last challenge\s+\d{4}-/);
    expect(await fleetCli(f, client, ['session:check', 'nope'])).toMatchObject({ code: 2 });
    // The owner has not confirmed a copy of the key: removing the account is refused.
    const remove = await fleetCli(f, client, ['account:remove', id]);
    expect(remove).toMatchObject({ code: 1 });
    expect(remove.err).toMatch(/^owner_copy_required: /);
  });
});

describe('no secret in the clear', () => {
  it('finds no password, key, cookie or e-mailed code in Redis, Mongo or the logs', async () => {
    const secrets = [PASSWORD];
    for (const email of emails) {
      const view = await f.sim.account(email);
      if (view.twoFactor.key) secrets.push(view.twoFactor.key);
      for (const m of await f.sim.outbox(email)) if (m.code) secrets.push(m.code);
    }
    for (const id of ids) {
      const sealed = await f.repos.accounts.loadSealedCredentials(id);
      if (!sealed?.cookies) continue;
      const session: unknown = JSON.parse(
        f.vault.open(sealed.cookies, { accountId: id, purpose: 'cookies' }),
      );
      const cookies = Array.isArray(session)
        ? session
        : (session as { cookies: unknown[] }).cookies;
      for (const c of cookies as { name: string; value: string }[]) {
        if (c.name === 'li_at') secrets.push(c.value);
      }
    }
    expect(secrets.filter((s) => s.length > 20).length).toBeGreaterThan(3);
    const { leaks } = await scanForSecrets({
      secrets,
      redis: f.redis.redis,
      redisKeys: await f.redis.keys(),
      connection: f.db.connection,
      logs: f.logs(),
    });
    expect(leaks).toEqual([]);
  });
});
