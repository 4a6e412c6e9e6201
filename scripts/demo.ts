/**
 * `npm run demo [-- --once]`: the whole fleet against the simulator, on embedded defaults.
 *
 * Starts (or reuses) Redis, the MongoDB-wire server and Chromium through the same services code
 * as the tests, the LinkedIn simulator, the HTTP API and one enrollment and one challenge
 * worker, all in this process. Then, through the HTTP API only: registers a demo account,
 * turns two-step verification on (approving the LinkedIn app push through the simulator),
 * prints the owner's QR code in the terminal and the owner-page and Bull Board URLs, lets LinkedIn sign the
 * account out and answers the login challenge with a code of the captured key, and prints a
 * summary. `--once` exits 0 after the summary; without it everything keeps running until
 * Ctrl-C. Its data lives in a database and Redis prefix of its own, removed when it stops. Never contacts linkedin.com: LINKEDIN_BASE_URL is the simulator's.
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { startApi } from '../api/main';
import { closeConnections, producerConnection } from '../queues/connection';
import { createProducer } from '../queues/producer';
import {
  applyEnvFile,
  currentEnv,
  loadConfig,
  SERVICES_ENV_FILE,
  serviceOverrides,
  type Config,
} from '../shared/config';
import { createVault } from '../shared/crypto';
import { createRepositories } from '../shared/db';
import { createMongoConnection } from '../shared/db/connect';
import { createDesiredStateRepo } from '../shared/db/desired-state.repo';
import { createLogger } from '../shared/logger';
import { decodeQrPng, qrTerminal } from '../shared/qr';
import { startSimulator } from '../simulator/server';
import { startChallengeWorker } from '../workers/challenge/main';
import { startEnrollmentWorker } from '../workers/enrollment/main';
import { ensureServices } from './lib/services';

const say = (line = '') => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const hex = (n: number) => randomBytes(n).toString('hex');

interface Json {
  [k: string]: unknown;
}

async function main(argv: readonly string[]): Promise<number> {
  const once = argv.includes('--once');
  const started = Date.now();
  say('demo: starting services (Redis, MongoDB-wire server, Chromium)…');
  const services = await ensureServices({
    devDir: resolve(SERVICES_ENV_FILE, '..'),
    isolated: false,
    overrides: serviceOverrides(),
    say: (l) => say(`services: ${l}`),
  });
  applyEnvFile(services.envFile);

  const sim = await startSimulator({
    settings: { approvalPollMs: 300, recognizedDeviceSkips2fa: false },
  });
  say(`demo: LinkedIn simulator at ${sim.url}`);
  const run = hex(6);
  const apiToken = `demo-${hex(16)}`;
  const operatorToken = `ops-${hex(16)}`;
  const configured = loadConfig(currentEnv({}));
  const config: Config = loadConfig(
    currentEnv({
      LINKEDIN_BASE_URL: sim.url,
      REDIS_PREFIX: `li2fa-demo-${run}`,
      // --once (the test suite) on a free port; interactive on API_PORT (default 8080).
      API_PORT: once ? '0' : String(configured.api.port),
      API_TOKENS: `demo:demo-tenant:${apiToken}`,
      OPERATOR_TOKEN: operatorToken,
      // The demo prints its own story; the fleet's logs only when something goes wrong.
      LOG_LEVEL: 'warn',
    }),
  );
  const log = createLogger(config);
  const dbName = `li2fa_demo_${run}`;
  const mongo = await createMongoConnection(config.mongo, { dbName });
  const repos = await createRepositories(mongo);
  const desired = createDesiredStateRepo(mongo);
  await desired.init();
  const vault = createVault(config);
  const producer = createProducer({ config, log });
  const deps = { repos, desired, vault, producer };
  const enrollment = await startEnrollmentWorker({ config, log, deps });
  const challenge = await startChallengeWorker({ config, log, deps });
  const api = await startApi({ config, log, mongo, repos, desired, vault });
  say(`demo: API at ${api.url} (bearer token ${apiToken})`);

  const http = async (method: string, path: string, body?: unknown): Promise<Json> => {
    const res = await fetch(`${api.url}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${apiToken}`,
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const json = (await res.json()) as Json;
    if (res.status >= 400)
      throw new Error(
        `${method} ${path}: ${res.status} ${String(json['error'])}: ${String(json['message'])}`,
      );
    return json;
  };
  const waitJob = async (queue: string, jobId: string, onState?: (j: Json) => Promise<void>) => {
    let lastStep = '';
    for (let i = 0; i < 600; i++) {
      const job = await http('GET', `/v1/jobs/${queue}/${jobId}`);
      const step = typeof job['step'] === 'string' ? job['step'] : '';
      if (step && step !== lastStep) say(`  step ${(lastStep = step)}`);
      if (job['state'] === 'completed' || job['state'] === 'failed') return job;
      await onState?.(job);
      await sleep(250);
    }
    throw new Error(`job ${jobId} did not finish`);
  };

  try {
    // 1. The owner's LinkedIn account (on the simulator) and its registration with us.
    const email = `demo-${run}@example.com`;
    const password = `demo-${hex(8)}`;
    await fetch(`${sim.url}/__sim/accounts`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email, password, identityCheck: 'app_approval' }),
    });
    const account = await http('POST', '/v1/accounts', {
      externalId: `demo-${run}`,
      email,
      password,
      status: 'active',
    });
    const id = account['id'] as string;
    say(`demo: registered account ${id} (${email}), status ${String(account['status'])}`);

    // 2. Enable two-step verification; the owner taps Yes in the LinkedIn app (the simulator).
    const enable = await http('POST', `/v1/accounts/${id}/2fa/enable`);
    say(`demo: enabling two-step verification (job ${String(enable['jobId'])})`);
    let approved = false;
    const enrolled = await waitJob('enrollment', enable['jobId'] as string, async () => {
      if (approved) return;
      const a = await http('GET', `/v1/accounts/${id}`);
      if ((a['twoFactor'] as Json)['state'] !== 'awaiting_app_approval') return;
      const r = await fetch(`${sim.url}/__sim/accounts/${encodeURIComponent(email)}/approve`, {
        method: 'POST',
      });
      if (r.ok) {
        approved = true;
        say('  the owner approved the change in the LinkedIn app');
      }
    });
    if (enrolled['state'] !== 'completed')
      throw new Error(`enrollment failed: ${JSON.stringify(enrolled['outcome'])}`);

    // 3. The owner's QR code, for Microsoft or Google Authenticator.
    const qr = await fetch(`${api.url}/v1/accounts/${id}/2fa/qr`, {
      headers: { Authorization: `Bearer ${apiToken}` },
    });
    const uri = decodeQrPng(Buffer.from(await qr.arrayBuffer()));
    if (!uri) throw new Error('the QR code did not decode');
    say('demo: scan this with your authenticator app (demo account only):');
    say(await qrTerminal(uri));
    const link = await http('POST', `/v1/accounts/${id}/owner-link`);
    // The link is built on PUBLIC_URL; print it on the address this demo listens on.
    const owner = new URL(String(link['url']));
    say(`demo: owner page (one-time link) ${api.url}${owner.pathname}${owner.search}`);
    say(`demo: Bull Board at ${api.url}/admin/queues (any user name, password ${operatorToken})`);
    say(`demo: API reference at ${api.url}/docs`);

    // 4. LinkedIn signs the account out; the challenge worker logs in and answers the 2FA prompt.
    await fetch(`${sim.url}/__sim/accounts/${encodeURIComponent(email)}`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ revokeSessions: true }),
    });
    const check = await http('POST', `/v1/accounts/${id}/session-check`);
    say(`demo: LinkedIn signed the account out; session check ${String(check['jobId'])}`);
    const checked = await waitJob('session-check', check['jobId'] as string);
    const outcome = checked['outcome'] as Json;

    // 5. Summary.
    const final = await http('GET', `/v1/accounts/${id}`);
    const simView = (await (
      await fetch(`${sim.url}/__sim/accounts/${encodeURIComponent(email)}`)
    ).json()) as Json;
    const tf = final['twoFactor'] as Json;
    const counters = simView['counters'] as Json;
    const keys = final['keys'] as Json[];
    say('');
    say('summary');
    say(`  account            ${id} (${email})`);
    say(`  status             ${String(final['status'])}`);
    say(
      `  two-step           ${String(tf['state'])} in LinkedIn: ${String((simView['twoFactor'] as Json)['enabled'])}`,
    );
    say(`  key                v${String(keys[0]?.['version'])} ${String(keys[0]?.['state'])}`);
    say(
      `  login challenge    ${String((outcome['result'] as Json | undefined)?.['detail'] ?? outcome['code'])}`,
    );
    say(
      `  codes accepted     ${String(counters['codesAccepted'])} (rejected ${String(counters['codesRejected'])}, replayed ${String(counters['codesReplayed'])})`,
    );
    say(`  next health check  ${String(final['nextCheckAt'])}`);
    say(`  took               ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const ok =
      tf['state'] === 'on' &&
      (simView['twoFactor'] as Json)['enabled'] === true &&
      (outcome['result'] as Json | undefined)?.['detail'] === 'challenge_answered';
    if (!ok) throw new Error('the demo did not end as expected (see the summary)');
    if (!once) {
      say('');
      say('demo: running; press Ctrl-C to stop');
      await new Promise<void>((r) => {
        process.once('SIGINT', r);
        process.once('SIGTERM', r);
      });
    }
    return 0;
  } finally {
    await api.close();
    await enrollment.close();
    await challenge.close();
    await producer.close();
    // The demo's data is throwaway: its own database and Redis prefix, removed at the end.
    await mongo.dropDatabase().catch(() => undefined);
    const redis = producerConnection(config);
    const keys = await redis.keys(`${config.redis.prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await mongo.close();
    await closeConnections();
    await sim.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`demo: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
