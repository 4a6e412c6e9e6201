/**
 * `npm run bench [-- --quick]`: the project's speed and memory numbers. It prints them and
 * asserts none (machines are shared and noisy): compare one run with another on the same
 * machine, never with a fixed threshold. Nothing here contacts linkedin.com; every page comes
 * from the simulator, started in this process on a loopback port.
 *
 * What runs:
 *   1. TOTP: `codeAt` and `verify` (window 1, i.e. three HOTPs) on a 32-character base32 key,
 *      in a time-boxed loop after a warm-up. CPU only.
 *   2. Vault: `seal` and `open` (AES-256-GCM bound to account + purpose) of a 32-character TOTP
 *      key and of a ~4 KB cookie-jar JSON. CPU only.
 *   3. Browser: Chromium launch (shared/browser.ts `launchBrowser`, then close); the per-job
 *      context cost through the fleet (`withSession`: createBrowserContext + newPage + close)
 *      with a no-op job and with `LoginPage.open()` against the simulator; memory of Node and of
 *      the Chromium process tree (RSS summed over /proc, and PSS, which splits shared pages
 *      fairly: trust PSS for "what does one more context cost"), idle and with 5 contexts open.
 *   4. End to end (default run only; needs `npm run services`): 5 enrolled accounts whose
 *      stored session is dead (a sealed cookie jar with a `li_at` the site does not honour), so
 *      each check signs in again and answers the authenticator prompt. All 5 are enqueued at
 *      once through the fleet client; an in-process challenge worker (real Chromium, already
 *      warm) runs them at CHALLENGE_CONCURRENCY. Redis keys live under a random prefix and Mongo
 *      in a throwaway database; both are deleted at the end.
 *
 * How to read the table: `ops/s` is throughput (higher is better; `note` gives µs per op);
 * `p50/p95/max` are latencies in ms over `n` samples (p95 of 5 samples is the max: read it as
 * "the slow one"); `RSS`/`heap` are Node's own after the row, in MB, except on `chromium tree
 * PSS` rows, where the RSS column holds the PSS of the whole Chromium tree (`n` = processes).
 * The end-to-end latency runs from the enqueue call to the outcome and includes queue wait
 * (5 jobs, 2 at a time), so it is a batch latency; `worker run` is the handler alone. A code
 * with under 5 s of life left waits for the next step, so one check may take up to ~5 s
 * longer: that is the product's rule, not noise. The load average printed at the top tells
 * how busy the machine was; a run with load above the CPU count is not worth comparing.
 *
 * Flags: --quick runs 1–3 only (no Redis or Mongo needed). Exit 0 when everything ran; 1 with
 * a message when services are missing or a check did not end as expected; 2 on a bad flag.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { arch, cpus, freemem, loadavg, platform, totalmem } from 'node:os';
import { Writable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import type { CookieData } from 'puppeteer-core';
import { createFleetClient, type JobOutcome } from '../queues/client';
import { closeConnections } from '../queues/connection';
import { QueueName } from '../queues/names';
import { createProducer } from '../queues/producer';
import { createBrowserFleet, launchBrowser, type BrowserFleet } from '../shared/browser';
import { systemClock } from '../shared/clock';
import { applyEnvFile, loadConfig, SERVICES_ENV_FILE, type Config } from '../shared/config';
import { createVault, type SecretBinding } from '../shared/crypto';
import { createMongoConnection, createRepositories, redactMongoUrl } from '../shared/db';
import { errorCodeOf } from '../shared/errors';
import { createDesiredStateRepo } from '../shared/db/desired-state.repo';
import { createLogger } from '../shared/logger';
import { createTotp, encodeBase32 } from '../shared/totp';
import { startSimulator, type RunningSimulator } from '../simulator/server';
import { startChallengeWorker } from '../workers/challenge/main';
import { LoginPage } from '../workers/site';
import { mongoAnswers, redisAnswers } from './lib/services';

const USAGE = `usage: npm run bench [-- --quick]
  (no flag)  TOTP, vault, browser and the end-to-end session checks (needs npm run services)
  --quick    TOTP, vault and browser only (no Redis or Mongo needed)`;

/** Accounts checked end to end. Different accounts never wait on each other's TOTP step. */
const E2E_ACCOUNTS = 5;
const E2E_TIMEOUT_MS = 90_000;
const CONTEXT_ITERATIONS = 20;
const LOGIN_PAGE_ITERATIONS = 10;
const LAUNCH_ITERATIONS = 5;
const PARALLEL_CONTEXTS = 5;
const PASSWORD = 'bench-password-2fa-keeper';
const MB = 1024 * 1024;

