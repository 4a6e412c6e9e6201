import { createModels } from '../../../shared/db/models';
import {
  AccountExistsError,
  connectMongo,
  createMongoConnection,
  redactMongoUrl,
  splitProxyUrl,
  joinProxyUrl,
  type Repositories,
} from '../../../shared/db';
import { FatalWorkerError, ValidationError } from '../../../shared/errors';
import { useTestRepositories, type TestDatabase } from '../../helpers/mongo';

let db: TestDatabase;
let repos: Repositories;

useTestRepositories('file', (opened) => {
  db = opened;
  repos = opened.repos;
});

describe('accounts repository', () => {
  it('creates an account incomplete when neither password nor cookies are given', async () => {
    const account = await repos.accounts.create({ tenantId: 't1', externalId: 'bare' });
    expect(account).toMatchObject({
      status: 'incomplete',
      statusReason: 'missing_credentials',
      hasPassword: false,
      hasCookies: false,
      twoFactor: { state: 'off', reason: null, ownerHasCopy: false },
    });
    expect(account.statusMessage).toMatch(/password or session cookies/);
  });

  it('keeps externalId unique per tenant, not across tenants', async () => {
    await repos.accounts.create({ tenantId: 't1', externalId: 'dup', sealedPassword: 'sb1.x' });
    await expect(
      repos.accounts.create({ tenantId: 't1', externalId: 'dup', sealedPassword: 'sb1.y' }),
    ).rejects.toBeInstanceOf(AccountExistsError);
    const other = await repos.accounts.create({ tenantId: 't2', externalId: 'dup' });
    expect(other.tenantId).toBe('t2');
    expect((await repos.accounts.findByExternalId('t1', 'dup'))?.status).toBe('checking');
    expect(await repos.accounts.findByExternalId('t3', 'dup')).toBeNull();
  });

  it('does not select sealed fields by default', async () => {
    const id = repos.accounts.newId();
    await repos.accounts.create({
      id,
      tenantId: 't1',
      externalId: 'sealed',
      sealedPassword: 'sb1.password',
      sealedCookies: 'sb1.cookies',
      proxy: { url: 'http://proxy.example:8080', sealedAuth: 'sb1.proxy' },
    });
    const { Account } = createModels(db.connection);
    const plain = await Account.findById(id).lean();
    expect(plain).not.toHaveProperty('sealedPassword');
    expect(plain).not.toHaveProperty('sealedCookies');
    expect(plain).not.toHaveProperty('sealedProxyAuth');
    expect(plain?.proxyUrl).toBe('http://proxy.example:8080');

    const record = await repos.accounts.findById(id);
    expect(JSON.stringify(record)).not.toContain('sb1.');
    expect(record).toMatchObject({ hasPassword: true, hasCookies: true });
    expect(await repos.accounts.loadSealedCredentials(id)).toEqual({
      password: 'sb1.password',
      cookies: 'sb1.cookies',
      proxyAuth: 'sb1.proxy',
    });
  });

  it('moves incomplete → checking when credentials arrive, and back when both are cleared', async () => {
    const { id } = await repos.accounts.create({ tenantId: 't1', externalId: 'later' });
    expect(await repos.accounts.saveSealedCookies(id, 'sb1.cookies')).toBe(true);
    expect((await repos.accounts.findById(id))?.status).toBe('checking');
    await repos.accounts.saveSealedCookies(id, null);
    expect((await repos.accounts.findById(id))?.status).toBe('incomplete');
    expect(await repos.accounts.saveSealedPassword(repos.accounts.newId(), 'sb1.x')).toBe(false);
  });

  it("takes the main app's status when credentials are given, incomplete without them", async () => {
    const active = await repos.accounts.create({
      tenantId: 't1',
      externalId: 'said-active',
      sealedCookies: 'sb1.cookies',
      status: 'active',
    });
    expect(active).toMatchObject({ status: 'active', statusReason: null });
    expect(active.statusMessage).toBe('The account is connected.');
    expect((await repos.accounts.findById(active.id))?.status).toBe('active');
    const off = await repos.accounts.create({
      tenantId: 't1',
      externalId: 'said-disconnected',
      sealedPassword: 'sb1.pw',
      status: 'disconnected',
    });
    expect(off.status).toBe('disconnected');
    const bare = await repos.accounts.create({
      tenantId: 't1',
      externalId: 'said-active-bare',
      status: 'active',
    });
    expect(bare).toMatchObject({ status: 'incomplete', statusReason: 'missing_credentials' });
    await expect(
      repos.accounts.create({
        tenantId: 't1',
        externalId: 'said-restricted',
        sealedPassword: 'sb1.pw',
        status: 'restricted' as 'active',
      }),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(await repos.accounts.findByExternalId('t1', 'said-restricted')).toBeNull();
  });

  it('keeps a submitted emailed code sealed and unselected until a worker takes it once', async () => {
    const created = await repos.accounts.create({
      tenantId: 't1',
      externalId: 'email-code',
      sealedPassword: 'sb1.pw',
    });
    expect(created).toMatchObject({ hasEmailCode: false, emailCodeAt: null });
    const { id } = created;
    expect(await repos.accounts.takeSealedEmailCode(id)).toBeNull();

    const at = new Date('2024-05-01T10:00:00Z');
    expect(await repos.accounts.saveSealedEmailCode(id, 'sb1.code-1', at)).toBe(true);
    expect(await repos.accounts.saveSealedEmailCode(id, 'sb1.code-2', at)).toBe(true);
    const record = await repos.accounts.findById(id);
    expect(record).toMatchObject({ hasEmailCode: true, emailCodeAt: at });
    expect(JSON.stringify(record)).not.toContain('sb1.code');
    const { Account } = createModels(db.connection);
    expect(await Account.findById(id).lean()).not.toHaveProperty('sealedEmailCode');

    expect(await repos.accounts.takeSealedEmailCode(id)).toBe('sb1.code-2');
    expect(await repos.accounts.takeSealedEmailCode(id)).toBeNull();
    expect(await repos.accounts.findById(id)).toMatchObject({
      hasEmailCode: false,
      emailCodeAt: null,
    });
    expect(await repos.accounts.saveSealedEmailCode(repos.accounts.newId(), 'sb1.x')).toBe(false);
    expect(await repos.accounts.takeSealedEmailCode(repos.accounts.newId())).toBeNull();
  });

  it('lists the emailed code among the sealed fields key rotation walks', async () => {
    const { id } = await repos.accounts.create({ tenantId: 't1', externalId: 'scan-code' });
    await repos.accounts.saveSealedEmailCode(id, 'sb1.code-old');
    const rows = await repos.accounts.scanSealed({ limit: 1000 });
    expect(rows.find((r) => r.id === id)?.values).toEqual({
      sealedPassword: null,
      sealedCookies: null,
      sealedProxyAuth: null,
      sealedEmailCode: 'sb1.code-old',
    });
    expect(await repos.accounts.replaceSealed(id, 'sealedEmailCode', 'sb1.nope', 'sb1.new')).toBe(
      false,
    );
    expect(
      await repos.accounts.replaceSealed(id, 'sealedEmailCode', 'sb1.code-old', 'sb1.code-new'),
    ).toBe(true);
    expect(await repos.accounts.takeSealedEmailCode(id)).toBe('sb1.code-new');
  });

  it('sets status, two-factor state and timestamps', async () => {
    const { id } = await repos.accounts.create({ tenantId: 't1', externalId: 'st' });
    await repos.accounts.setStatus(id, { status: 'needs_user_action', reason: 'captcha' });
    const at = new Date('2024-05-01T10:00:00Z');
    await repos.accounts.setTwoFactor(id, { state: 'enrolling', reason: 'owner_request' }, at);
    await repos.accounts.touch(id, 'failure', at);
    const account = await repos.accounts.findById(id);
    expect(account).toMatchObject({
      status: 'needs_user_action',
      statusReason: 'captcha',
      twoFactor: {
        state: 'enrolling',
        reason: 'owner_request',
        ownerHasCopy: false,
        updatedAt: at,
      },
      lastFailureAt: at,
      lastCheckAt: null,
    });
    await expect(repos.accounts.setStatus(id, { status: 'bogus' as 'active' })).rejects.toThrow(
      /bogus/,
    );
  });

  it('rejects ids that are not ObjectIds as invalid input', async () => {
    await expect(repos.accounts.findById('not-an-id')).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('proxy urls', () => {
  it('splits credentials from the url and joins them back', () => {
    const split = splitProxyUrl('http://user:p%40ss@10.0.0.1:3128');
    expect(split).toEqual({ url: 'http://10.0.0.1:3128', auth: 'user:p%40ss' });
    expect(joinProxyUrl(split.url, split.auth)).toBe('http://user:p%40ss@10.0.0.1:3128');
    expect(splitProxyUrl('socks5://h:1080')).toEqual({ url: 'socks5://h:1080', auth: null });
    expect(() => splitProxyUrl('ftp://h:21')).toThrow(ValidationError);
    expect(() => splitProxyUrl('http://user:secret@h:1/path')).toThrow(/no path or query/);
  });
});

describe('connections', () => {
  it('names the url without credentials when the server is unreachable', async () => {
    // Port 9 (discard) is closed here; 300 ms keeps the test quick.
    const mongo = {
      url: 'mongodb://admin:hunter2@127.0.0.1:9/li2fa?authSource=admin',
      connectTimeoutMs: 300,
    };
    for (const attempt of [() => connectMongo(mongo), () => createMongoConnection(mongo)]) {
      const err: unknown = await attempt().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(FatalWorkerError);
      expect(err).toMatchObject({ code: 'database_unavailable' });
      expect((err as Error).message).toContain('mongodb://127.0.0.1:9/li2fa');
      expect((err as Error).message).not.toContain('hunter2');
    }
  });

  it('redacts user, password and options from urls', () => {
    expect(redactMongoUrl('mongodb+srv://u:p@cluster.example/db?x=1')).toBe(
      'mongodb+srv://cluster.example/db',
    );
    expect(redactMongoUrl('mongodb://u:p@a:1,b:2/db')).toBe('mongodb://a:1,b:2/db');
  });
});
