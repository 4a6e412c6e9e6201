import { randomBytes } from 'node:crypto';
import type { KeyRingConfig } from '../../../../shared/config';
import { createVault, parseSealed, type SecretBinding } from '../../../../shared/crypto';
import { FatalWorkerError, SecretError } from '../../../../shared/errors';

function ring(versions: number[], current: number, minVersion = 1): KeyRingConfig {
  return { keys: new Map(versions.map((v) => [v, randomBytes(32)])), current, minVersion };
}

const BINDING: SecretBinding = { accountId: 'acct-1', purpose: 'totp_key' };
const PLAINTEXT = 'JBSWY3DPEHPK3PXP';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SecretError);
    return (err as SecretError).code;
  }
  throw new Error('expected a SecretError, nothing was thrown');
}

/** Flips one bit of the decoded bytes of part `index` and re-encodes it canonically. */
function flipByte(sealed: string, index: number, byte = 0): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[index]!, 'base64url');
  bytes[byte] = bytes[byte]! ^ 0x01;
  parts[index] = bytes.toString('base64url');
  return parts.join('.');
}

describe('sb1 format', () => {
  const vault = createVault({ secretKeys: ring([1], 1), credentialKeys: ring([1], 1) });
  const sealed = vault.seal(PLAINTEXT, BINDING);

  it('is self-describing: format, ring, version and fixed-size parts', () => {
    expect(sealed).toMatch(/^sb1\.s\.1\.[\w-]{11}\.[\w-]{16}\.[\w-]{22}\.[\w-]+$/);
    const parsed = parseSealed(sealed);
    expect(parsed).toMatchObject({
      ring: 'secret',
      version: 1,
      header: sealed.split('.').slice(0, 4).join('.'),
    });
    expect(vault.versionOf(sealed)).toBe(1);
    expect(vault.inspect(sealed)).toEqual({ ring: 'secret', version: 1 });
  });

  it.each([
    ['iv', 4],
    ['tag', 5],
    ['ciphertext', 6],
  ])('reports a flipped byte in the %s as secret_tampered', (_name, index) => {
    expect(codeOf(() => vault.open(flipByte(sealed, index), BINDING))).toBe('secret_tampered');
  });

  it('reports a flipped last byte of the tag as secret_tampered', () => {
    expect(codeOf(() => vault.open(flipByte(sealed, 5, 15), BINDING))).toBe('secret_tampered');
  });

  it('reports truncated ciphertext as secret_tampered', () => {
    const parts = sealed.split('.');
    parts[6] = Buffer.from(parts[6]!, 'base64url').subarray(1).toString('base64url');
    expect(codeOf(() => vault.open(parts.join('.'), BINDING))).toBe('secret_tampered');
  });

  it.each([
    ['an empty string', ''],
    ['random text', 'not a sealed value'],
    ['a JSON blob', '{"iv":"x"}'],
    ['the wrong format tag', sealed.replace(/^sb1/, 'sb2')],
    ['an unknown ring code', sealed.replace(/^sb1\.s/, 'sb1.x')],
    ['a zero version', sealed.replace(/^sb1\.s\.1/, 'sb1.s.0')],
    ['a non-numeric version', sealed.replace(/^sb1\.s\.1/, 'sb1.s.v1')],
    ['a missing part', sealed.split('.').slice(0, 6).join('.')],
    ['an extra part', `${sealed}.AAAA`],
    ['a short iv', flipLength(sealed, 4)],
    ['non-base64url characters', sealed.replace(/\.([\w-]+)$/, '.+/+/')],
    ['a non-canonical tag encoding', nonCanonical(sealed, 5)],
  ])('reports %s as secret_malformed', (_name, value) => {
    expect(codeOf(() => vault.open(value, BINDING))).toBe('secret_malformed');
  });

  it('reports a non-string as secret_malformed', () => {
    expect(codeOf(() => vault.open(42 as unknown as string, BINDING))).toBe('secret_malformed');
    expect(codeOf(() => vault.versionOf(null as unknown as string))).toBe('secret_malformed');
  });

  function flipLength(value: string, index: number): string {
    const parts = value.split('.');
    parts[index] = Buffer.from(parts[index]!, 'base64url').subarray(1).toString('base64url');
    return parts.join('.');
  }

  /** 16 bytes = 22 chars whose last 4 bits are spare: setting them decodes to the same bytes. */
  function nonCanonical(value: string, index: number): string {
    const parts = value.split('.');
    const part = parts[index]!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(part.at(-1)!);
    parts[index] = part.slice(0, -1) + alphabet[last | 0b0011]!;
    expect(Buffer.from(parts[index], 'base64url')).toEqual(Buffer.from(part, 'base64url'));
    return parts.join('.');
  }
});

describe('key versions', () => {
  const secretV1 = ring([1], 1);
  const credential = ring([1], 1);
  const v1 = createVault({ secretKeys: secretV1, credentialKeys: credential });
  const sealedV1 = v1.seal(PLAINTEXT, BINDING);

  it('reports a version the ring does not hold as key_version_unknown', () => {
    const other = createVault({ secretKeys: ring([2], 2), credentialKeys: credential });
    expect(codeOf(() => other.open(sealedV1, BINDING))).toBe('key_version_unknown');
  });

  it('reports a version below minVersion as key_version_retired, even if the key is held', () => {
    const keys = new Map(secretV1.keys);
    keys.set(2, randomBytes(32));
    const retired = createVault({
      secretKeys: { keys, current: 2, minVersion: 2 },
      credentialKeys: credential,
    });
    expect(codeOf(() => retired.open(sealedV1, BINDING))).toBe('key_version_retired');
    expect(codeOf(() => retired.reseal(sealedV1, BINDING))).toBe('key_version_retired');
  });

  it('refuses a ring whose current version is missing or retired', () => {
    expect(() => createVault({ secretKeys: ring([1], 2), credentialKeys: credential })).toThrow(
      FatalWorkerError,
    );
    expect(() =>
      createVault({ secretKeys: ring([1, 2], 1, 2), credentialKeys: credential }),
    ).toThrow(FatalWorkerError);
    const short: KeyRingConfig = {
      keys: new Map([[1, randomBytes(16)]]),
      current: 1,
      minVersion: 1,
    };
    expect(() => createVault({ secretKeys: short, credentialKeys: credential })).toThrow(
      /16 bytes, expected 32/,
    );
  });
});