/** One line of the table; latencies in ms, memory in MB. */
interface Row {
  readonly name: string;
  readonly n: number;
  readonly opsPerSec?: number;
  readonly p50?: number;
  readonly p95?: number;
  readonly max?: number;
  readonly rssMb?: number;
  readonly heapMb?: number;
  readonly note?: string;
}

/** A failure the user can fix, printed without a stack. */
class BenchError extends Error {}

const out = (line = ''): void => void process.stdout.write(`${line}\n`);
const progress = (line: string): void => void process.stderr.write(`bench: ${line}\n`);

/** Keeps the benchmarked results alive so the JIT cannot drop the work. */
const blackhole = { value: 0 };

function nodeMemory(): { rssMb: number; heapMb: number } {
  const m = process.memoryUsage();
  return { rssMb: m.rss / MB, heapMb: m.heapUsed / MB };
}

/** Nearest-rank percentiles and the max of `samples` (ms). */
function latency(samples: readonly number[]): { p50: number; p95: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p: number): number =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
  return { p50: rank(50), p95: rank(95), max: sorted[sorted.length - 1]! };
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - start };
}

/** Runs `op` in a loop for `budgetMs` after a warm-up of a tenth of that; ops per second. */
function throughput(name: string, budgetMs: number, op: (i: number) => number): Row {
  let i = 0;
  let sink = 0;
  const warmEnd = performance.now() + budgetMs / 10;
  while (performance.now() < warmEnd) for (let k = 0; k < 50; k++) sink += op(i++);
  const start = performance.now();
  const end = start + budgetMs;
  let n = 0;
  while (performance.now() < end) {
    for (let k = 0; k < 50; k++) sink += op(i++);
    n += 50;
  }
  const elapsed = performance.now() - start;
  blackhole.value += sink;
  return {
    name,
    n,
    opsPerSec: (n / elapsed) * 1000,
    ...nodeMemory(),
    note: `${((elapsed * 1000) / n).toFixed(2)} µs/op`,
  };
}

function fmtMs(v: number | undefined): string {
  if (v === undefined) return '–';
  return v < 10 ? v.toFixed(2) : v < 1000 ? v.toFixed(1) : v.toFixed(0);
}

