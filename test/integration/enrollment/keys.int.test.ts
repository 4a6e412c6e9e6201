/**
 * End to end on real parts, after or beside an enrollment: importing an owner's key (accepted
 * and rejected), the QR reveal and the owner-copy confirmation, the toggle guard with its
 * default limits, an unknown screen stored for the operator, and — last — a scan of every Redis
 * key, every Mongo document and every log line of the file for the secrets it handled.
 */
import { createFleetClient, type FleetClient, type JobOutcome } from '../../../queues/client';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeQrPng } from '../../../shared/qr';
import { fleetCli, useTestFleet, type TestFleet } from '../../helpers/fleet';
import { scanForSecrets } from '../../helpers/secret-scan';
import { uniqueEmail } from '../../helpers/simulator';

const PASSWORD = 'keys-test-password-7f3a';
const OTHER_KEY = 'MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U';
let f: TestFleet;
let client: FleetClient;
/** Simulator accounts of this file, for the secret scan. */
const emails: string[] = [];
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

async function account(sim: Record<string, unknown> = {}) {
  const email = uniqueEmail('keys');
  emails.push(email);
  const view = await f.sim.createAccount({
    email,
    password: PASSWORD,
    identityCheck: 'none',
    ...sim,
  });
  const id = f.repos.accounts.newId();
  await f.repos.accounts.create({
    id,
    tenantId: 'tenant-k',
    externalId: email,
    email,
    status: 'active',
    sealedPassword: f.vault.seal(PASSWORD, { accountId: id, purpose: 'password' }),
  });
  return { id, email, view };
}

const wait = (c: FleetClient, jobId: string): Promise<JobOutcome> =>
  c.waitForOutcome(jobId, { timeoutMs: 80_000 });

describe('import an existing key', () => {
  it('verifies it by a fresh login through the 2FA prompt, then holds it as active', async () => {
    const { id, email, view } = await account({ twoFactor: { method: 'authenticator' } });
    const liveKey = view.twoFactor.key!;
    const grouped = liveKey
      .toLowerCase()
      .replace(/(.{4})/g, '$1 ')
      .trim();
    const { jobId, version } = await client.importKey(id, grouped, { actor: 'cli' });
    expect(await wait(client, jobId)).toMatchObject({
      status: 'completed',
      result: { status: 'done', detail: 'imported' },
    });
    const key = await f.repos.twoFactorKeys.loadActive(id);
    expect(key?.version).toBe(version);
    expect(f.vault.open(key!.sealedKey, { accountId: id, purpose: 'totp_key' })).toBe(liveKey);
    const record = await f.repos.accounts.findById(id);
    expect(record?.twoFactor).toMatchObject({ state: 'on', ownerHasCopy: true });
    expect(record?.hasCookies).toBe(true);
    const sim = await f.sim.account(email);
    expect(sim.counters.codesAccepted).toBeGreaterThanOrEqual(1);
    expect(sim.counters.codesReplayed).toBe(0);
  });

  it('revokes a key LinkedIn rejects and reports key_rejected', async () => {
    const { id, email } = await account({ twoFactor: { method: 'authenticator' } });
    const { jobId, version } = await client.importKey(id, OTHER_KEY, { actor: 'cli' });
    expect(await wait(client, jobId)).toMatchObject({ status: 'failed', code: 'key_rejected' });
    expect(await f.repos.twoFactorKeys.loadActive(id)).toBeNull();
    const keys = await f.repos.twoFactorKeys.list(id);
    expect(keys.find((k) => k.version === version)?.state).toBe('revoked');
    expect((await f.repos.accounts.findById(id))?.twoFactor).toMatchObject({
      state: 'error',
      reason: 'key_rejected',
    });
    // The first code is rejected, a second one for the next step too; never the same step twice.
    const sim = await f.sim.account(email);
    expect(sim.counters.codesRejected).toBe(2);
    expect(sim.counters.codesReplayed).toBe(0);
    expect(sim.twoFactor.enabled).toBe(true);
  });
});

describe('after an enrollment', () => {
  it('reveals the key as a QR code and records that the owner holds a copy', async () => {
    const { id, email } = await account();
    const { jobId } = await client.enable(id, { actor: 'cli' });
    expect(await wait(client, jobId)).toMatchObject({ status: 'completed' });
    const liveKey = (await f.sim.account(email)).twoFactor.key!;

    const qr = await client.revealQr(id, { actor: 'api:owner-page' });
    expect(decodeQrPng(qr.png)).toBe(qr.uri);
    expect(new URL(qr.uri).searchParams.get('secret')).toBe(liveKey);
    expect(qr.svg).toMatch(/^<svg/);
    expect(qr.remainingReveals).toBe(f.config.enrollment.qrRevealLimit - 1);

    expect((await f.repos.accounts.findById(id))?.twoFactor.ownerHasCopy).toBe(false);
    await expect(
      client.confirmOwnerCopy(id, f.sim.code(liveKey, 5), { actor: 'api:owner-page' }),
    ).rejects.toMatchObject({ code: 'owner_code_mismatch' });
    await expect(
      client.confirmOwnerCopy(id, f.sim.code(liveKey), { actor: 'api:owner-page' }),
    ).resolves.toEqual({ ownerHasCopy: true });
    expect((await f.repos.accounts.findById(id))?.twoFactor.ownerHasCopy).toBe(true);
    const actions = (await f.repos.audit.list(id)).events.map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(['key.revealed', 'key.owner_check_failed', 'key.owner_confirmed']),
    );
  });

  it('refuses to flip 2FA back within the cooldown (default limits), with a retry-after', async () => {
    const guarded = createFleetClient({
      config: f.config,
      desired: f.desired,
      repos: f.repos,
      vault: f.vault,
    });
    try {
      const { id, email } = await account();
      const { jobId } = await guarded.enable(id, { actor: 'cli' });
      expect(await wait(guarded, jobId)).toMatchObject({ status: 'completed' });
      const before = Date.now();
      const refused = await guarded.disable(id, { actor: 'cli' }).catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: 'toggle_cooldown', rule: 'cooldown' });
      const retryAfter = (refused as { retryAfter: Date }).retryAfter.getTime();
      const cooldownMs = f.config.toggle.cooldownSeconds * 1000;
      expect(retryAfter).toBeGreaterThan(before + cooldownMs - 60_000);
      expect(retryAfter).toBeLessThanOrEqual(Date.now() + cooldownMs);
      // Nothing changed: the wish is still "on" and LinkedIn still has 2FA on.
      expect((await f.desired.getDesired(id))?.desired).toBe('on');
      expect((await f.sim.account(email)).twoFactor.enabled).toBe(true);
      // Asking again for what is already wished is not a flip.
      const again = await guarded.enable(id, { actor: 'cli' });
      expect(typeof again.jobId).toBe('string');
    } finally {
      await guarded.close();
    }
  });
});

