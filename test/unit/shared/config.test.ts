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