function fmtNum(v: number | undefined, digits = 0): string {
  return v === undefined
    ? '–'
    : v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Throughput: whole numbers, but two decimals below 10 ops/s (a batch of slow jobs). */
const fmtOps = (v: number | undefined): string => fmtNum(v, v !== undefined && v < 10 ? 2 : 0);

function printTable(title: string, rows: readonly Row[]): void {
  const head = [
    'name'.padEnd(38),
    'n'.padStart(8),
    'ops/s'.padStart(10),
    'p50 ms'.padStart(8),
    'p95 ms'.padStart(8),
    'max ms'.padStart(8),
    'RSS MB'.padStart(7),
    'heap MB'.padStart(8),
    '  note',
  ].join(' ');
  out();
  out(`== ${title}`);
  out(head);
  out('-'.repeat(head.length + 20));
  for (const r of rows) {
    out(
      [
        r.name.padEnd(38),
        fmtNum(r.n).padStart(8),
        fmtOps(r.opsPerSec).padStart(10),
        fmtMs(r.p50).padStart(8),
        fmtMs(r.p95).padStart(8),
        fmtMs(r.max).padStart(8),
        fmtNum(r.rssMb, 1).padStart(7),
        fmtNum(r.heapMb, 1).padStart(8),
        `  ${r.note ?? ''}`,
      ]
        .join(' ')
        .trimEnd(),
    );
  }
}

/** Memory of a process and all its descendants, from /proc (Linux); null elsewhere. */
function processTreeMemory(
  rootPid: number | undefined,
): { procs: number; rssMb: number; pssMb: number } | null {
  if (rootPid === undefined) return null;
  try {
    const children = new Map<number, number[]>();
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        // Fields after the command name (which may contain spaces and parentheses).
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        const list = children.get(ppid) ?? [];
        list.push(Number(entry));
        children.set(ppid, list);
      } catch {
        // The process ended while we looked.
      }
    }
    const tree: number[] = [];
    const queue = [rootPid];
    while (queue.length > 0) {
      const pid = queue.shift()!;
      tree.push(pid);
      queue.push(...(children.get(pid) ?? []));
    }
    let rssKb = 0;
    let pssKb = 0;
    for (const pid of tree) {
      try {
        const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
        rssKb += Number(/^Rss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
        pssKb += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
      } catch {
        // Gone, or not ours to read.
      }
    }
    return { procs: tree.length, rssMb: rssKb / 1024, pssMb: pssKb / 1024 };
  } catch {
    return null;
  }
}

function treeRow(name: string, pid: number | undefined, extra = ''): Row {
  const tree = processTreeMemory(pid);
  if (!tree) return { name, n: 1, note: 'process tree not readable (not Linux?)' };
  return {
    name,
    n: tree.procs,
    rssMb: tree.pssMb,
    note: `PSS of ${tree.procs} procs (RSS summed: ${tree.rssMb.toFixed(0)} MB, counts shared pages per process)${extra}`,
  };
}

/**
 * A cookie jar shaped like LinkedIn's (li_at, JSESSIONID, bcookie, tracking cookies), padded to
 * about `targetBytes` of JSON. Values are random: none was ever issued by any site.
 */
function cookieJar(domain: string, targetBytes: number, essentialsOnly = false): CookieData[] {
  const token = (bytes: number): string => randomBytes(bytes).toString('base64url');
  const expires = Math.floor(Date.now() / 1000) + 365 * 86_400;
  const base = { domain, path: '/', expires, secure: false, sameSite: 'Lax' as const };
  const jar: CookieData[] = [
    { ...base, name: 'li_at', value: `AQEDA${token(110)}`, httpOnly: true },
    { ...base, name: 'JSESSIONID', value: `ajax:${randomBytes(8).readBigUInt64BE()}` },
    { ...base, name: 'liap', value: 'true' },
    { ...base, name: 'lang', value: 'v=2&lang=en-us' },
  ];
  if (essentialsOnly) return jar;
  const tracking = ['bcookie', 'bscookie', 'lidc', 'li_sugr', 'UserMatchHistory', 'li_gc'];
  for (let i = 0; JSON.stringify(jar).length < targetBytes; i++) {
    jar.push({ ...base, name: `${tracking[i % tracking.length]}_${i}`, value: token(96) });
  }
  return jar;
}

// ---------------------------------------------------------------------------------------------

function totpRows(): Row[] {
  progress('TOTP…');
  const totp = createTotp({ clock: systemClock });
  const key = encodeBase32(randomBytes(20)); // 160 bits: 32 base32 characters
  const epochMs = Date.now();
  const current = totp.codeAt(key, epochMs).code;
  return [
    throughput('totp codeAt (32-char key)', 1_000, (i) =>
      Number(totp.codeAt(key, epochMs + i * 30_000).code),
    ),
    throughput('totp verify window 1 (match)', 1_000, (i) => {
      const step = totp.verify(key, current, { window: 1, epochMs: epochMs + (i % 1000) });
      return step ?? 0;
    }),
  ];
}

