import { ValidationError, RetryLaterError } from '../../../shared/errors';
import { isAbortError } from '../../../shared/clock';
import {
  createTotp,
  encodeBase32,
  estimateOffsetMs,
  hotp,
  normalizeKey,
  type TotpAlgorithm,
  type TotpKey,
} from '../../../shared/totp';
import { createFakeClock, type FakeClock } from '../../helpers/fake-clock';

/** The ASCII seeds of RFC 6238 Appendix B, one per hash (RFC 4226 Appendix D uses the first). */
const SEEDS: Record<TotpAlgorithm, string> = {
  sha1: '12345678901234567890',
  sha256: '12345678901234567890123456789012',
  sha512: '1234567890123456789012345678901234567890123456789012345678901234',
};
const rfcKey = (algorithm: TotpAlgorithm, digits = 8): TotpKey => ({
  ...normalizeKey(encodeBase32(Buffer.from(SEEDS[algorithm], 'ascii'))),
  algorithm,
  digits,
});

describe('RFC vectors', () => {
  // RFC 6238 Appendix B: [unix seconds, algorithm, 8-digit TOTP].
  const rfc6238: [number, TotpAlgorithm, string][] = [
    [59, 'sha1', '94287082'],
    [59, 'sha256', '46119246'],
    [59, 'sha512', '90693936'],
    [1111111109, 'sha1', '07081804'],
    [1111111109, 'sha256', '68084774'],
    [1111111109, 'sha512', '25091201'],
    [1111111111, 'sha1', '14050471'],
    [1111111111, 'sha256', '67062674'],
    [1111111111, 'sha512', '99943326'],
    [1234567890, 'sha1', '89005924'],
    [1234567890, 'sha256', '91819424'],
    [1234567890, 'sha512', '93441116'],
    [2000000000, 'sha1', '69279037'],
    [2000000000, 'sha256', '90698825'],
    [2000000000, 'sha512', '38618901'],
    [20000000000, 'sha1', '65353130'],
    [20000000000, 'sha256', '77737706'],
    [20000000000, 'sha512', '47863826'],
  ];
  const totp = createTotp({ clock: createFakeClock(0) });

  it.each(rfc6238)('RFC 6238 Appendix B: T=%i %s → %s', (seconds, algorithm, expected) => {
    const got = totp.codeAt(rfcKey(algorithm), seconds * 1000);
    expect(got.code).toBe(expected);
    expect(got.step).toBe(Math.floor(seconds / 30));
  });

  // RFC 4226 Appendix D: 6-digit HOTP of "12345678901234567890" for counters 0–9.
  const rfc4226 = [
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

  it.each(rfc4226.map((code, counter) => [counter, code] as const))(
    'RFC 4226 Appendix D: counter %i → %s',
    (counter, expected) => {
      expect(hotp(rfcKey('sha1', 6), counter)).toBe(expected);
    },
  );

  it('pins exactly 28 vectors', () => {
    expect(rfc6238.length + rfc4226.length).toBe(28);
  });

  it('refuses a negative or fractional HOTP counter', () => {
    expect(() => hotp(rfcKey('sha1', 6), -1)).toThrow(ValidationError);
    expect(() => hotp(rfcKey('sha1', 6), 1.5)).toThrow(ValidationError);
  });
});

describe('normalizeKey', () => {
  const KEY = 'JBSWY3DPEHPK3PXP'; // 16 characters = 80 bits, LinkedIn's length

  it.each([
    ['spaces', 'JBSW Y3DP EHPK 3PXP'],
    ['hyphens', 'JBSW-Y3DP-EHPK-3PXP'],
    ['lowercase', 'jbsw y3dp ehpk 3pxp'],
    ['padding', 'JBSWY3DPEHPK3PXP===='],
    ['tabs and newlines', '\tJBSWY3DP\nEHPK3PXP  '],
  ])('accepts %s', (_what, input) => {
    expect(normalizeKey(input)).toEqual({ secret: KEY, algorithm: 'sha1', digits: 6, period: 30 });
  });

  it('strips padding from a key whose length is not a multiple of 8', () => {
    expect(normalizeKey('GEZDGNBVGY3TQOJQGE======').secret).toBe('GEZDGNBVGY3TQOJQGE');
  });

  it('reads an otpauth URI with issuer, label and parameters', () => {
    const uri =
      'otpauth://totp/LinkedIn:alice%2Bx%40example.com?secret=jbswy3dpehpk3pxp&issuer=LinkedIn' +
      '&algorithm=SHA256&digits=8&period=60';
    expect(normalizeKey(uri)).toEqual({
      secret: KEY,
      algorithm: 'sha256',
      digits: 8,
      period: 60,
      label: 'alice+x@example.com',
      issuer: 'LinkedIn',
    });
  });

  it('reads an otpauth URI without issuer, with defaults', () => {
    expect(normalizeKey(`otpauth://totp/alice@example.com?secret=${KEY}`)).toEqual({
      secret: KEY,
      algorithm: 'sha1',
      digits: 6,
      period: 30,
      label: 'alice@example.com',
    });
  });

  it('takes the issuer from the label prefix when the parameter is missing', () => {
    expect(normalizeKey(`otpauth://totp/ACME%20Co:bob?secret=${KEY}`).issuer).toBe('ACME Co');
  });

  const secretOf = 'JBSWY3DPEHPK3PX'; // 15 characters
  it.each([
    ['hotp URI', `otpauth://hotp/LinkedIn:a?secret=${KEY}&counter=1`, /otpauth:\/\/totp.*"hotp"/],
    ['URI without secret', 'otpauth://totp/LinkedIn:a?issuer=LinkedIn', /no secret=/],
    ['URI with bad digits', `otpauth://totp/a?secret=${KEY}&digits=9`, /6, 7 or 8, got 9/],
    ['URI with bad algorithm', `otpauth://totp/a?secret=${KEY}&algorithm=MD5`, /got "md5"/],
    ['too short', secretOf, /at least 16 base32 characters \(80 bits\), got 15/],
    ['too short in a URI', `otpauth://totp/a?secret=${secretOf}`, /at least 16.*got 15/],
    ['bad characters', 'JBSWY3DPEHPK3PX1', /got 16 characters including 1 non-base32/],
    ['padding in the middle', 'JBSWY3DP=EHPK3PXP', /'=' before the end/],
    ['impossible length', 'JBSWY3DPEHPK3PXPJBS', /valid length.*got 19 characters/],
    ['empty', '   ', /empty/],
    ['a web URL', `https://example.com/?secret=${KEY}`, /non-base32/],
  ])('rejects %s with a ValidationError that does not echo the key', (_what, input, message) => {
    let caught: unknown;
    try {
      normalizeKey(input);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    const text = (caught as Error).message;
    expect(text).toMatch(message);
    for (const secret of [KEY, secretOf, 'JBSWY3DP', 'EHPK3PX']) expect(text).not.toContain(secret);
    expect(text.toUpperCase()).not.toContain('JBSWY3DP');
  });
});

describe('createTotp', () => {
  const KEY = normalizeKey('JBSWY3DPEHPK3PXP');
  /** 1_700_000_010 s is a step boundary: 56_666_667 × 30. */
  const T0 = 1_700_000_010_000;
  const S = 56_666_667;
  let clock: FakeClock;
  beforeEach(() => {
    clock = createFakeClock(T0);
  });

  /** Lets `promise` run on the fake clock for up to `ms`; returns its value and when it settled. */
  async function settle<T>(promise: Promise<T>, ms = 120_000): Promise<{ value: T; atMs: number }> {
    let atMs = Number.NaN;
    const tracked = promise.then((value) => {
      atMs = clock.nowMs();
      return value;
    });
    await clock.advance(ms);
    return { value: await tracked, atMs };
  }

  describe('codeAt', () => {
    it('reports the step and the whole seconds left', () => {
      const totp = createTotp({ clock });
      expect(totp.codeAt(KEY, T0 + 12_400)).toEqual({
        code: hotp(KEY, S),
        step: S,
        remainingSeconds: 17,
      });
      expect(totp.codeAt(KEY, T0).remainingSeconds).toBe(30);
    });

    it('uses the key period', () => {
      const totp = createTotp({ clock });
      const key60 = { ...KEY, period: 60 };
      expect(totp.codeAt(key60, 60_000 * 7 + 1_000)).toMatchObject({
        step: 7,
        remainingSeconds: 59,
      });
    });
  });

  describe('freshCode', () => {
    it('returns at once when the step has enough time left and is unused', async () => {
      const totp = createTotp({ clock });
      await clock.advance(10_000);
      const { value, atMs } = await settle(totp.freshCode(KEY, { lastUsedStep: S - 1 }));
      expect(value).toEqual({ code: hotp(KEY, S), step: S, remainingSeconds: 20 });
      expect(atMs).toBe(T0 + 10_000);
      expect(clock.sleepCalls).toEqual([]);
    });

    it('accepts exactly 5 s left', async () => {
      const totp = createTotp({ clock });
      await clock.advance(25_000);
      const { value } = await settle(totp.freshCode(KEY));
      expect(value).toMatchObject({ step: S, remainingSeconds: 5 });
    });

    it('waits for the next step when fewer than 5 s are left', async () => {
      const totp = createTotp({ clock });
      await clock.advance(26_000);
      const { value, atMs } = await settle(totp.freshCode(KEY));
      expect(value).toEqual({ code: hotp(KEY, S + 1), step: S + 1, remainingSeconds: 29 });
      expect(atMs).toBe(T0 + 30_250); // the boundary plus the 250 ms margin
    });

    it('waits for the next step when the current one was already used', async () => {
      const totp = createTotp({ clock });
      await clock.advance(3_000);
      const { value, atMs } = await settle(totp.freshCode(KEY, { lastUsedStep: S }));
      expect(value.step).toBe(S + 1);
      expect(atMs).toBe(T0 + 30_250);
    });

    it('waits two steps when the last used step is ahead of us (our clock behind)', async () => {
      const totp = createTotp({ clock });
      await clock.advance(3_000);
      const { value, atMs } = await settle(totp.freshCode(KEY, { lastUsedStep: S + 1 }));
      expect(value.step).toBe(S + 2);
      expect(atMs).toBe(T0 + 60_250);
    });

    it('asks to retry later rather than wait more than two steps', async () => {
      const totp = createTotp({ clock });
      const err: unknown = await totp
        .freshCode(KEY, { lastUsedStep: S + 2 })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RetryLaterError);
      expect((err as RetryLaterError).delayMs).toBe(90_250);
      expect(clock.pendingSleeps()).toBe(0);
    });

    it('applies the site offset when choosing the step', async () => {
      // Site 18 s ahead: at local T0+10 s the site is at T0+28 s, with 2 s left.
      const totp = createTotp({ clock, offsetMs: 18_000 });
      await clock.advance(10_000);
      const { value, atMs } = await settle(totp.freshCode(KEY));
      expect(value.step).toBe(S + 1);
      expect(atMs).toBe(T0 + 30_250 - 18_000);
    });

    it('lets a call override the offset (site 15 s behind: the previous step)', async () => {
      const totp = createTotp({ clock, offsetMs: 18_000 });
      await clock.advance(10_000);
      const { value } = await settle(totp.freshCode(KEY, { offsetMs: -15_000 }));
      expect(value).toEqual({ code: hotp(KEY, S - 1), step: S - 1, remainingSeconds: 5 });
    });

    it('rejects with an AbortError when aborted while waiting, and stops waiting', async () => {
      const totp = createTotp({ clock });
      await clock.advance(27_000);
      const ac = new AbortController();
      const pending = totp.freshCode(KEY, { signal: ac.signal });
      const outcome = pending.then(
        () => 'resolved',
        (e: unknown) => e,
      );
      await clock.advance(1_000);
      expect(clock.pendingSleeps()).toBe(1);
      ac.abort();
      expect(isAbortError(await outcome)).toBe(true);
      expect(clock.pendingSleeps()).toBe(0);
    });

    it('rejects at once when the signal has already aborted', async () => {
      const totp = createTotp({ clock });
      await expect(totp.freshCode(KEY, { signal: AbortSignal.abort() })).rejects.toMatchObject({
        name: 'AbortError',
      });
    });

    it.each([
      ['per call', {}, { minRemainingSeconds: 2 }],
      ['as a default', { minRemainingSeconds: 0 }, {}],
    ])('clamps minRemainingSeconds below 5 up to 5 (%s)', async (_how, deps, opts) => {
      const totp = createTotp({ clock, ...deps });
      await clock.advance(26_000); // 4 s left: fine for 2 s, not for the 5-second floor
      const { value, atMs } = await settle(totp.freshCode(KEY, opts));
      expect(value.step).toBe(S + 1);
      expect(atMs).toBe(T0 + 30_250);
    });

    it('honours a larger minRemainingSeconds', async () => {
      const totp = createTotp({ clock, minRemainingSeconds: 10 });
      await clock.advance(21_000); // 9 s left
      const { value } = await settle(totp.freshCode(KEY));
      expect(value.step).toBe(S + 1);
    });

    it('refuses a minRemainingSeconds the period can never meet', async () => {
      const totp = createTotp({ clock });
      await expect(totp.freshCode(KEY, { minRemainingSeconds: 30 })).rejects.toThrow(
        /below the 30 s period, got 30/,
      );
    });
  });

  describe('verify', () => {
    it('matches the current step and one step either side, and nothing further', async () => {
      const totp = createTotp({ clock });
      await clock.advance(10_000);
      expect(totp.verify(KEY, hotp(KEY, S))).toBe(S);
      expect(totp.verify(KEY, hotp(KEY, S - 1))).toBe(S - 1);
      expect(totp.verify(KEY, hotp(KEY, S + 1))).toBe(S + 1);
      expect(totp.verify(KEY, hotp(KEY, S - 2))).toBeNull();
      expect(totp.verify(KEY, hotp(KEY, S + 2))).toBeNull();
      expect(totp.verify(KEY, hotp(KEY, S + 1), { window: 0 })).toBeNull();
      expect(totp.verify(KEY, hotp(KEY, S + 2), { window: 2 })).toBe(S + 2);
    });

    it('verifies at site time, or at an explicit time', () => {
      const totp = createTotp({ clock, offsetMs: 30_000 });
      expect(totp.verify(KEY, hotp(KEY, S + 2))).toBe(S + 2);
      expect(totp.verify(KEY, hotp(KEY, S - 1), { epochMs: T0 })).toBe(S - 1);
    });

    it('rejects a malformed code without echoing it', () => {
      const totp = createTotp({ clock });
      expect(() => totp.verify(KEY, '12345')).toThrow(/expected a 6-digit code, got 5 characters/);
      expect(() => totp.verify(KEY, '12a456')).toThrow(/including non-digits/);
    });
  });
});

describe('estimateOffsetMs', () => {
  const DATE = 'Wed, 21 Oct 2015 07:28:00 GMT';
  const serverMs = Date.UTC(2015, 9, 21, 7, 28, 0);

  it('compares the middle of the Date second with the middle of the request', () => {
    // Our clock 2 s behind the site, a 200 ms round trip centred on the site's T+0.5 s.
    const mid = serverMs + 500 - 2_000;
    expect(estimateOffsetMs(DATE, mid - 100, mid + 100)).toBe(2_000);
    expect(estimateOffsetMs(DATE, serverMs + 500, serverMs + 500)).toBe(0);
  });

  it('rejects an unparsable header and a response before its request', () => {
    expect(() => estimateOffsetMs('yesterday', 0, 1)).toThrow(ValidationError);
    expect(() => estimateOffsetMs(DATE, 10, 5)).toThrow(ValidationError);
  });
});