describe('an unknown screen', () => {
  it('stops, stores a redacted snapshot and screenshot for the operator, and says so', async () => {
    const { id, email } = await account();
    await f.sim.control('POST', '/__sim/faults', { unknownScreenNextLogin: email });
    const { jobId } = await client.enable(id, { actor: 'cli' });
    const outcome = await wait(client, jobId);
    expect(outcome).toMatchObject({ status: 'failed', code: 'unknown_screen' });
    const [summary, ...more] = await f.repos.snapshots.list(id);
    expect(more).toHaveLength(0);
    expect(summary).toMatchObject({ queue: 'enrollment', jobId, hasScreenshot: true });
    expect(outcome.status === 'failed' && outcome.message).toContain(summary!.id);
    const snap = await f.repos.snapshots.get(summary!.id);
    expect(snap?.html).toContain('Review your recent account activity');
    expect(snap?.html).not.toContain(email);
    expect(snap?.html).not.toContain('JBSWY3DPEHPK3PXPJBSWY3DP');
    expect(snap?.html).not.toContain('482913');
    expect(snap?.url).toMatch(/\/check\/account-review\?member=\*\*\*$/);
    expect(snap?.screenshot?.subarray(0, 4).toString('hex')).toBe('89504e47');
    const record = await f.repos.accounts.findById(id);
    expect(record?.twoFactor).toMatchObject({ state: 'error', reason: 'unknown_screen' });
    expect(record?.twoFactor.message).toMatch(/operator/);
    const audit = (await f.repos.audit.list(id)).events;
    expect(audit.find((e) => e.action === 'screen.unknown')?.details).toEqual({
      snapshotId: summary!.id,
    });
    expect((await f.sim.account(email)).twoFactor.enabled).toBe(false);

    // The operator finds it with the CLI.
    const listed = await fleetCli(f, client, ['screens:list', id]);
    expect(listed).toMatchObject({ code: 0 });
    expect(listed.out).toContain(`${summary!.id}  `);
    expect(listed.out).toContain('/check/account-review?member=***  [png]');
    const dir = mkdtempSync(join(tmpdir(), 'screens-'));
    try {
      const [html, png] = [join(dir, 's.html'), join(dir, 's.png')];
      const shown = await fleetCli(f, client, [
        'screens:show',
        summary!.id,
        '--html',
        html,
        '--png',
        png,
      ]);
      expect(shown).toMatchObject({ code: 0 });
      expect(shown.out).toContain(`job        enrollment/${jobId}`);
      expect(readFileSync(html, 'utf8')).toBe(snap!.html);
      expect(readFileSync(png).equals(snap!.screenshot!)).toBe(true);
      expect(await fleetCli(f, client, ['screens:show', summary!.id, '--png', png])).toMatchObject({
        code: 2,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(await fleetCli(f, client, ['screens:show', 'nope'])).toMatchObject({ code: 2 });
  });
});

describe('no secret in the clear', () => {
  it('finds no password, key, recovery code or e-mailed code in Redis, Mongo or the logs', async () => {
    const secrets = [PASSWORD, OTHER_KEY];
    for (const email of emails) {
      const view = await f.sim.account(email);
      if (view.twoFactor.key) secrets.push(view.twoFactor.key);
      secrets.push(...view.twoFactor.recoveryCodes);
      for (const m of await f.sim.outbox(email)) if (m.code) secrets.push(m.code);
    }
    expect(secrets.length).toBeGreaterThan(5);
    const { leaks, counts } = await scanForSecrets({
      secrets,
      redis: f.redis.redis,
      redisKeys: await f.redis.keys(),
      connection: f.db.connection,
      logs: f.logs(),
    });
    expect(leaks).toEqual([]);
    // The scan does find what is there: each member's e-mail is stored in the clear.
    const canary = await scanForSecrets({
      secrets: [emails[0]!],
      redis: f.redis.redis,
      redisKeys: [],
      connection: f.db.connection,
      logs: '',
    });
    expect(canary.leaks.map((l) => l.where)).toContain('mongo accounts');
    expect(counts.redisKeys).toBeGreaterThan(10);
    expect(counts.documents).toBeGreaterThan(10);
    expect(counts.logBytes).toBeGreaterThan(1_000);
  });
});