function vaultRows(config: Config): Row[] {
  progress('vault…');
  const vault = createVault(config);
  const accountId = randomBytes(12).toString('hex');
  const keyBinding: SecretBinding = { accountId, purpose: 'totp_key' };
  const cookieBinding: SecretBinding = { accountId, purpose: 'cookies' };
  const key = encodeBase32(randomBytes(20));
  const cookies = JSON.stringify(cookieJar('.www.linkedin.com', 4_096));
  const sealedKey = vault.seal(key, keyBinding);
  const sealedCookies = vault.seal(cookies, cookieBinding);
  const size = (s: string): string => `${(s.length / 1024).toFixed(1)} KB`;
  return [
    throughput('vault seal key (32 chars)', 700, () => vault.seal(key, keyBinding).length),
    throughput('vault open key (32 chars)', 700, () => vault.open(sealedKey, keyBinding).length),
    throughput(
      `vault seal cookies (${size(cookies)})`,
      700,
      () => vault.seal(cookies, cookieBinding).length,
    ),
    throughput(
      `vault open cookies (${size(sealedCookies)} sealed)`,
      700,
      () => vault.open(sealedCookies, cookieBinding).length,
    ),
  ];
}

async function browserRows(config: Config, sim: RunningSimulator): Promise<Row[]> {
  const rows: Row[] = [];
  progress(`Chromium launch ×${LAUNCH_ITERATIONS}…`);
  const launches: number[] = [];
  let version = '';
  for (let i = 0; i < LAUNCH_ITERATIONS; i++) {
    const { value: browser, ms } = await timed(() => launchBrowser(config.browser));
    launches.push(ms);
    version ||= await browser.version();
    await browser.close();
  }
  rows.push({
    name: 'chromium launch (then close)',
    n: LAUNCH_ITERATIONS,
    ...latency(launches),
    ...nodeMemory(),
    note: version,
  });

  const nodeBefore = nodeMemory();
  const fleet: BrowserFleet = createBrowserFleet(config.browser);
  try {
    progress('browser contexts…');
    let chromiumPid: number | undefined;
    const cold = await timed(() =>
      fleet.withSession({}, (s) => {
        chromiumPid = s.context.browser().process()?.pid;
        return Promise.resolve();
      }),
    );
    rows.push({
      name: 'fleet first session (launch + ctx)',
      n: 1,
      p50: cold.ms,
      p95: cold.ms,
      max: cold.ms,
      ...nodeMemory(),
    });
    rows.push(treeRow('chromium tree PSS, idle', chromiumPid));

    const contextMs: number[] = [];
    let openInside = 0;
    for (let i = 0; i < CONTEXT_ITERATIONS; i++) {
      const { ms } = await timed(() =>
        fleet.withSession({}, () => {
          openInside = Math.max(openInside, fleet.openContexts());
          return Promise.resolve();
        }),
      );
      contextMs.push(ms);
    }
    rows.push({
      name: 'context + newPage + close (no-op job)',
      n: CONTEXT_ITERATIONS,
      ...latency(contextMs),
      ...nodeMemory(),
      note: `openContexts() inside ${openInside}, after ${fleet.openContexts()}`,
    });

    const loginMs: number[] = [];
    for (let i = 0; i < LOGIN_PAGE_ITERATIONS; i++) {
      const { ms } = await timed(() =>
        fleet.withSession({}, async (s) => {
          const screen = await new LoginPage(s.page, sim.url).open();
          if (screen.kind !== 'login') {
            throw new BenchError(`the simulator's /login showed ${screen.kind}, not login`);
          }
        }),
      );
      loginMs.push(ms);
    }
    rows.push({
      name: 'context + LoginPage.open() (sim)',
      n: LOGIN_PAGE_ITERATIONS,
      ...latency(loginMs),
      ...nodeMemory(),
    });

    // N contexts open at once, each on the login page: memory is sampled while all are open.
    progress(`${PARALLEL_CONTEXTS} contexts at once…`);
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let ready = 0;
    let allReady!: () => void;
    const allOpen = new Promise<void>((r) => (allReady = r));
    const sessions = Array.from({ length: PARALLEL_CONTEXTS }, () =>
      fleet.withSession({}, async (s) => {
        await new LoginPage(s.page, sim.url).open();
        if (++ready === PARALLEL_CONTEXTS) allReady();
        await released;
      }),
    );
    let parallel: { ms: number };
    let openNow: number;
    try {
      // A session that fails before all are open ends the wait instead of hanging it.
      parallel = await timed(() => Promise.race([allOpen, Promise.all(sessions)]));
      openNow = fleet.openContexts();
      rows.push(
        treeRow(
          `chromium tree PSS, ${PARALLEL_CONTEXTS} ctx on /login`,
          chromiumPid,
          `; open ${openNow}`,
        ),
      );
    } finally {
      release();
    }
    await Promise.all(sessions);
    rows.push({
      name: `${PARALLEL_CONTEXTS} contexts opened in parallel`,
      n: PARALLEL_CONTEXTS,
      p50: parallel.ms,
      p95: parallel.ms,
      max: parallel.ms,
      ...nodeMemory(),
      note: `wall time until all showed /login; openContexts() during ${openNow}, after ${fleet.openContexts()}`,
    });
    rows.push(treeRow('chromium tree PSS, contexts closed', chromiumPid));
  } finally {
    await fleet.close();
  }
  const nodeAfter = nodeMemory();
  rows.push({
    name: 'node memory around the fleet',
    n: 1,
    ...nodeAfter,
    note: `before RSS ${nodeBefore.rssMb.toFixed(1)} / heap ${nodeBefore.heapMb.toFixed(1)} MB → after (fleet closed)`,
  });
  return rows;
}

