/**
 * The HTTP control plane on real parts: the API listening on a free port, the typed client and
 * queues behind it, a real challenge worker, the simulator, Redis and the database. Contract
 * for every route: auth missing / wrong / other tenant, validation errors naming the field,
 * the toggle cooldown with Retry-After, the QR reveal limit; plus the OpenAPI document,
 * readiness, metrics that move after a job, and Bull Board behind the operator token showing
 * no secret.
 */
import { startApi, type RunningApi } from '../../../api/main';
import type { Config } from '../../../shared/config';
import { decodeQrPng } from '../../../shared/qr';
import { ROUTES } from '../../../api/routes';
import { enrolledAccount, useTestFleet, type TestFleet } from '../../helpers/fleet';
import { scanForSecrets } from '../../helpers/secret-scan';
import { uniqueEmail } from '../../helpers/simulator';

const TOKEN_A = 'tok-a-0123456789abcdef0123456789';
const TOKEN_B = 'tok-b-0123456789abcdef0123456789';
const OPERATOR = 'op-0123456789abcdef0123456789ab';
const PASSWORD = 'api-test-password-3141';

let f: TestFleet;
let api: RunningApi;
useTestFleet({ recognizedDeviceSkips2fa: false }, (fleet) => (f = fleet), {
  worker: false,
  challenge: true,
});
beforeAll(async () => {
  const config: Config = Object.freeze({
    ...f.config,
    api: Object.freeze({
      ...f.config.api,
      host: '127.0.0.1',
      port: 0,
      tokens: [
        { name: 'main-app', tenant: 'tenant-a', token: TOKEN_A },
        { name: 'other-app', tenant: 'tenant-b', token: TOKEN_B },
      ],
      operatorToken: OPERATOR,
      bodyLimitBytes: 64 * 1024,
    }),
  });
  api = await startApi({
    config,
    log: f.log,
    mongo: f.db.connection,
    repos: f.repos,
    desired: f.desired,
    vault: f.vault,
  });
});
afterAll(() => api?.close());

interface Reply {
  status: number;
  headers: Headers;
  json: Record<string, unknown>;
  text: string;
}

async function call(
  method: string,
  path: string,
  opts: {
    token?: string | null;
    body?: unknown;
    raw?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<Reply> {
  const token = opts.token === undefined ? TOKEN_A : opts.token;
  const res = await fetch(`${api.url}${path}`, {
    method,
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(opts.body !== undefined || opts.raw !== undefined
        ? { 'Content-Type': 'application/json' }
        : {}),
      ...opts.headers,
    },
    ...(opts.raw !== undefined
      ? { body: opts.raw }
      : opts.body !== undefined
        ? { body: JSON.stringify(opts.body) }
        : {}),
  });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON
  }
  return { status: res.status, headers: res.headers, json, text };
}

async function register(extra: Record<string, unknown> = {}, token = TOKEN_A): Promise<string> {
  const r = await call('POST', '/v1/accounts', {
    token,
    body: {
      externalId: uniqueEmail('ext'),
      email: uniqueEmail('api'),
      password: PASSWORD,
      status: 'active',
      ...extra,
    },
  });
  expect(r.status).toBe(201);
  return r.json['id'] as string;
}

/** An account with the simulator's key active on our side (2FA on in the simulator). */
const enrolled = () =>
  enrolledAccount(f, {
    password: PASSWORD,
    tag: 'api-enrolled',
    register: (email) => register({ email }),
  });

const basic = (password: string) => `Basic ${Buffer.from(`ops:${password}`).toString('base64')}`;

