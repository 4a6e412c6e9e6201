import { createModels } from '../../../shared/db/models';
import { LeaseBusyError, LeaseLostError, type Lease, type Repositories } from '../../../shared/db';
import { RetryLaterError, TransientError, ValidationError } from '../../../shared/errors';
import { useTestRepositories, type TestDatabase } from '../../helpers/mongo';

let db: TestDatabase;
let repos: Repositories;

useTestRepositories('file', (opened) => {
  db = opened;
  repos = opened.repos;
});

const T0 = new Date('2024-05-01T10:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const TTL = 10_000;

/** The error a promise rejects with (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
}

describe('account leases', () => {
  it('acquires token 1, then refuses another holder with the time until expiry', async () => {
    const accountId = repos.accounts.newId();
    const lease = await repos.leases.acquire(accountId, 'job-a', TTL, T0);
    expect(lease).toEqual({ accountId, token: 1, holder: 'job-a', expiresAt: at(TTL) });

    const busy = await rejection(repos.leases.acquire(accountId, 'job-b', TTL, at(4_000)));
    expect(busy).toBeInstanceOf(LeaseBusyError);
    expect(busy).toBeInstanceOf(RetryLaterError);
    expect(busy).toMatchObject({
      code: 'account_busy',
      accountId,
      holder: 'job-a',
      delayMs: 6_000,
    });
    // Close to expiry the delay is still at least a second.
    expect(
      await rejection(repos.leases.acquire(accountId, 'job-b', TTL, at(TTL - 10))),
    ).toMatchObject({ delayMs: 1_000 });
    await repos.leases.assertCurrent(lease, at(4_000));
  });

  it('lets another holder take over an expired lease, and fences the stale holder', async () => {
    const accountId = repos.accounts.newId();
    const stale = await repos.leases.acquire(accountId, 'job-a', TTL, T0);
    // Expired, nobody took over yet: still current.
    await repos.leases.assertCurrent(stale, at(TTL + 1));

    const fresh = await repos.leases.acquire(accountId, 'job-b', TTL, at(TTL + 1));
    expect(fresh).toMatchObject({ token: 2, holder: 'job-b' });
    const lost = await rejection(repos.leases.assertCurrent(stale, at(TTL + 2)));
    expect(lost).toBeInstanceOf(LeaseLostError);
    expect(lost).toBeInstanceOf(TransientError);
    expect(lost).toMatchObject({ code: 'lease_lost', accountId, token: 1 });
    await expect(repos.leases.renew(stale, TTL, at(TTL + 2))).rejects.toBeInstanceOf(
      LeaseLostError,
    );
    // The stale holder's release does not free the new holder's lease.
    await repos.leases.release(stale);
    await repos.leases.assertCurrent(fresh);
    await expect(repos.leases.acquire(accountId, 'job-c', TTL, at(TTL + 3))).rejects.toBeInstanceOf(
      LeaseBusyError,
    );
  });

  it('gives the same holder a new token, so the crashed run before it is fenced', async () => {
    const accountId = repos.accounts.newId();
    const first = await repos.leases.acquire(accountId, 'job-a', TTL, T0);
    const rerun = await repos.leases.acquire(accountId, 'job-a', TTL, at(1_000));
    expect(rerun.token).toBe(first.token + 1);
    await expect(repos.leases.assertCurrent(first)).rejects.toBeInstanceOf(LeaseLostError);
    await repos.leases.assertCurrent(rerun);
  });

  it('frees the account on release; release is idempotent and ends the lease', async () => {
    const accountId = repos.accounts.newId();
    const lease = await repos.leases.acquire(accountId, 'job-a', TTL, T0);
    await repos.leases.release(lease);
    await repos.leases.release(lease);
    await expect(repos.leases.assertCurrent(lease)).rejects.toBeInstanceOf(LeaseLostError);
    await expect(repos.leases.renew(lease, TTL)).rejects.toBeInstanceOf(LeaseLostError);
    const next = await repos.leases.acquire(accountId, 'job-b', TTL, at(1_000));
    expect(next.token).toBe(2);
  });

  it('renews a current lease, pushing its expiry past what would have been a takeover', async () => {
    const accountId = repos.accounts.newId();
    const lease = await repos.leases.acquire(accountId, 'job-a', TTL, T0);
    const renewed = await repos.leases.renew(lease, TTL, at(8_000));
    expect(renewed).toEqual({ ...lease, expiresAt: at(18_000) });
    expect(
      await rejection(repos.leases.acquire(accountId, 'job-b', TTL, at(12_000))),
    ).toMatchObject({ code: 'account_busy', delayMs: 6_000 });
    // Renewing an expired lease nobody took over is allowed.
    const late = await repos.leases.renew(renewed, TTL, at(30_000));
    expect(late.expiresAt).toEqual(at(40_000));
  });

  it('lets exactly one of 20 concurrent acquirers win', async () => {
    const accountId = repos.accounts.newId();
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => repos.leases.acquire(accountId, `job-${i}`, TTL, T0)),
    );
    const won = results.filter((r): r is PromiseFulfilledResult<Lease> => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    expect(won[0]!.value.token).toBe(1);
    for (const r of results) {
      if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(LeaseBusyError);
    }
    await repos.leases.assertCurrent(won[0]!.value);
  });

  it('keeps only the last 10 lease documents of an account', async () => {
    const accountId = repos.accounts.newId();
    let last: Lease | undefined;
    for (let i = 0; i < 15; i++) {
      last = await repos.leases.acquire(accountId, 'job-a', TTL, at(i));
      await repos.leases.release(last);
    }
    const { Lease: Leases } = createModels(db.connection);
    const tokens = (await Leases.find({}).lean())
      .filter((d) => d.accountId.toHexString() === accountId)
      .map((d) => d.token)
      .sort((a, b) => a - b);
    expect(tokens).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    expect(last!.token).toBe(15);
  });

  it('refuses a bad ttl or account id as invalid input', async () => {
    await expect(
      repos.leases.acquire(repos.accounts.newId(), 'job-a', 0, T0),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(repos.leases.acquire('nope', 'job-a', TTL, T0)).rejects.toBeInstanceOf(
      ValidationError,
    );
  });
});
