import { ConfigError, loadConfig, parseEnvFile } from '../../../shared/config';

const key = (fill: number) => Buffer.alloc(32, fill).toString('base64');

describe('loadConfig', () => {
  it('works on embedded defaults in development, frozen', () => {
    const config = loadConfig({});
    expect(config.env).toBe('development');
    expect(config.redis.url).toBe('redis://127.0.0.1:6379');
    expect(config.linkedin.baseUrl).toBe('https://www.linkedin.com');
    expect(config.secretKeys.current).toBe(1);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.browser)).toBe(true);
  });

  it('lists every problem at once, with how to fix it', () => {
    let error: unknown;
    try {
      loadConfig({ REDIS_URL: 'http://nope', LOG_LEVEL: 'loud', TOTP_MIN_REMAINING_SECONDS: '2' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(/REDIS_URL: .*npm run services/);
    expect(problems.join('\n')).toMatch(/LOG_LEVEL/);
    expect(problems.join('\n')).toMatch(/TOTP_MIN_REMAINING_SECONDS/);
    expect((error as Error).message).toContain('.env.example');
  });

  it('requires both key rings in production and keeps them apart', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      /SECRET_KEYS: required[\s\S]*CREDENTIAL_KEYS: required/,
    );
    expect(() =>
      loadConfig({
        NODE_ENV: 'production',
        SECRET_KEYS: `1:${key(1)}`,
        CREDENTIAL_KEYS: `1:${key(1)}`,
      }),
    ).toThrow(/shares a key/);
  });

  it('parses key rings: highest version is current unless told, retired versions checked', () => {
    const config = loadConfig({
      SECRET_KEYS: `1:${key(1)},2:${key(2)}`,
      SECRET_KEYS_MIN_VERSION: '1',
    });
    expect(config.secretKeys.current).toBe(2);
    expect([...config.secretKeys.keys.keys()]).toEqual([1, 2]);
    expect(
      loadConfig({ SECRET_KEYS: `1:${key(1)},2:${key(2)}`, SECRET_KEYS_CURRENT: '1' }).secretKeys
        .current,
    ).toBe(1);
    expect(() => loadConfig({ SECRET_KEYS: `1:${key(1)}`, SECRET_KEYS_CURRENT: '3' })).toThrow(
      /version 3 is not in SECRET_KEYS/,
    );
    expect(() => loadConfig({ SECRET_KEYS: `1:${key(1)}`, SECRET_KEYS_MIN_VERSION: '2' })).toThrow(
      /below/,
    );
    expect(() => loadConfig({ SECRET_KEYS: '1:c2hvcnQ=' })).toThrow(/exactly 32 bytes/);
    expect(() => loadConfig({ SECRET_KEYS: `1:${key(1)},1:${key(2)}` })).toThrow(/listed twice/);
  });

  it('never echoes a key in its error message', () => {
    const secret = Buffer.alloc(31, 7).toString('base64');
    try {
      loadConfig({ SECRET_KEYS: `1:${secret}` });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect((err as Error).message).not.toContain(secret);
    }
  });

  it('has defaults for the toggle guard, enrollment pacing and worker options', () => {
    const config = loadConfig({});
    expect(config.toggle).toEqual({ cooldownSeconds: 900, dailyLimit: 3 });
    expect(config.enrollment).toEqual({
      concurrency: 2,
      approvalWaitMs: 90_000,
      approvalRecheckMs: 60_000,
      emailCodeWaitMs: 900_000,
      leaseTtlMs: 120_000,
      qrRevealLimit: 3,
    });
    expect(config.worker).toEqual({
      lockDurationMs: 30_000,
      stalledIntervalMs: 30_000,
      shutdownGraceMs: 20_000,
      metricsPort: null,
    });
    expect(config.crashPoints.size).toBe(0);
    expect(Object.isFrozen(config.enrollment)).toBe(true);
  });

  it('reads the toggle, enrollment and worker variables, seconds turned into ms', () => {
    const config = loadConfig({
      TOGGLE_COOLDOWN_SECONDS: '0',
      TOGGLE_DAILY_LIMIT: '100',
      ENROLLMENT_CONCURRENCY: '32',
      APPROVAL_WAIT_SECONDS: '5',
      APPROVAL_RECHECK_SECONDS: '3600',
      EMAIL_CODE_WAIT_SECONDS: '60',
      LEASE_TTL_SECONDS: '2',
      QR_REVEAL_LIMIT: '1',
      WORKER_LOCK_MS: '1000',
      WORKER_STALLED_INTERVAL_MS: '500',
      WORKER_SHUTDOWN_GRACE_MS: '0',
    });
    expect(config.toggle).toEqual({ cooldownSeconds: 0, dailyLimit: 100 });
    expect(config.enrollment).toEqual({
      concurrency: 32,
      approvalWaitMs: 5_000,
      approvalRecheckMs: 3_600_000,
      emailCodeWaitMs: 60_000,
      leaseTtlMs: 2_000,
      qrRevealLimit: 1,
    });
    expect(config.worker).toEqual({
      lockDurationMs: 1_000,
      stalledIntervalMs: 500,
      shutdownGraceMs: 0,
      metricsPort: null,
    });
  });

  it('refuses out-of-range pacing values, naming each', () => {
    let error: unknown;
    try {
      loadConfig({
        TOGGLE_COOLDOWN_SECONDS: '86401',
        TOGGLE_DAILY_LIMIT: '0',
        ENROLLMENT_CONCURRENCY: '33',
        APPROVAL_WAIT_SECONDS: '4',
        APPROVAL_RECHECK_SECONDS: '1.5',
        EMAIL_CODE_WAIT_SECONDS: '59',
        LEASE_TTL_SECONDS: '1',
        QR_REVEAL_LIMIT: '101',
        WORKER_LOCK_MS: '999',
        WORKER_STALLED_INTERVAL_MS: 'soon',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.map((p) => p.split(':')[0]);
    expect(problems.sort()).toEqual(
      [
        'TOGGLE_COOLDOWN_SECONDS',
        'TOGGLE_DAILY_LIMIT',
        'ENROLLMENT_CONCURRENCY',
        'APPROVAL_WAIT_SECONDS',
        'APPROVAL_RECHECK_SECONDS',
        'EMAIL_CODE_WAIT_SECONDS',
        'LEASE_TTL_SECONDS',
        'QR_REVEAL_LIMIT',
        'WORKER_LOCK_MS',
        'WORKER_STALLED_INTERVAL_MS',
      ].sort(),
    );
  });

  it('parses CRASH_POINTS into a read-only set, and refuses it in production', () => {
    const config = loadConfig({ CRASH_POINTS: ' after_key_sealed, before_confirm ,,' });
    expect([...config.crashPoints].sort()).toEqual(['after_key_sealed', 'before_confirm']);
    expect(() => (config.crashPoints as Set<string>).add('x')).toThrow(TypeError);
    expect(() => loadConfig({ CRASH_POINTS: 'After-Key' })).toThrow(/CRASH_POINTS/);
    expect(() =>
      loadConfig({
        NODE_ENV: 'production',
        SECRET_KEYS: `1:${key(1)}`,
        CREDENTIAL_KEYS: `1:${key(2)}`,
        CRASH_POINTS: 'after_key_sealed',
      }),
    ).toThrow(/CRASH_POINTS: refused in production/);
    expect(
      loadConfig({
        NODE_ENV: 'production',
        SECRET_KEYS: `1:${key(1)}`,
        CREDENTIAL_KEYS: `1:${key(2)}`,
      }).crashPoints.size,
    ).toBe(0);
  });

  it('strips a trailing slash from the site URL', () => {
    expect(loadConfig({ LINKEDIN_BASE_URL: 'http://127.0.0.1:4010/' }).linkedin.baseUrl).toBe(
      'http://127.0.0.1:4010',
    );
  });
});

describe('parseEnvFile', () => {
  it('reads KEY=VALUE lines, ignoring comments and quotes', () => {
    expect(parseEnvFile('# comment\nA=1\n  B = "two" \n\nlower=no\nC=\'x=y\'\n')).toEqual({
      A: '1',
      B: 'two',
      C: 'x=y',
    });
  });
});