// ---------------------------------------------------------------------------------------------

/** The Redis URL without user and password, for messages. */
function redactRedisUrl(url: string): string {
  const u = new URL(url);
  u.username = '';
  u.password = '';
  return u.toString();
}

/** Fails with what to run when Redis or the MongoDB-wire server does not answer. */
async function requireServices(config: Config): Promise<void> {
  const [redisOk, mongoOk] = await Promise.all([
    redisAnswers(config.redis.url),
    mongoAnswers(config.mongo.url),
  ]);
  const missing = [
    ...(redisOk ? [] : [`Redis does not answer at ${redactRedisUrl(config.redis.url)}`]),
    ...(mongoOk
      ? []
      : [`MongoDB-wire server does not answer at ${redactMongoUrl(config.mongo.url)}`]),
  ];
  if (missing.length > 0) {
    throw new BenchError(
      `services missing: ${missing.join('; ')}.\n` +
        `Run \`npm run services\` (it starts them and writes ${SERVICES_ENV_FILE}), ` +
        'or run `npm run bench -- --quick` for the parts that need none.',
    );
  }
}

/** Deletes every Redis key under `prefix`; returns how many there were. */
async function deletePrefix(url: string, prefix: string): Promise<number> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    let deleted = 0;
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (batch.length > 0) deleted += await redis.del(...batch);
    } while (cursor !== '0');
    return deleted;
  } finally {
    await redis.quit();
  }
}

/** `done <detail>`, `skipped <reason>` or `failed <code>: <message>`. */
function describeOutcome(outcome: JobOutcome): string {
  if (outcome.status === 'failed') return `failed ${outcome.code}: ${outcome.message}`;
  const r = outcome.result;
  return r.status === 'done' ? `done ${r.detail ?? ''}`.trim() : `skipped ${r.reason}`;
}