describe('health and documents', () => {
  it('answers /healthz without auth and /readyz once a worker is connected', async () => {
    expect(await call('GET', '/healthz', { token: null })).toMatchObject({
      status: 200,
      json: { status: 'ok' },
    });
    const ready = await call('GET', '/readyz', { token: null });
    expect(ready.status).toBe(200);
    expect(ready.json).toMatchObject({ status: 'ready', redis: true, database: true });
    expect(
      (ready.json['workers'] as Record<string, number>)['session-check'],
    ).toBeGreaterThanOrEqual(1);
  });

  it('serves an OpenAPI document with every route, and a reference page', async () => {
    const doc = await call('GET', '/openapi.json', { token: null });
    expect(doc.json['openapi']).toBe('3.1.0');
    const paths = doc.json['paths'] as Record<string, Record<string, unknown>>;
    for (const r of ROUTES) {
      expect(paths[r.path.replace(/:(\w+)/g, '{$1}')]?.[r.method]).toBeDefined();
    }
    const register = paths['/v1/accounts']!['post'] as {
      requestBody: { content: Record<string, { schema: { properties: object } }> };
    };
    expect(
      Object.keys(register.requestBody.content['application/json']!.schema.properties),
    ).toEqual(expect.arrayContaining(['externalId', 'password', 'cookies', 'proxy', 'status']));
    const page = await call('GET', '/docs', { token: null });
    expect(page.status).toBe(200);
    expect(page.text).toContain('POST /v1/accounts/:id/2fa/enable');
  });
});

describe('auth and tenancy', () => {
  it('refuses a missing or unknown token on every route with 401', async () => {
    for (const r of ROUTES) {
      const path = r.path
        .replace(':id', '0123456789abcdef01234567')
        .replace(':queue', 'enrollment')
        .replace(':jobId', 'x');
      const missing = await call(r.method.toUpperCase(), path, { token: null });
      expect([r.path, missing.status, missing.json['error']]).toEqual([
        r.path,
        401,
        'unauthorized',
      ]);
      expect(missing.headers.get('www-authenticate')).toBe('Bearer');
      const wrong = await call(r.method.toUpperCase(), path, { token: `${TOKEN_A}x` });
      expect(wrong.status).toBe(401);
    }
  });

  it("answers another tenant's account exactly like a missing one (404)", async () => {
    const id = await register();
    const mine = await call('GET', `/v1/accounts/${id}`);
    expect(mine.status).toBe(200);
    expect(mine.json).toMatchObject({ id, hasPassword: true, status: 'active' });
    expect(mine.text).not.toContain(PASSWORD);
    for (const [method, path] of [
      ['GET', `/v1/accounts/${id}`],
      ['PATCH', `/v1/accounts/${id}`],
      ['POST', `/v1/accounts/${id}/2fa/enable`],
      ['GET', `/v1/accounts/${id}/2fa/qr`],
      ['POST', `/v1/accounts/${id}/2fa/code`],
      ['GET', `/v1/accounts/${id}/audit`],
      ['POST', `/v1/accounts/${id}/session-check`],
    ] as const) {
      const other = await call(method, path, {
        token: TOKEN_B,
        ...(method === 'PATCH' ? { body: {} } : {}),
      });
      expect([path, other.status, other.json['error']]).toEqual([path, 404, 'account_not_found']);
    }
    const missing = await call('GET', '/v1/accounts/0123456789abcdef01234567', { token: TOKEN_B });
    expect(missing.json['error']).toBe('account_not_found');
    expect((await call('GET', '/v1/accounts/not-an-id')).status).toBe(404);
  });
});

