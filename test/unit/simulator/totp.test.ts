import {
  base32Decode,
  base32Encode,
  generateKey,
  hotp,
  isBase32Key,
  matchTotpStep,
  timeStep,
  totp,
  type TotpAlgorithm,
} from '../../../simulator/totp';

/** RFC 4226 Appendix D: secret "12345678901234567890", counters 0–9. */
const RFC4226_CODES = [
  '755224',
  '287082',
  '359152',
  '969429',
  '338314',
  '254676',
  '287922',
  '162583',
  '399871',
  '520489',
];

/** RFC 6238 Appendix B seeds: 20, 32 and 64 bytes of the ASCII digits for each algorithm. */
const SEEDS: Record<TotpAlgorithm, string> = {
  sha1: '12345678901234567890',
  sha256: '12345678901234567890123456789012',
  sha512: '1234567890123456789012345678901234567890123456789012345678901234',
};

/** RFC 6238 Appendix B table: [time (s), sha1, sha256, sha512], 8 digits. */
const RFC6238_TABLE: [number, string, string, string][] = [
  [59, '94287082', '46119246', '90693936'],
  [1111111109, '07081804', '68084774', '25091201'],
  [1111111111, '14050471', '67062674', '99943326'],
  [1234567890, '89005924', '91819424', '93441116'],
  [2000000000, '69279037', '90698825', '38618901'],
  [20000000000, '65353130', '77737706', '47863826'],
];

describe('simulator HOTP (RFC 4226 Appendix D)', () => {
  it.each(RFC4226_CODES.map((code, counter) => [counter, code]))(
    'counter %i gives %s',
    (counter, code) => {
      expect(hotp(Buffer.from('12345678901234567890'), counter)).toBe(code);
    },
  );
});

describe('simulator TOTP (RFC 6238 Appendix B)', () => {
  for (const [time, sha1, sha256, sha512] of RFC6238_TABLE) {
    it.each([
      ['sha1', sha1],
      ['sha256', sha256],
      ['sha512', sha512],
    ] as [TotpAlgorithm, string][])(`T=${time}s %s`, (algorithm, code) => {
      const key = base32Encode(Buffer.from(SEEDS[algorithm]));
      expect(totp(key, time * 1000, { digits: 8, algorithm })).toBe(code);
    });
  }

  it('uses 6 digits, SHA1 and 30 s by default (the last 6 digits of the 8-digit vector)', () => {
    const key = base32Encode(Buffer.from(SEEDS.sha1));
    expect(totp(key, 59_000)).toBe('287082');
    expect(timeStep(59_000)).toBe(1);
  });
});

describe('base32', () => {
  it('round-trips and matches RFC 4648 test vectors', () => {
    expect(base32Encode(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
    expect(base32Decode('MZXW6YTBOI======').toString()).toBe('foobar');
    expect(base32Decode('mzxw 6ytb oi').toString()).toBe('foobar');
    expect(() => base32Decode('ABC1')).toThrow(/invalid base32/);
  });

  it('generates 160-bit keys of 32 characters', () => {
    const key = generateKey();
    expect(key).toMatch(/^[A-Z2-7]{32}$/);
    expect(base32Decode(key)).toHaveLength(20);
    expect(generateKey()).not.toBe(key);
    expect(isBase32Key(key)).toBe(true);
    expect(isBase32Key('ABCD')).toBe(false);
  });
});

describe('matchTotpStep', () => {
  const key = 'BCUTUKT6MT33Y3FCHSMHU2XRHKLTX7RN';
  const now = 1_700_000_000_000;

  it('accepts the current step and ±window, nothing beyond', () => {
    const step = timeStep(now);
    expect(matchTotpStep(key, totp(key, now), now, 1)).toBe(step);
    expect(matchTotpStep(key, totp(key, now - 30_000), now, 1)).toBe(step - 1);
    expect(matchTotpStep(key, totp(key, now + 30_000), now, 1)).toBe(step + 1);
    expect(matchTotpStep(key, totp(key, now + 60_000), now, 1)).toBeNull();
    expect(matchTotpStep(key, totp(key, now + 60_000), now, 2)).toBe(step + 2);
    expect(matchTotpStep(key, totp(key, now - 30_000), now, 0)).toBeNull();
  });

  it('rejects malformed codes', () => {
    expect(matchTotpStep(key, '12345', now, 1)).toBeNull();
    expect(matchTotpStep(key, 'abcdef', now, 1)).toBeNull();
  });
});