interface SimAccountView {
  readonly twoFactor: { readonly key: string | null };
  readonly counters: { readonly codesAccepted: number; readonly codesRejected: number };
}

async function simControl<T>(sim: RunningSimulator, method: string, path: string, body?: unknown) {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300)
    throw new BenchError(`simulator ${method} ${path} → ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

async function endToEndRows(base: Config, sim: RunningSimulator): Promise<Row[]> {
  const tag = randomBytes(6).toString('hex');
  const prefix = `li2fa-bench-${tag}`;
  const dbName = `li2fa_bench_${tag}`;
  const mongoUrl = new URL(base.mongo.url);
  mongoUrl.pathname = `/${dbName}`;
  const config: Config = Object.freeze({
    ...base,
    log: Object.freeze({ level: 'warn' as const, pretty: false }),
    redis: Object.freeze({ ...base.redis, prefix }),
    mongo: Object.freeze({ ...base.mongo, url: mongoUrl.toString() }),
    linkedin: Object.freeze({ baseUrl: sim.url }),
    worker: Object.freeze({ ...base.worker, shutdownGraceMs: 2_000 }),
  });
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(new URL(config.linkedin.baseUrl).hostname)) {
    throw new BenchError(`refusing to benchmark against ${config.linkedin.baseUrl}: loopback only`);
  }
  const logLines: string[] = [];
  const log = createLogger(
    config,
    new Writable({
      write(chunk: Buffer, _enc, done) {
        logLines.push(chunk.toString());
        done();
      },
    }),
  );

  progress(`end to end: Redis prefix ${prefix}, database ${dbName}`);
  const rows: Row[] = [];
  const nodeBefore = nodeMemory();
  const connection = await createMongoConnection(config.mongo, { dbName });
  // Run in reverse order at the end; a failed step is reported, and the run exits non-zero.
  const cleanups: { what: string; run: () => Promise<unknown> }[] = [];
  const cleanupErrors: string[] = [];
  let failure: string | null = null;
  try {
    cleanups.push({ what: 'close Mongo', run: () => connection.close() });
    cleanups.push({ what: `drop database ${dbName}`, run: () => connection.dropDatabase() });
    const repos = await createRepositories(connection);
    const desired = createDesiredStateRepo(connection);
    await desired.init();
    const vault = createVault(config);
    const producer = createProducer({ config, log });
    cleanups.push({ what: 'close producer', run: () => producer.close() });
    const worker = await startChallengeWorker({
      config,
      log,
      deps: { repos, desired, vault, producer, actor: 'worker:bench-challenge' },
    });
    cleanups.push({ what: 'stop worker', run: () => worker.close() });
    const client = createFleetClient({ config, repos, vault, desired, log });
    cleanups.push({ what: 'close client', run: () => client.close() });

    progress(`enrolling ${E2E_ACCOUNTS} accounts…`);
    const accounts: { id: string; email: string }[] = [];
    for (let i = 0; i < E2E_ACCOUNTS; i++) {
      const email = `bench-${tag}-${i}@example.com`;
      const view = await simControl<SimAccountView>(sim, 'POST', '/__sim/accounts', {
        email,
        password: PASSWORD,
        twoFactor: { method: 'authenticator' },
      });
      const id = repos.accounts.newId();
      const host = new URL(sim.url).hostname;
      await repos.accounts.create({
        id,
        tenantId: 'bench',
        externalId: email,
        email,
        status: 'active',
        sealedPassword: vault.seal(PASSWORD, { accountId: id, purpose: 'password' }),
        sealedCookies: vault.seal(JSON.stringify(cookieJar(host, 0, true)), {
          accountId: id,
          purpose: 'cookies',
        }),
      });
      const sealedKey = vault.seal(view.twoFactor.key!, { accountId: id, purpose: 'totp_key' });
      const { version } = await repos.twoFactorKeys.savePending(id, sealedKey, 'import');
      await repos.twoFactorKeys.activate(id, version);
      accounts.push({ id, email });
    }

    // A running worker keeps its Chromium: launch it before the clock starts.
    const warm = await timed(() => worker.fleet.withSession({}, () => Promise.resolve()));
    rows.push({
      name: 'worker Chromium warm-up',
      n: 1,
      p50: warm.ms,
      p95: warm.ms,
      max: warm.ms,
      ...nodeMemory(),
      note: 'not in the latencies below',
    });

    progress(`${E2E_ACCOUNTS} session checks (concurrency ${config.challenge.concurrency})…`);
    const batch = await timed(() =>
      Promise.all(
        accounts.map(async ({ id }) => {
          const start = performance.now();
          const { jobId } = await client.checkSession(id, { actor: 'cli' });
          const outcome: JobOutcome = await client.waitForOutcome(jobId, {
            queue: QueueName.SessionCheck,
            timeoutMs: E2E_TIMEOUT_MS,
          });
          return { outcome, ms: performance.now() - start };
        }),
      ),
    );
    const results = batch.value;
    const queue = producer.queue(QueueName.SessionCheck);
    const waits: number[] = [];
    const runs: number[] = [];
    for (const { outcome } of results) {
      const job = await queue.getJob(outcome.jobId);
      if (job?.processedOn && job.finishedOn) {
        waits.push(job.processedOn - job.timestamp);
        runs.push(job.finishedOn - job.processedOn);
      }
    }
    const answered = results.filter(
      (r) => describeOutcome(r.outcome) === 'done challenge_answered',
    ).length;
    let accepted = 0;
    let rejected = 0;
    for (const { email } of accounts) {
      const view = await simControl<SimAccountView>(
        sim,
        'GET',
        `/__sim/accounts/${encodeURIComponent(email)}`,
      );
      accepted += view.counters.codesAccepted;
      rejected += view.counters.codesRejected;
    }
    rows.push({
      name: 'session check, enqueue → outcome',
      n: results.length,
      ...latency(results.map((r) => r.ms)),
      ...nodeMemory(),
      note: `${answered}/${results.length} challenge_answered; codes accepted ${accepted}, rejected ${rejected}`,
    });
    if (waits.length > 0) {
      rows.push({ name: '  queue wait (BullMQ timestamps)', n: waits.length, ...latency(waits) });
      rows.push({ name: '  worker run (BullMQ timestamps)', n: runs.length, ...latency(runs) });
    }
    rows.push({
      name: `batch of ${results.length}, wall time`,
      n: results.length,
      opsPerSec: (results.length / batch.ms) * 1000,
      p50: batch.ms,
      p95: batch.ms,
      max: batch.ms,
      note: `${((results.length / batch.ms) * 60_000).toFixed(1)} checks/min at concurrency ${config.challenge.concurrency}`,
    });
    let chromiumPid: number | undefined;
    await worker.fleet.withSession({}, (s) => {
      chromiumPid = s.context.browser().process()?.pid;
      return Promise.resolve();
    });
    rows.push(treeRow('chromium tree PSS after the checks', chromiumPid));

    if (answered !== results.length || rejected > 0) {
      const detail = results
        .map(({ outcome }) => `${outcome.jobId}: ${describeOutcome(outcome)}`)
        .join('\n  ');
      const errors = logLines.filter((l) => /"level":(50|60)/.test(l)).slice(-5);
      failure =
        `only ${answered}/${results.length} checks answered the challenge:\n  ${detail}` +
        (errors.length ? `\nlast error logs:\n${errors.join('')}` : '');
    }
  } catch (err) {
    // Reported after the clean-up, which must run whatever failed.
    failure = err instanceof Error ? err.message : String(err);
  } finally {
    progress('cleaning up…');
    cleanups.push({ what: 'close Redis connections', run: () => closeConnections() });
    for (const step of cleanups.reverse()) {
      await step.run().catch((err: unknown) => {
        cleanupErrors.push(`${step.what}: ${err instanceof Error ? err.message : String(err)}`);
      });
    }
  }
  // After the worker and queues are closed, so nothing writes under the prefix any more.
  let deleted = 0;
  let left = 0;
  try {
    deleted = await deletePrefix(base.redis.url, prefix);
    left = await deletePrefix(base.redis.url, prefix);
    if (left > 0) cleanupErrors.push(`${left} Redis keys under ${prefix} survived deletion`);
  } catch (err) {
    cleanupErrors.push(`delete Redis keys under ${prefix}: ${(err as Error).message}`);
  }
  rows.push({
    name: 'node memory around end to end',
    n: 1,
    ...nodeMemory(),
    note:
      `before RSS ${nodeBefore.rssMb.toFixed(1)} / heap ${nodeBefore.heapMb.toFixed(1)} MB; ` +
      `cleanup: ${deleted} Redis keys deleted (${left} left), ` +
      (cleanupErrors.length ? `FAILED: ${cleanupErrors.join('; ')}` : `database ${dbName} dropped`),
  });
  if (cleanupErrors.length > 0) {
    failure = `${failure ? `${failure}\n` : ''}clean-up failed: ${cleanupErrors.join('; ')}`;
  }
  if (failure) {
    printTable('4. end to end (partial)', rows);
    throw new BenchError(failure);
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------

function printMachine(config: Config, quick: boolean): void {
  const cpu = cpus();
  out(`linkedin-2fa-keeper bench${quick ? ' --quick' : ''}  (${new Date().toISOString()})`);
  out(
    `machine: ${cpu.length} CPU × ${cpu[0]?.model.trim() ?? 'unknown'}; ${platform()}/${arch()}; ` +
      `memory ${(totalmem() / 2 ** 30).toFixed(1)} GB (${(freemem() / 2 ** 30).toFixed(1)} free); ` +
      `load ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
  );
  out(`node ${process.version}; chromium ${config.browser.executablePath ?? '(auto-detected)'}`);
  out('numbers are printed, never asserted: compare runs on the same machine');
}

