import { randomBytes } from 'node:crypto';
import type { KeyRingConfig } from '../../../../shared/config';
import { createVault, resealValue, type SecretBinding } from '../../../../shared/crypto';

const BINDING: SecretBinding = { accountId: 'acct-1', purpose: 'totp_key' };
const CRED: SecretBinding = { accountId: 'acct-1', purpose: 'password' };

describe('rotation helper', () => {
  const k1 = randomBytes(32);
  const k2 = randomBytes(32);
  const c1 = randomBytes(32);
  const ringV1: KeyRingConfig = { keys: new Map([[1, k1]]), current: 1, minVersion: 1 };
  const ringV12: KeyRingConfig = {
    keys: new Map([
      [1, k1],
      [2, k2],
    ]),
    current: 2,
    minVersion: 1,
  };
  const credentials: KeyRingConfig = { keys: new Map([[1, c1]]), current: 1, minVersion: 1 };
  const before = createVault({ secretKeys: ringV1, credentialKeys: credentials });
  const after = createVault({ secretKeys: ringV12, credentialKeys: credentials });

  it('re-seals an old value under the new current version', () => {
    const old = before.seal('JBSWY3DPEHPK3PXP', BINDING);
    expect(after.needsReseal(old)).toBe(true);
    const result = resealValue(after, old, BINDING);
    expect(result.status).toBe('resealed');
    const fresh = (result as { sealed: string }).sealed;
    expect(after.versionOf(fresh)).toBe(2);
    expect(after.needsReseal(fresh)).toBe(false);
    expect(after.open(fresh, BINDING)).toBe('JBSWY3DPEHPK3PXP');
  });

  it('still opens old values while their version is in the ring', () => {
    const old = before.seal('JBSWY3DPEHPK3PXP', BINDING);
    expect(after.open(old, BINDING)).toBe('JBSWY3DPEHPK3PXP');
  });

  it('leaves a current value alone, and the other ring untouched', () => {
    const fresh = after.seal('JBSWY3DPEHPK3PXP', BINDING);
    expect(resealValue(after, fresh, BINDING)).toEqual({ status: 'current' });
    expect(after.reseal(fresh, BINDING)).toBe(fresh);
    const password = before.seal('hunter2', CRED);
    expect(resealValue(after, password, CRED)).toEqual({ status: 'current' });
  });

  it('reports a value that cannot be opened by its code only', () => {
    const old = before.seal('JBSWY3DPEHPK3PXP', BINDING);
    const result = resealValue(after, old, { ...BINDING, accountId: 'acct-2' });
    expect(result).toEqual({ status: 'failed', code: 'secret_wrong_binding' });
    expect(resealValue(after, 'garbage', BINDING)).toEqual({
      status: 'failed',
      code: 'secret_malformed',
    });
  });
});