describe('validation', () => {
  it('names the bad field, refuses unknown fields, bad JSON and oversized bodies', async () => {
    const empty = await call('POST', '/v1/accounts', { body: { externalId: '' } });
    expect(empty).toMatchObject({
      status: 400,
      json: { error: 'invalid_input', field: 'externalId' },
    });
    const unknown = await call('POST', '/v1/accounts', {
      body: { externalId: 'x', sealedPassword: 'y' },
    });
    expect(unknown).toMatchObject({ status: 400, json: { field: 'sealedPassword' } });
    const proxy = await call('POST', '/v1/accounts', {
      body: { externalId: 'x2', proxy: 'ftp://nope' },
    });
    expect(proxy.status).toBe(400);
    expect(proxy.json['field']).toBe('proxy');
    expect(await call('POST', '/v1/accounts', { raw: '{"externalId":' })).toMatchObject({
      status: 400,
      json: { error: 'invalid_input' },
    });
    const big = await call('POST', '/v1/accounts', {
      body: { externalId: 'x3', cookies: 'c'.repeat(70 * 1024) },
    });
    expect(big).toMatchObject({ status: 413, json: { error: 'payload_too_large' } });
    expect(big.text).not.toContain('ccccc');
    const id = await register();
    expect(
      await call('POST', `/v1/accounts/${id}/2fa/email-code`, { body: { code: 'abc' } }),
    ).toMatchObject({ status: 400, json: { field: 'code' } });
    expect(await call('GET', `/v1/accounts/${id}/audit?limit=0`)).toMatchObject({
      status: 400,
      json: { field: 'limit' },
    });
    const taken = await call('POST', '/v1/accounts', { body: { externalId: 'dup-1' } });
    expect(taken.status).toBe(201);
    expect(await call('POST', '/v1/accounts', { body: { externalId: 'dup-1' } })).toMatchObject({
      status: 409,
      json: { error: 'account_exists' },
    });
  });

  it('updates credentials write-only', async () => {
    const id = await register({ password: undefined });
    const r = await call('PATCH', `/v1/accounts/${id}`, {
      body: { password: 'n3w-secret-pass', status: 'checking' },
    });
    expect(r).toMatchObject({ status: 200, json: { hasPassword: true, status: 'checking' } });
    expect(r.text).not.toContain('n3w-secret-pass');
  });
});

