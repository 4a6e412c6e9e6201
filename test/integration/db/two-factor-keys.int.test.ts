import { Types } from 'mongoose';
import { createModels } from '../../../shared/db/models';
import { TwoFactorKeyNotFoundError, type Repositories } from '../../../shared/db';
import { useTestRepositories, type TestDatabase } from '../../helpers/mongo';

let db: TestDatabase;
let repos: Repositories;

useTestRepositories('file', (opened) => {
  db = opened;
  repos = opened.repos;
});

async function newAccount(externalId: string): Promise<string> {
  return (await repos.accounts.create({ tenantId: 't1', externalId })).id;
}

describe('two-factor keys repository', () => {
  it('allocates distinct versions under 10 concurrent savePending calls', async () => {
    const accountId = await newAccount('concurrent');
    const saved = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        repos.twoFactorKeys.savePending(accountId, `sb1.key-${i}`, 'enrollment'),
      ),
    );
    expect(saved.map((k) => k.version).sort((a, b) => a - b)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ]);
    expect(saved.every((k) => k.state === 'pending')).toBe(true);
  });

  it('activates one version and supersedes the others', async () => {
    const accountId = await newAccount('activate');
    await repos.twoFactorKeys.savePending(accountId, 'sb1.one', 'import');
    await repos.twoFactorKeys.activate(accountId, 1);
    const two = await repos.twoFactorKeys.savePending(accountId, 'sb1.two', 'enrollment');
    expect(two.version).toBe(2);

    expect((await repos.twoFactorKeys.loadActive(accountId))?.sealedKey).toBe('sb1.one');
    expect((await repos.twoFactorKeys.loadLatest(accountId))?.sealedKey).toBe('sb1.two');

    await repos.twoFactorKeys.activate(accountId, 2);
    const active = await repos.twoFactorKeys.loadActive(accountId);
    expect(active).toMatchObject({ version: 2, state: 'active', sealedKey: 'sb1.two' });
    expect(active?.activatedAt).toBeInstanceOf(Date);
    const states = (await repos.twoFactorKeys.list(accountId)).map((k) => [k.version, k.state]);
    expect(states).toEqual([
      [2, 'active'],
      [1, 'superseded'],
    ]);
    await expect(repos.twoFactorKeys.activate(accountId, 1)).rejects.toBeInstanceOf(
      TwoFactorKeyNotFoundError,
    );
  });

  it('does not return sealed material from list() or a plain query', async () => {
    const accountId = await newAccount('select');
    await repos.twoFactorKeys.savePending(accountId, 'sb1.hidden', 'enrollment');
    expect(JSON.stringify(await repos.twoFactorKeys.list(accountId))).not.toContain('sb1.');
    const { TwoFactorKey } = createModels(db.connection);
    const plain = await TwoFactorKey.findOne({ sealedKey: 'sb1.hidden' }).lean();
    expect(plain).not.toBeNull();
    expect(plain).not.toHaveProperty('sealedKey');
  });

  it('claims a step exactly once under 10 concurrent claims', async () => {
    const accountId = await newAccount('claim');
    await repos.twoFactorKeys.savePending(accountId, 'sb1.k', 'enrollment');
    // A plausible step number (2024 in 30 s steps); 5 rounds, because a race shows up by chance.
    const first = 57_000_000;
    for (let step = first; step < first + 5; step++) {
      const claims = await Promise.all(
        Array.from({ length: 10 }, () => repos.twoFactorKeys.claimStep(accountId, 1, step)),
      );
      expect(claims.filter(Boolean)).toHaveLength(1);
    }
    const last = first + 4;
    expect(await repos.twoFactorKeys.claimStep(accountId, 1, last)).toBe(false);
    expect(await repos.twoFactorKeys.claimStep(accountId, 1, last - 1)).toBe(false);
    expect(await repos.twoFactorKeys.claimStep(accountId, 1, last + 1)).toBe(true);
    expect((await repos.twoFactorKeys.list(accountId))[0]?.lastUsedStep).toBe(last + 1);
    expect(await repos.twoFactorKeys.claimStep(accountId, 2, last + 2)).toBe(false);
  });

  it('revokes a version by destroying its material', async () => {
    const accountId = await newAccount('revoke');
    await repos.twoFactorKeys.savePending(accountId, 'sb1.material', 'enrollment');
    await repos.twoFactorKeys.saveRecoveryCodes(accountId, 1, 'sb1.codes');
    expect(await repos.twoFactorKeys.loadSealedRecoveryCodes(accountId, 1)).toBe('sb1.codes');
    await repos.twoFactorKeys.activate(accountId, 1);

    expect(await repos.twoFactorKeys.revoke(accountId, 1)).toBe(true);
    expect(await repos.twoFactorKeys.revoke(accountId, 1)).toBe(false);
    expect(await repos.twoFactorKeys.loadActive(accountId)).toBeNull();
    expect(await repos.twoFactorKeys.loadLatest(accountId)).toBeNull();
    expect(await repos.twoFactorKeys.claimStep(accountId, 1, 1)).toBe(false);

    const raw = await db.connection
      .db!.collection('two_factor_keys')
      .findOne({ accountId: new Types.ObjectId(accountId), version: 1 });
    expect(raw).toMatchObject({ state: 'revoked', sealedKey: null, sealedRecoveryCodes: null });
    expect(raw?.revokedAt).toBeInstanceOf(Date);
    expect(JSON.stringify(raw)).not.toContain('sb1.material');
  });

  it('revokeAll revokes every remaining version', async () => {
    const accountId = await newAccount('revoke-all');
    await repos.twoFactorKeys.savePending(accountId, 'sb1.a', 'enrollment');
    await repos.twoFactorKeys.savePending(accountId, 'sb1.b', 'enrollment');
    expect(await repos.twoFactorKeys.revokeAll(accountId)).toBe(2);
    const states = (await repos.twoFactorKeys.list(accountId)).map((k) => k.state);
    expect(states).toEqual(['revoked', 'revoked']);
  });
});
