import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../../shared/config';
import { createVault } from '../../../shared/crypto';
import { splitProxyUrl, type Repositories } from '../../../shared/db';
import { useTestRepositories, type TestDatabase } from '../../helpers/mongo';

let db: TestDatabase;
let repos: Repositories;

useTestRepositories('file', (opened) => {
  db = opened;
  repos = opened.repos;
});

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A random 32-character base32 TOTP key (160 bits, the RFC 4226 recommended size). */
function randomTotpKey(): string {
  return [...randomBytes(32)].map((b) => BASE32[b % 32]).join('');
}

/** Every spelling of `text` that would betray it if it appeared in a stored document. */
function encodingsOf(text: string): string[] {
  const bytes = Buffer.from(text, 'utf8');
  return [
    text,
    bytes.toString('base64'),
    bytes.toString('base64url'),
    bytes.toString('hex'),
    bytes.toString('hex').toUpperCase(),
  ];
}

describe('nothing secret is stored in the clear', () => {
  it('keeps TOTP key, password, cookies, proxy password and recovery codes out of every document', async () => {
    const vault = createVault(loadConfig({}));
    const totpKey = randomTotpKey();
    const password = `pw-${randomBytes(12).toString('hex')}`;
    const cookies = JSON.stringify([{ name: 'li_at', value: randomBytes(24).toString('hex') }]);
    const proxyPassword = `px-${randomBytes(12).toString('hex')}`;
    const recoveryCodes = Array.from({ length: 8 }, () => randomBytes(5).toString('hex')).join(
      '\n',
    );

    const accountId = repos.accounts.newId();
    const proxy = splitProxyUrl(`http://proxyuser:${proxyPassword}@10.1.2.3:3128`);
    await repos.accounts.create({
      id: accountId,
      tenantId: 'tenant-leak',
      externalId: 'leak-check',
      email: 'owner@example.com',
      sealedPassword: vault.seal(password, { accountId, purpose: 'password' }),
      sealedCookies: vault.seal(cookies, { accountId, purpose: 'cookies' }),
      proxy: {
        url: proxy.url,
        sealedAuth: vault.seal(proxy.auth!, { accountId, purpose: 'proxy_auth' }),
      },
    });
    const key = await repos.twoFactorKeys.savePending(
      accountId,
      vault.seal(totpKey, { accountId, purpose: 'totp_key' }),
      'enrollment',
    );
    await repos.twoFactorKeys.saveRecoveryCodes(
      accountId,
      key.version,
      vault.seal(recoveryCodes, { accountId, purpose: 'recovery_codes' }),
    );
    await repos.twoFactorKeys.activate(accountId, key.version);
    await repos.twoFactorKeys.claimStep(accountId, key.version, 57_000_000);
    await repos.audit.record({
      tenantId: 'tenant-leak',
      accountId,
      actor: 'worker:enrollment',
      action: 'key.sealed',
      details: { keyVersion: key.version, source: 'enrollment' },
    });

    const native = db.connection.db!;
    const collections = (await native.listCollections().toArray()).map((c) => c.name);
    expect(collections).toEqual(
      expect.arrayContaining(['accounts', 'two_factor_keys', 'audit_events', 'totp_step_claims']),
    );
    let documents = 0;
    const forbidden = [totpKey, password, cookies, proxyPassword, recoveryCodes]
      .concat(recoveryCodes.split('\n'))
      .flatMap(encodingsOf);
    for (const name of collections) {
      for (const doc of await native.collection(name).find().toArray()) {
        documents++;
        const json = JSON.stringify(doc);
        for (const secret of forbidden) expect(json).not.toContain(secret);
      }
    }
    // accounts, two_factor_keys, audit_events, totp_step_claims: one document each.
    expect(documents).toBe(4);

    // …and what was stored still opens to the originals.
    const sealed = await repos.accounts.loadSealedCredentials(accountId);
    expect(vault.open(sealed!.password!, { accountId, purpose: 'password' })).toBe(password);
    expect(vault.open(sealed!.cookies!, { accountId, purpose: 'cookies' })).toBe(cookies);
    const active = await repos.twoFactorKeys.loadActive(accountId);
    expect(vault.open(active!.sealedKey, { accountId, purpose: 'totp_key' })).toBe(totpKey);
  });
});
