import { randomBytes } from 'node:crypto';
import { loadConfig, type Config } from '../../../shared/config';
import { createVault, type SecretPurpose, type Vault } from '../../../shared/crypto';
import { rotateSecrets, type Repositories } from '../../../shared/db';
import {
  createKeysRotateCommand,
  parseKeysRotateArgs,
} from '../../../scripts/commands/keys-rotate';
import { ValidationError } from '../../../shared/errors';
import { useTestRepositories, type TestDatabase } from '../../helpers/mongo';

let db: TestDatabase;
let repos: Repositories;

useTestRepositories('test', (opened) => {
  db = opened;
  repos = opened.repos;
});

const key = () => randomBytes(32).toString('base64');
const S1 = key();
const S2 = key();
const C1 = key();
const C2 = key();

/** A real Config from env-style strings, as an operator would set them. */
function configWith(secretKeys: string, credentialKeys: string): Config {
  return loadConfig({
    NODE_ENV: 'test',
    MONGO_URL: 'mongodb://127.0.0.1:27017/unused',
    SECRET_KEYS: secretKeys,
    CREDENTIAL_KEYS: credentialKeys,
  });
}
const ringV1 = () => configWith(`1:${S1}`, `1:${C1}`);
const ringV12 = () => configWith(`1:${S1},2:${S2}`, `1:${C1},2:${C2}`);

interface Seeded {
  readonly accountId: string;
  readonly plain: Partial<Record<SecretPurpose, string>>;
}

/** `n` accounts, each with password, cookies, proxy auth, a TOTP key and recovery codes. */
async function seed(vault: Vault, n: number, prefix: string): Promise<Seeded[]> {
  const out: Seeded[] = [];
  for (let i = 0; i < n; i++) {
    const accountId = repos.accounts.newId();
    const plain = {
      password: `pw-${prefix}-${i}`,
      cookies: `li_at=${prefix}-${i}`,
      proxy_auth: `user:pass-${prefix}-${i}`,
      totp_key: `KEY${prefix.toUpperCase()}${i}`,
      recovery_codes: `codes-${prefix}-${i}`,
    };
    const seal = (purpose: keyof typeof plain) =>
      vault.seal(plain[purpose], { accountId, purpose });
    await repos.accounts.create({
      id: accountId,
      tenantId: 't1',
      externalId: `${prefix}-${i}`,
      sealedPassword: seal('password'),
      sealedCookies: seal('cookies'),
      proxy: { url: 'http://10.0.0.1:3128', sealedAuth: seal('proxy_auth') },
    });
    const k = await repos.twoFactorKeys.savePending(accountId, seal('totp_key'), 'import');
    await repos.twoFactorKeys.saveRecoveryCodes(accountId, k.version, seal('recovery_codes'));
    out.push({ accountId, plain });
  }
  return out;
}

/** Reads every stored value back and returns its version, checking it opens to the original. */
async function storedVersions(vault: Vault, seeded: Seeded[]): Promise<number[]> {
  const versions: number[] = [];
  for (const { accountId, plain } of seeded) {
    const creds = (await repos.accounts.loadSealedCredentials(accountId))!;
    const k = (await repos.twoFactorKeys.loadLatest(accountId))!;
    const codes = (await repos.twoFactorKeys.loadSealedRecoveryCodes(accountId, k.version))!;
    const values: Array<[SecretPurpose, string]> = [
      ['password', creds.password!],
      ['cookies', creds.cookies!],
      ['proxy_auth', creds.proxyAuth!],
      ['totp_key', k.sealedKey],
      ['recovery_codes', codes],
    ];
    for (const [purpose, sealed] of values) {
      expect(vault.open(sealed, { accountId, purpose })).toBe(plain[purpose]);
      versions.push(vault.versionOf(sealed));
    }
  }
  return versions;
}

const deps = (vault: Vault) => ({
  vault,
  accounts: repos.accounts,
  twoFactorKeys: repos.twoFactorKeys,
});