async function main(argv: readonly string[]): Promise<number> {
  const known = new Set(['--quick', '--help']);
  const unknown = argv.filter((a) => !known.has(a));
  if (argv.includes('--help') || unknown.length > 0) {
    process.stderr.write(
      `${unknown.length ? `unknown argument ${unknown.join(' ')}\n` : ''}${USAGE}\n`,
    );
    return unknown.length ? 2 : 0;
  }
  const quick = argv.includes('--quick');
  applyEnvFile();
  const config = loadConfig();
  printMachine(config, quick);
  // Fail before the long parts, not after them.
  if (!quick) await requireServices(config);

  const sim = await startSimulator({
    port: 0,
    // Every login meets the authenticator prompt, as with an unrecognised device.
    settings: { recognizedDeviceSkips2fa: false },
    seed: 1,
  });
  try {
    printTable('1. TOTP (CPU)', totpRows());
    printTable('2. vault, AES-256-GCM (CPU)', vaultRows(config));
    printTable(
      '3. browser (headless Chromium, simulator in process)',
      await browserRows(config, sim),
    );
    if (!quick) {
      printTable(
        `4. end to end: ${E2E_ACCOUNTS} session checks, dead sessions → login + authenticator code`,
        await endToEndRows(config, sim),
      );
    }
  } finally {
    await sim.close();
  }
  out();
  out('done');
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    const code = errorCodeOf(err);
    const hint = code.startsWith('browser_')
      ? '\n(`npm run services` finds or installs Chromium and writes CHROMIUM_PATH)'
      : err instanceof BenchError || code !== 'internal_error'
        ? ''
        : `\n${err instanceof Error ? (err.stack ?? '') : ''}`;
    process.stderr.write(`bench failed: ${message}${hint}\n`);
    process.exit(1);
  },
);
