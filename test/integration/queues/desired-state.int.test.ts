/** The desired state and toggle guard on the real MongoDB-wire server (FerretDB here). */
import { Types } from 'mongoose';
import {
  createDesiredStateRepo,
  ToggleCooldownError,
  type DesiredStateRepo,
} from '../../../shared/db/desired-state.repo';
import { PermanentError } from '../../../shared/errors';
import { openTestDatabase, type TestDatabase } from '../../helpers/mongo';

const limits = { cooldownSeconds: 900, dailyLimit: 3 };
const T0 = Date.parse('2026-03-01T12:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);
const newAccount = () => new Types.ObjectId().toHexString();

let db: TestDatabase;
let repo: DesiredStateRepo;

beforeAll(async () => {
  db = await openTestDatabase();
  repo = createDesiredStateRepo(db.connection);
  await repo.init();
});
afterAll(async () => {
  await db.drop();
});

async function refusal(p: Promise<unknown>): Promise<ToggleCooldownError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ToggleCooldownError);
  return err as ToggleCooldownError;
}

describe('desired state', () => {
  it('allows the first request and counts it as a flip', async () => {
    const id = newAccount();
    expect(await repo.getDesired(id)).toBeNull();
    const first = await repo.requestDesired(id, 'on', at(0), limits);
    expect(first).toMatchObject({ desired: 'on', changed: true, previous: null, version: 1 });
    expect(await repo.getDesired(id)).toMatchObject({ desired: 'on', version: 1 });
  });

  it('treats a same-state request as a no-op that is never refused', async () => {
    const id = newAccount();
    await repo.requestDesired(id, 'on', at(0), limits);
    const again = await repo.requestDesired(id, 'on', at(1), limits);
    expect(again).toMatchObject({ desired: 'on', changed: false, previous: 'on', version: 1 });
    expect(again.lastFlipAt).toEqual(at(0));
  });

  it('refuses a flip within the cooldown with retryAfter = last flip + cooldown', async () => {
    const id = newAccount();
    await repo.requestDesired(id, 'on', at(0), limits);
    const err = await refusal(repo.requestDesired(id, 'off', at(5), limits));
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.code).toBe('toggle_cooldown');
    expect(err.rule).toBe('cooldown');
    expect(err.retryAfter).toEqual(at(15));
    // Refused requests change nothing; the flip is allowed once the cooldown has passed.
    expect(await repo.getDesired(id)).toMatchObject({ desired: 'on', version: 1 });
    await expect(repo.requestDesired(id, 'off', at(15), limits)).resolves.toMatchObject({
      desired: 'off',
      changed: true,
      previous: 'on',
      version: 2,
    });
  });

  it('refuses the flip beyond the daily limit until the oldest one leaves the 24 h window', async () => {
    const id = newAccount();
    await repo.requestDesired(id, 'on', at(0), limits);
    await repo.requestDesired(id, 'off', at(20), limits);
    await repo.requestDesired(id, 'on', at(40), limits);
    const err = await refusal(repo.requestDesired(id, 'off', at(60), limits));
    expect(err.rule).toBe('daily_limit');
    expect(err.retryAfter).toEqual(at(24 * 60));
    await expect(repo.requestDesired(id, 'on', at(61), limits)).resolves.toMatchObject({
      changed: false,
    });
    await expect(repo.requestDesired(id, 'off', at(24 * 60), limits)).resolves.toMatchObject({
      desired: 'off',
      version: 4,
    });
    expect((await repo.getDesired(id))!.version).toBe(4);
  });

  it('lets exactly one of many concurrent conflicting flips through', async () => {
    const id = newAccount();
    await repo.requestDesired(id, 'on', at(0), limits);
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => repo.requestDesired(id, 'off', at(20), limits)),
    );
    const flips = results.filter((r) => r.status === 'fulfilled' && r.value.changed);
    expect(flips).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') throw r.reason;
    expect(await repo.getDesired(id)).toMatchObject({ desired: 'off', version: 2 });
    // The burst is over: within the cooldown a flip back is refused, so no double flip slipped in.
    await refusal(repo.requestDesired(id, 'on', at(21), limits));
  });

  it('creates one document for concurrent first requests', async () => {
    const id = newAccount();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => repo.requestDesired(id, 'on', at(0), limits)),
    );
    expect(results.filter((r) => r.changed)).toHaveLength(1);
    expect(await repo.getDesired(id)).toMatchObject({ version: 1 });
  });

  it('refuses a malformed account id as invalid input', async () => {
    await expect(repo.requestDesired('acct-1', 'on', at(0), limits)).rejects.toMatchObject({
      code: 'invalid_input',
    });
  });
});