describe('key rotation', () => {
  it('re-seals everything under v2, keeps it openable, and is idempotent', async () => {
    const seeded = await seed(createVault(ringV1()), 5, 'a');
    const vault = createVault(ringV12());

    const first = await rotateSecrets(deps(vault), { batchSize: 2 });
    expect(first.accounts).toEqual({
      scanned: 15,
      resealed: 15,
      current: 0,
      failed: 0,
      conflicts: 0,
    });
    expect(first.twoFactorKeys).toEqual({
      scanned: 10,
      resealed: 10,
      current: 0,
      failed: 0,
      conflicts: 0,
    });
    expect(new Set(await storedVersions(vault, seeded))).toEqual(new Set([2]));

    // Only v2 in the ring now: everything still opens.
    const v2Only = createVault(configWith(`2:${S2}`, `2:${C2}`));
    expect(new Set(await storedVersions(v2Only, seeded))).toEqual(new Set([2]));

    const second = await rotateSecrets(deps(vault), { batchSize: 2 });
    expect(second.accounts).toMatchObject({ scanned: 15, resealed: 0, current: 15 });
    expect(second.twoFactorKeys).toMatchObject({ scanned: 10, resealed: 0, current: 10 });
  });

  it('finishes on a re-run after being interrupted after one batch', async () => {
    const seeded = await seed(createVault(ringV1()), 5, 'b');
    const vault = createVault(ringV12());
    const crash = new Error('simulated crash after one batch');

    await expect(
      rotateSecrets(deps(vault), {
        batchSize: 2,
        onProgress: () => {
          throw crash;
        },
      }),
    ).rejects.toBe(crash);
    const partial = await storedVersions(vault, seeded);
    // One batch = 2 accounts × 3 credential fields; the key documents were not reached.
    expect(partial.filter((v) => v === 2)).toHaveLength(6);

    const rerun = await rotateSecrets(deps(vault), { batchSize: 2 });
    expect(rerun.accounts).toMatchObject({ resealed: 9, current: 6, failed: 0 });
    expect(rerun.twoFactorKeys).toMatchObject({ resealed: 10, current: 0, failed: 0 });
    expect(new Set(await storedVersions(vault, seeded))).toEqual(new Set([2]));
  });

  it('re-seals a waiting emailed code too, still openable as email_code', async () => {
    const [one] = await seed(createVault(ringV1()), 1, 'm');
    const accountId = one!.accountId;
    const sealed = createVault(ringV1()).seal('482913', { accountId, purpose: 'email_code' });
    expect(await repos.accounts.saveSealedEmailCode(accountId, sealed)).toBe(true);
    const vault = createVault(ringV12());

    const report = await rotateSecrets(deps(vault));
    expect(report.accounts).toMatchObject({ scanned: 4, resealed: 4, failed: 0 });
    const taken = await repos.accounts.takeSealedEmailCode(accountId);
    expect(taken).not.toBe(sealed);
    expect(vault.versionOf(taken!)).toBe(2);
    expect(vault.open(taken!, { accountId, purpose: 'email_code' })).toBe('482913');
  });

  it('writes nothing in a dry run', async () => {
    const seeded = await seed(createVault(ringV1()), 2, 'c');
    const vault = createVault(ringV12());
    const report = await rotateSecrets(deps(vault), { dryRun: true });
    expect(report).toMatchObject({
      dryRun: true,
      accounts: { resealed: 6 },
      twoFactorKeys: { resealed: 4 },
    });
    expect(new Set(await storedVersions(vault, seeded))).toEqual(new Set([1]));
  });
});

describe('keys:rotate command', () => {
  function run(config: Config, args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    let disconnected = false;
    const command = createKeysRotateCommand({
      loadConfig: () => config,
      connect: () => Promise.resolve(db.connection),
      disconnect: () => {
        disconnected = true;
        return Promise.resolve();
      },
    });
    return command
      .run(args, { out: (t) => out.push(t), err: (t) => err.push(t) })
      .then((code) => ({ code, out: out.join(''), err: err.join(''), disconnected }));
  }

  it('rotates, prints counts and progress, and disconnects', async () => {
    await seed(createVault(ringV1()), 3, 'd');
    const result = await run(ringV12(), ['--batch-size', '2']);
    expect(result.code).toBe(0);
    expect(result.disconnected).toBe(true);
    expect(result.out).toContain('accounts: scanned 9, resealed 9, already current 0, failed 0');
    expect(result.out).toContain('two-factor keys: scanned 6, resealed 6');
    expect(result.out).toContain('secret ring v2, credential ring v2');
    expect(result.err).toContain('accounts batch 1: scanned 6');
    expect(result.err).toContain('accounts batch 2: scanned 9');

    const again = await run(ringV12(), []);
    expect(again.out).toContain('accounts: scanned 9, resealed 0, already current 9');
  });

  it('exits 1 and reports the count, never the value, when a value cannot be opened', async () => {
    const v1 = createVault(ringV1());
    const [victim] = await seed(v1, 2, 'e');
    // A password sealed for another account: intact, but it does not belong here.
    const misfiled = v1.seal('misfiled-password', {
      accountId: repos.accounts.newId(),
      purpose: 'password',
    });
    await repos.accounts.saveSealedPassword(victim!.accountId, misfiled);

    const result = await run(ringV12(), ['--dry-run']);
    expect(result.code).toBe(1);
    expect(result.out).toContain('Dry run');
    expect(result.out).toContain('failed 1');
    expect(result.out).toContain('failed by code: secret_wrong_binding 1');
    expect(result.out + result.err).not.toContain('misfiled-password');
    expect(result.out + result.err).not.toContain(misfiled);
  });

  it('parses its options', () => {
    expect(parseKeysRotateArgs([])).toEqual({ dryRun: false, batchSize: 100 });
    expect(parseKeysRotateArgs(['--dry-run', '--batch-size=5'])).toEqual({
      dryRun: true,
      batchSize: 5,
    });
    for (const bad of [
      ['--batch-size'],
      ['--batch-size', '0'],
      ['--batch-size', '1e3'],
      ['--force'],
    ]) {
      expect(() => parseKeysRotateArgs(bad)).toThrow(ValidationError);
    }
  });

  it('does not echo an unknown argument (it may be something pasted by mistake)', () => {
    expect(() => parseKeysRotateArgs(['JBSWY3DPEHPK3PXP'])).toThrow(
      'unknown argument; expected --dry-run or --batch-size N',
    );
  });
});
