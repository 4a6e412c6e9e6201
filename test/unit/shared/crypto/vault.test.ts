import { randomBytes } from 'node:crypto';
import type { KeyRingConfig } from '../../../../shared/config';
import {
  createVault,
  SECRET_PURPOSES,
  PURPOSE_RING,
  type SecretBinding,
  type SecretPurpose,
} from '../../../../shared/crypto';
import { SecretError, ValidationError } from '../../../../shared/errors';

function ring(versions: number[], current: number, minVersion = 1): KeyRingConfig {
  return { keys: new Map(versions.map((v) => [v, randomBytes(32)])), current, minVersion };
}

const vault = createVault({ secretKeys: ring([1], 1), credentialKeys: ring([1], 1) });
const ACCOUNT = '65f0c0ffee0000000000a001';
const bind = (purpose: SecretPurpose, accountId = ACCOUNT): SecretBinding => ({
  accountId,
  purpose,
});

/** Runs `fn` and returns the stable code of the SecretError it throws. */
function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SecretError);
    return (err as SecretError).code;
  }
  throw new Error('expected a SecretError, nothing was thrown');
}

describe('vault', () => {
  it.each(SECRET_PURPOSES)('round-trips a %s', (purpose) => {
    const plaintext = `plain-${purpose}-é✓`;
    const sealed = vault.seal(plaintext, bind(purpose));
    expect(sealed).not.toContain(plaintext);
    expect(vault.open(sealed, bind(purpose))).toBe(plaintext);
  });

  it('round-trips an empty string and a large cookie jar', () => {
    const big = 'x'.repeat(64 * 1024);
    expect(vault.open(vault.seal('', bind('cookies')), bind('cookies'))).toBe('');
    expect(vault.open(vault.seal(big, bind('cookies')), bind('cookies'))).toBe(big);
  });

  it('seals second-factor purposes on the secret ring and credentials on the other', () => {
    expect(PURPOSE_RING).toEqual({
      totp_key: 'secret',
      recovery_codes: 'secret',
      password: 'credential',
      cookies: 'credential',
      proxy_auth: 'credential',
      email_code: 'credential',
    });
    expect(vault.inspect(vault.seal('k', bind('totp_key'))).ring).toBe('secret');
    expect(vault.inspect(vault.seal('k', bind('recovery_codes'))).ring).toBe('secret');
    expect(vault.inspect(vault.seal('p', bind('password'))).ring).toBe('credential');
    expect(vault.inspect(vault.seal('c', bind('cookies'))).ring).toBe('credential');
    expect(vault.inspect(vault.seal('123456', bind('email_code'))).ring).toBe('credential');
  });

  it('refuses to open a credential-ring value as a totp_key', () => {
    const sealed = vault.seal('hunter2', bind('password'));
    expect(codeOf(() => vault.open(sealed, bind('totp_key')))).toBe('secret_wrong_binding');
  });

  it('cannot open a value whose ring header was swapped to the other ring', () => {
    const sealed = vault.seal('hunter2', bind('password')).replace(/^sb1\.c\./, 'sb1.s.');
    expect(codeOf(() => vault.open(sealed, bind('password')))).toBe('secret_wrong_binding');
    expect(codeOf(() => vault.open(sealed, bind('totp_key')))).toBe('secret_wrong_binding');
  });

  it('uses two distinct rings: a vault with only the secret ring swapped cannot open totp keys', () => {
    const credentialKeys = ring([1], 1);
    const a = createVault({ secretKeys: ring([1], 1), credentialKeys });
    const b = createVault({ secretKeys: ring([1], 1), credentialKeys });
    const totp = a.seal('JBSWY3DPEHPK3PXP', bind('totp_key'));
    const password = a.seal('hunter2', bind('password'));
    expect(b.open(password, bind('password'))).toBe('hunter2');
    expect(() => b.open(totp, bind('totp_key'))).toThrow(SecretError);
  });

  it('reports a wrong account as secret_wrong_binding', () => {
    const sealed = vault.seal('JBSWY3DPEHPK3PXP', bind('totp_key'));
    expect(codeOf(() => vault.open(sealed, bind('totp_key', 'another-account')))).toBe(
      'secret_wrong_binding',
    );
  });

  it('reports a wrong purpose on the same ring as secret_wrong_binding', () => {
    const totp = vault.seal('JBSWY3DPEHPK3PXP', bind('totp_key'));
    const cookies = vault.seal('li_at=abc', bind('cookies'));
    expect(codeOf(() => vault.open(totp, bind('recovery_codes')))).toBe('secret_wrong_binding');
    expect(codeOf(() => vault.open(cookies, bind('password')))).toBe('secret_wrong_binding');
  });

  it('does not reveal the account id in the sealed string', () => {
    const sealed = vault.seal('x', bind('totp_key'));
    expect(sealed).not.toContain(ACCOUNT);
    expect(sealed).not.toContain(Buffer.from(ACCOUNT).toString('base64url'));
  });

  it('gives two different strings for two seals of the same plaintext', () => {
    const a = vault.seal('JBSWY3DPEHPK3PXP', bind('totp_key'));
    const b = vault.seal('JBSWY3DPEHPK3PXP', bind('totp_key'));
    expect(a).not.toBe(b);
    expect(a.split('.')[4]).not.toBe(b.split('.')[4]);
  });

  it('rejects an unknown purpose and an empty account id as invalid input', () => {
    const badPurpose = { accountId: ACCOUNT, purpose: 'api_token' } as unknown as SecretBinding;
    expect(() => vault.seal('x', badPurpose)).toThrow(ValidationError);
    expect(() => vault.seal('x', bind('password', ''))).toThrow(ValidationError);
  });

  it('never puts the plaintext in an error message', () => {
    const plaintext = 'JBSWY3DPEHPK3PXP';
    const sealed = vault.seal(plaintext, bind('totp_key'));
    const messages: string[] = [];
    for (const attempt of [
      () => vault.open(sealed, bind('totp_key', 'other')),
      () => vault.open(sealed.slice(0, -2) + 'AA', bind('totp_key')),
      () => vault.open(`${sealed}.extra`, bind('totp_key')),
    ]) {
      try {
        attempt();
      } catch (err) {
        messages.push(String((err as Error).message), JSON.stringify(err));
      }
    }
    expect(messages).toHaveLength(6);
    for (const m of messages) {
      expect(m).not.toContain(plaintext);
      expect(m).not.toContain(sealed);
    }
  });
});