describe('two-step verification routes', () => {
  it('enables (202), refuses an inactive account (409) and a flip within the cooldown (409 + Retry-After)', async () => {
    const inactive = await register({ status: 'checking' });
    expect(await call('POST', `/v1/accounts/${inactive}/2fa/enable`)).toMatchObject({
      status: 409,
      json: { error: 'account_not_active' },
    });
    const id = await register();
    const on = await call('POST', `/v1/accounts/${id}/2fa/enable`);
    expect(on).toMatchObject({ status: 202, json: { queue: 'enrollment', deduplicated: false } });
    const off = await call('POST', `/v1/accounts/${id}/2fa/disable`);
    expect(off).toMatchObject({ status: 409, json: { error: 'toggle_cooldown' } });
    const retryAfter = Number(off.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(f.config.toggle.cooldownSeconds - 60);
    expect(retryAfter).toBeLessThanOrEqual(f.config.toggle.cooldownSeconds);
    expect(Date.parse(off.json['retryAfter'] as string)).toBeGreaterThan(Date.now());
    const job = await call('GET', `/v1/jobs/enrollment/${on.json['jobId'] as string}`);
    expect(job).toMatchObject({ status: 200, json: { accountId: id } });
    expect(
      (await call('GET', `/v1/jobs/enrollment/${on.json['jobId'] as string}`, { token: TOKEN_B }))
        .status,
    ).toBe(404);
  });

  it('reveals the QR (PNG and SVG) within the limit, then 429 with Retry-After', async () => {
    const { id, key } = await enrolled();
    const png = await fetch(`${api.url}/v1/accounts/${id}/2fa/qr`, {
      headers: { Authorization: `Bearer ${TOKEN_A}` },
    });
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(png.headers.get('cache-control')).toBe('no-store');
    const uri = decodeQrPng(Buffer.from(await png.arrayBuffer()));
    expect(new URL(uri!).searchParams.get('secret')).toBe(key);
    const svg = await call('GET', `/v1/accounts/${id}/2fa/qr?format=svg`);
    expect(svg.headers.get('content-type')).toContain('image/svg+xml');
    expect(svg.text).toMatch(/^<svg/);
    for (let i = 2; i < f.config.enrollment.qrRevealLimit; i++) {
      expect((await call('GET', `/v1/accounts/${id}/2fa/qr?format=svg`)).status).toBe(200);
    }
    const limited = await call('GET', `/v1/accounts/${id}/2fa/qr`);
    expect(limited).toMatchObject({ status: 429, json: { error: 'qr_reveal_limited' } });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(80_000);
    expect((await call('GET', `/v1/accounts/${id}/2fa/qr?format=gif`)).json['field']).toBe(
      'format',
    );
  });

  it('hands out a code on demand, checks the owner copy, refuses a second import', async () => {
    const { id, key } = await enrolled();
    const code = await call('POST', `/v1/accounts/${id}/2fa/code`);
    expect(code.status).toBe(200);
    expect(code.json['code']).toMatch(/^\d{6}$/);
    expect(code.json['remainingSeconds']).toBeGreaterThanOrEqual(5);
    expect(code.headers.get('cache-control')).toBe('no-store');
    expect(
      await call('POST', `/v1/accounts/${id}/2fa/confirm-owner`, {
        body: { code: f.sim.code(key, 5) },
      }),
    ).toMatchObject({ status: 422, json: { error: 'owner_code_mismatch' } });
    expect(
      await call('POST', `/v1/accounts/${id}/2fa/confirm-owner`, {
        body: { code: f.sim.code(key) },
      }),
    ).toMatchObject({ status: 200, json: { ownerHasCopy: true } });
    expect(
      await call('POST', `/v1/accounts/${id}/2fa/import`, {
        body: { key: 'MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U' },
      }),
    ).toMatchObject({ status: 409, json: { error: 'key_already_active' } });
    const noKey = await register();
    expect(await call('POST', `/v1/accounts/${noKey}/2fa/code`)).toMatchObject({
      status: 409,
      json: { error: 'no_active_key' },
    });
    expect(
      await call('POST', `/v1/accounts/${noKey}/2fa/email-code`, { body: { code: '123456' } }),
    ).toMatchObject({ status: 202 });
  });

  it('removes an account only when the owner cannot be locked out', async () => {
    const { id, key } = await enrolled();
    await f.producer.scheduleSessionChecks(id, f.config.challenge.checkIntervalMs);
    expect((await call('DELETE', `/v1/accounts/${id}`, { token: TOKEN_B })).status).toBe(404);
    const refused = await call('DELETE', `/v1/accounts/${id}`);
    expect(refused).toMatchObject({ status: 409, json: { error: 'owner_copy_required' } });
    expect((await call('GET', `/v1/accounts/${id}`)).status).toBe(200);
    await call('POST', `/v1/accounts/${id}/2fa/confirm-owner`, { body: { code: f.sim.code(key) } });
    const removed = await call('DELETE', `/v1/accounts/${id}`);
    expect(removed.status).toBe(204);
    expect(await call('GET', `/v1/accounts/${id}`)).toMatchObject({
      status: 404,
      json: { error: 'account_not_found' },
    });
    const sessionChecks = f.producer.queue('session-check');
    expect(await sessionChecks.getJobScheduler(`session-check_${id}`)).toBeUndefined();
    expect(await f.repos.twoFactorKeys.loadLatest(id)).toBeNull();
    expect(await f.repos.accounts.loadSealedCredentials(id)).toBeNull();
    const actions = (await f.repos.audit.list(id)).events.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['account.removed', 'key.owner_confirmed']));
  });

  it('pages the audit trail', async () => {
    const { id } = await enrolled();
    await call('POST', `/v1/accounts/${id}/2fa/code`);
    const first = await call('GET', `/v1/accounts/${id}/audit?limit=1`);
    expect(first.status).toBe(200);
    expect(first.json['events']).toHaveLength(1);
    expect((first.json['events'] as { actor: string }[])[0]!.actor).toBe('api:main-app');
    const next = await call(
      'GET',
      `/v1/accounts/${id}/audit?limit=5&before=${encodeURIComponent(first.json['nextBefore'] as string)}`,
    );
    const actions = (next.json['events'] as { action: string }[]).map((e) => e.action);
    expect(actions).toContain('account.created');
  });
});

