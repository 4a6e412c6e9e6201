/**
 * The control API, TOTP checks and faults over plain HTTP (no browser): validation, replay,
 * window, clock offset and the Date header, error rate, latency, robustness.
 */
import {
  CookieClient,
  startTestSimulator,
  uniqueEmail,
  type TestSimulator,
} from '../../helpers/simulator';
import { base32Encode, totp } from '../../../simulator/totp';

const KEY = base32Encode(Buffer.from('12345678901234567890'));
let t: TestSimulator;

beforeAll(async () => {
  t = await startTestSimulator({}, 7);
});
afterAll(async () => {
  await t.close();
});
afterEach(async () => {
  await t.control('DELETE', '/__sim/faults');
});

async function totpAccount(): Promise<string> {
  const email = uniqueEmail('totp');
  await t.createAccount({
    email,
    password: 'pa55word',
    twoFactor: { method: 'authenticator', key: KEY },
  });
  return email;
}

describe('control API validation', () => {
  it.each([
    [{ email: 'not-an-email', password: 'pa55word' }, /^email: /],
    [{ email: 'a@example.com', password: '123' }, /^password: /],
    [
      {
        email: 'a@example.com',
        password: 'pa55word',
        twoFactor: { method: 'authenticator', key: 'abc1!' },
      },
      /^twoFactor\.key: /,
    ],
    [
      { email: 'a@example.com', password: 'pa55word', twoFactor: { method: 'email' } },
      /^twoFactor\.method: /,
    ],
    [{ email: 'a@example.com', password: 'pa55word', loginChallenge: 'ufo' }, /^loginChallenge: /],
    [{ email: 'a@example.com', password: 'pa55word', keyFormat: 'fancy' }, /^keyFormat: /],
    [{ email: 'a@example.com', password: 'pa55word', qr: 'yes' }, /^qr: /],
    [{ email: 'a@example.com', password: 'pa55word', colour: 'red' }, /^colour: unknown field/],
  ])('POST /__sim/accounts %j → 400 naming the field', async (body, message) => {
    const r = await t.control('POST', '/__sim/accounts', body);
    expect(r.status).toBe(400);
    expect(r.body?.message).toMatch(message);
  });

  it('rejects bad JSON, bad faults, bad settings, unknown accounts and paths', async () => {
    const res = await fetch(`${t.url}/__sim/accounts`, { method: 'POST', body: '{nope' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/not valid JSON/);
    expect((await t.control('POST', '/__sim/faults', { errorRate: 2 })).body?.message).toMatch(
      /^errorRate: /,
    );
    expect((await t.control('POST', '/__sim/faults', { latencyMs: -1 })).body?.message).toMatch(
      /^latencyMs: /,
    );
    expect(
      (await t.control('POST', '/__sim/faults', { rateLimitNextLogin: 'x' })).body?.message,
    ).toMatch(/^rateLimitNextLogin: /);
    expect(
      (await t.control('PATCH', '/__sim/settings', { totpWindow: 'one' })).body?.message,
    ).toMatch(/^totpWindow: /);
    expect((await t.control('PATCH', '/__sim/accounts/nobody%40example.com', {})).status).toBe(404);
    expect((await t.control('GET', '/__sim/accounts/%E0%A4%A')).status).toBe(400);
    expect((await t.control('GET', '/__sim/nothing')).status).toBe(404);
    const email = await totpAccount();
    expect(
      (await t.control('PATCH', `/__sim/accounts/${email}`, { revokeSessions: 'yes' })).body
        ?.message,
    ).toMatch(/^revokeSessions: /);
    expect((await t.control('POST', `/__sim/accounts/${email}/approve`)).status).toBe(409);
    expect(
      (await t.control('POST', '/__sim/accounts', { email, password: 'pa55word' })).status,
    ).toBe(409);
    const page = await fetch(`${t.url}/no/such/page`);
    expect(page.status).toBe(404);
  });

  it('returns the account view and survives garbage requests', async () => {
    const email = await totpAccount();
    const view = await t.account(email);
    expect(view).toMatchObject({
      email,
      twoFactor: { enabled: true, method: 'authenticator', key: KEY },
      sessions: [],
      pending: {},
      counters: { codesAccepted: 0, codesRejected: 0, codesReplayed: 0, logins: 0 },
    });
    expect(view.twoFactor.recoveryCodes).toHaveLength(10);
    const huge = await fetch(`${t.url}/checkpoint/lg/login-submit`, {
      method: 'POST',
      body: 'x'.repeat(200_000),
    }).catch(() => null);
    expect(huge === null || huge.status === 413).toBe(true);
    const odd = await fetch(`${t.url}/checkpoint/challenge/verify`, {
      method: 'POST',
      body: '%%%&&&=',
      redirect: 'manual',
    });
    expect(odd.status).toBe(303);
    expect((await fetch(`${t.url}/__sim/health`)).status).toBe(200);
  });
});

describe('TOTP checks at login', () => {
  it('accepts ±window, rejects beyond, rejects a replay and counts it', async () => {
    const email = await totpAccount();
    const a = new CookieClient(t.url);
    const ch = (await a.login(email, 'pa55word'))!;
    expect(ch).toMatch(/^\/checkpoint\/challenge\/[A-Za-z0-9_-]+\?ut=/);
    expect((await a.verify(ch, t.code(KEY, 2))).status).toBe(200);
    const ok = await a.verify(ch, t.code(KEY, -1));
    expect(ok.location).toBe('/feed/');

    const b = new CookieClient(t.url);
    const ch2 = (await b.login(email, 'pa55word'))!;
    const replay = await b.verify(ch2, t.code(KEY, -1));
    expect(replay.status).toBe(200);
    expect(replay.text).toContain('The verification code you entered isn&#39;t valid.');
    expect((await b.verify(ch2, t.code(KEY, 1))).location).toBe('/feed/');
    expect((await t.account(email)).counters).toEqual({
      codesAccepted: 2,
      codesRejected: 2,
      codesReplayed: 1,
      logins: 2,
    });
  });

  it('honours the clockOffsetSec fault in TOTP checks and the Date header', async () => {
    await t.control('POST', '/__sim/faults', { clockOffsetSec: 300 });
    const res = await fetch(`${t.url}/login`);
    const skew = new Date(res.headers.get('date')!).getTime() - Date.now();
    expect(skew).toBeGreaterThan(298_000);
    expect(skew).toBeLessThan(302_000);
    expect((await fetch(`${t.url}/__sim/health`)).headers.get('date')).toBe(
      res.headers.get('date'),
    );
    const email = await totpAccount();
    const c = new CookieClient(t.url);
    const ch = (await c.login(email, 'pa55word'))!;
    expect((await c.verify(ch, totp(KEY, Date.now()))).status).toBe(200);
    expect((await c.verify(ch, t.code(KEY))).location).toBe('/feed/');
  });
});

describe('faults', () => {
  it('errorRate 1 gives 500s on site routes but not on /__sim', async () => {
    await t.control('POST', '/__sim/faults', { errorRate: 1 });
    expect((await fetch(`${t.url}/login`)).status).toBe(500);
    expect((await fetch(`${t.url}/feed/`)).status).toBe(500);
    expect((await fetch(`${t.url}/__sim/health`)).status).toBe(200);
    await t.control('DELETE', '/__sim/faults');
    expect((await fetch(`${t.url}/login`)).status).toBe(200);
  });

  it('latencyMs + jitterMs delay site routes', async () => {
    await t.control('POST', '/__sim/faults', { latencyMs: 300, jitterMs: 100 });
    const start = Date.now();
    await fetch(`${t.url}/login`);
    expect(Date.now() - start).toBeGreaterThanOrEqual(290);
    const ctl = Date.now();
    await fetch(`${t.url}/__sim/health`);
    expect(Date.now() - ctl).toBeLessThan(250);
  });

  it('rateLimitNextLogin refuses exactly the next login of that email', async () => {
    const email = uniqueEmail('rl');
    await t.createAccount({ email, password: 'pa55word' });
    await t.control('POST', '/__sim/faults', { rateLimitNextLogin: email });
    const c = new CookieClient(t.url);
    expect(await c.login(email, 'pa55word')).toBe(
      '/checkpoint/lg/login?errorKey=challenge_global_internal_error',
    );
    expect(await c.login(email, 'pa55word')).toBe('/feed/');
  });

  it('renders thousands of accounts and pages quickly', async () => {
    const start = Date.now();
    const items = Array.from({ length: 5000 }, (_, i) => ({
      email: `bulk${i}@example.com`,
      password: 'pa55word',
      twoFactor: { method: 'authenticator' },
    }));
    const r = await t.control('POST', '/__sim/accounts', items);
    expect(r).toEqual({ status: 201, body: { created: 5000 } });
    const created = Date.now() - start;
    const dup = await t.control('POST', '/__sim/accounts', [
      { email: 'fresh@example.com', password: 'pa55word' },
      { email: 'bulk1@example.com', password: 'pa55word' },
    ]);
    expect(dup.status).toBe(409);
    expect(dup.body?.message).toMatch(/^\[1\]\.email: /);
    expect((await t.control('GET', '/__sim/accounts/fresh%40example.com')).status).toBe(404);
    const p0 = Date.now();
    for (let i = 0; i < 200; i++) await fetch(`${t.url}/login`).then((r) => r.text());
    expect((Date.now() - p0) / 200).toBeLessThan(20);
    expect(created).toBeLessThan(5_000);
  });
});