describe('sessions, metrics and the board', () => {
  it('runs a session check, moves the metrics, and shows the job on the board without secrets', async () => {
    const { id } = await enrolled();
    const accepted = await call('POST', `/v1/accounts/${id}/session-check`);
    expect(accepted).toMatchObject({ status: 202, json: { queue: 'session-check' } });
    const jobId = accepted.json['jobId'] as string;
    let job: Reply | undefined;
    for (let i = 0; i < 300; i++) {
      job = await call('GET', `/v1/jobs/session-check/${jobId}`);
      if (job.json['state'] === 'completed' || job.json['state'] === 'failed') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(job?.json).toMatchObject({
      state: 'completed',
      outcome: { status: 'completed', result: { detail: 'challenge_answered' } },
    });

    expect((await call('GET', '/metrics', { token: null })).status).toBe(401);
    const m = await call('GET', '/metrics', {
      token: null,
      headers: { Authorization: basic(OPERATOR) },
    });
    expect(m.status).toBe(200);
    expect(m.text).toMatch(
      /li2fa_jobs_total\{queue="session-check",name="session-check",outcome="completed"\} [1-9]/,
    );
    expect(m.text).toMatch(/li2fa_codes_submitted_total\{result="accepted"\} [1-9]/);
    expect(m.text).toMatch(/li2fa_challenge_to_code_seconds_count [1-9]/);
    expect(m.text).toMatch(
      /li2fa_step_duration_seconds_count\{step="answering_two_factor_prompt"\} [1-9]/,
    );
    expect(m.text).toMatch(/li2fa_queue_jobs\{queue="session-check",state="completed"\} [1-9]/);
    expect(m.text).toMatch(/li2fa_accounts\{status="active"\} [1-9]/);
    expect(m.text).toContain('li2fa_browser_contexts_open 0');

    expect((await call('GET', '/admin/queues', { token: null })).status).toBe(401);
    expect(
      (
        await call('GET', '/admin/queues', {
          token: null,
          headers: { Authorization: basic('wrong') },
        })
      ).status,
    ).toBe(401);
    const board = await call('GET', '/admin/queues', {
      token: null,
      headers: { Authorization: basic(OPERATOR) },
    });
    expect(board.status).toBe(200);
    expect(board.text).toContain('<html');
    const jobs = await call(
      'GET',
      '/admin/queues/api/queues?activeQueue=session-check&status=completed&page=1',
      {
        token: null,
        headers: { Authorization: basic(OPERATOR) },
      },
    );
    expect(jobs.status).toBe(200);
    expect(jobs.text).toContain(id);
    const queue = (
      jobs.json['queues'] as {
        name: string;
        readOnlyMode: boolean;
        jobs: { data: Record<string, unknown> }[];
      }[]
    ).find((q) => q.name === 'session-check')!;
    expect(queue.readOnlyMode).toBe(true);
    expect(Object.keys(queue.jobs[0]!.data).sort()).toEqual([
      'accountId',
      'reason',
      'requestId',
      'v',
    ]);
  });
});

describe('no secret in the clear', () => {
  it('has no password, key or code in the logs, Redis or the database', async () => {
    const { leaks } = await scanForSecrets({
      secrets: [PASSWORD, 'n3w-secret-pass', TOKEN_A, TOKEN_B, OPERATOR],
      redis: f.redis.redis,
      redisKeys: await f.redis.keys(),
      connection: f.db.connection,
      logs: f.logs(),
    });
    expect(leaks).toEqual([]);
    expect(f.logs()).toContain('"requestId"');
  });
});
