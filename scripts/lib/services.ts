/**
 * Real services for development, tests, CI and the demo: Redis, a MongoDB-wire server and
 * Chromium. Idempotent: what is already running (ours or the machine's) is reused, and only
 * what is missing is started. What it starts is recorded by pid so `--stop` ends only that.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import { CHROMIUM_CANDIDATES } from '../../shared/browser';
import { SERVICES_ENV_FILE, type ServiceOverrides } from '../../shared/config';
import { ensureFerretdb } from './ferretdb';
import { freePort, isAlive, run, spawnDetached, waitFor, which } from './processes';

export interface ServicesOptions {
  /** Folder for the env file, pid state, logs and data (the project's ignored `.dev/`). */
  readonly devDir: string;
  /** Never reuse the machine's default ports: start our own Redis and MongoDB-wire server. */
  readonly isolated: boolean;
  readonly overrides: ServiceOverrides;
  readonly say: (line: string) => void;
}

interface Started {
  readonly name: 'redis' | 'ferretdb' | 'mongod';
  readonly pid: number;
  readonly url: string;
}

export interface ServicesResult {
  readonly env: { REDIS_URL: string; MONGO_URL: string; CHROMIUM_PATH: string };
  /** Services started by this run (empty when everything was already up). */
  readonly startedNow: readonly Started[];
  readonly envFile: string;
}

const STATE_FILE = 'services.json';
/** The env file's name, the one tests and the CLI read (shared/config.ts). */
const ENV_FILE = basename(SERVICES_ENV_FILE);

function readState(devDir: string): Started[] {
  const file = join(devDir, STATE_FILE);
  if (!existsSync(file)) return [];
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { started: Started[] }).started;
  } catch {
    return [];
  }
}

function writeState(devDir: string, started: readonly Started[]): void {
  writeFileSync(join(devDir, STATE_FILE), JSON.stringify({ started }, null, 2));
}

/** True when a Redis server answers PING at `url` (auth and TLS as the URL says). */
export async function redisAnswers(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1_500,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** True when a MongoDB-wire server answers `ping` at `url`. */
export async function mongoAnswers(url: string): Promise<boolean> {
  const conn = mongoose.createConnection(url, {
    serverSelectionTimeoutMS: 1_500,
    connectTimeoutMS: 1_500,
  });
  try {
    await conn.asPromise();
    const answer = await conn.db?.admin().ping();
    return answer?.ok === 1;
  } catch {
    return false;
  } finally {
    await conn.close().catch(() => undefined);
  }
}

/** A service we started earlier that is still alive and answering, if any. */
async function reuseOurs(
  state: readonly Started[],
  names: readonly Started['name'][],
  answers: (url: string) => Promise<boolean>,
): Promise<Started | undefined> {
  for (const s of state) {
    if (names.includes(s.name) && isAlive(s.pid) && (await answers(s.url))) return s;
  }
  return undefined;
}

async function ensureRedis(
  opts: ServicesOptions,
  state: Started[],
  startedNow: Started[],
): Promise<string> {
  const { overrides, say } = opts;
  if (overrides.redisUrl) {
    if (await redisAnswers(overrides.redisUrl)) return overrides.redisUrl;
    say(`REDIS_URL is set but does not answer; looking for another Redis`);
  }
  const ours = await reuseOurs(state, ['redis'], redisAnswers);
  if (ours) return ours.url;
  const machine = 'redis://127.0.0.1:6379';
  if (!opts.isolated && (await redisAnswers(machine))) return machine;

  const server = which('redis-server');
  if (!server) {
    throw new Error(
      'No Redis: nothing answers on 127.0.0.1:6379 and redis-server is not on PATH. ' +
        'Install Redis (apt-get install redis-server) or set REDIS_URL.',
    );
  }
  const port = await freePort();
  const dir = join(opts.devDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const pid = spawnDetached(
    server,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--maxmemory-policy',
      'noeviction',
    ],
    join(opts.devDir, 'redis.log'),
  );
  const url = `redis://127.0.0.1:${port}`;
  if (!(await waitFor(() => redisAnswers(url), 10_000)))
    throw new Error(`redis-server did not answer on ${url}`);
  startedNow.push({ name: 'redis', pid, url });
  say(`started redis-server (pid ${pid}) on ${url}`);
  return url;
}

async function ensureMongo(
  opts: ServicesOptions,
  state: Started[],
  startedNow: Started[],
): Promise<string> {
  const { overrides, say } = opts;
  if (overrides.mongoUrl) {
    if (await mongoAnswers(overrides.mongoUrl)) return overrides.mongoUrl;
    say(`MONGO_URL is set but does not answer; looking for another MongoDB-wire server`);
  }
  const ours = await reuseOurs(state, ['ferretdb', 'mongod'], mongoAnswers);
  if (ours) return ours.url;
  const machine = 'mongodb://127.0.0.1:27017/li2fa';
  if (!opts.isolated && (await mongoAnswers(machine))) return machine;

  const port = await freePort();
  const url = `mongodb://127.0.0.1:${port}/li2fa`;
  const mongod = which('mongod');
  let started: Started;
  if (mongod) {
    const dbPath = join(opts.devDir, 'mongod-data');
    mkdirSync(dbPath, { recursive: true });
    const pid = spawnDetached(
      mongod,
      ['--dbpath', dbPath, '--port', String(port), '--bind_ip', '127.0.0.1'],
      join(opts.devDir, 'mongod.log'),
    );
    started = { name: 'mongod', pid, url };
  } else {
    const binary = await ensureFerretdb(overrides.cacheDir, say);
    const data = join(opts.devDir, 'ferretdb-data');
    const stateDir = join(opts.devDir, 'ferretdb-state');
    mkdirSync(data, { recursive: true });
    mkdirSync(stateDir, { recursive: true });
    const debugPort = await freePort(); // FerretDB's debug listener defaults to 8088: keep instances apart
    const pid = spawnDetached(
      binary,
      [
        '--handler=sqlite',
        `--sqlite-url=file:${data}/`,
        `--listen-addr=127.0.0.1:${port}`,
        `--debug-addr=127.0.0.1:${debugPort}`,
        `--state-dir=${stateDir}`,
        '--telemetry=disable',
        '--log-level=warn',
      ],
      join(opts.devDir, 'ferretdb.log'),
    );
    started = { name: 'ferretdb', pid, url };
  }
  if (!(await waitFor(() => mongoAnswers(url), 20_000))) {
    throw new Error(
      `${started.name} did not answer on ${url}; see ${join(opts.devDir, `${started.name}.log`)}`,
    );
  }
  startedNow.push(started);
  say(`started ${started.name} (pid ${started.pid}) on ${url}`);
  return url;
}

/**
 * Debian packages the tests use besides Chromium: an independent TOTP implementation, and
 * docker-compose to validate docker-compose.yml (no Docker engine runs here).
 */
const TEST_TOOLS: ReadonlyArray<{ command: string; pkg: string }> = [
  { command: 'oathtool', pkg: 'oathtool' },
  { command: 'docker-compose', pkg: 'docker-compose' },
];

async function ensureChromium(opts: ServicesOptions): Promise<string> {
  const { overrides, say } = opts;
  const missingTools = TEST_TOOLS.filter((t) => !which(t.command)).map((t) => t.pkg);
  const found = () => overrides.chromiumPath ?? CHROMIUM_CANDIDATES.find((p) => existsSync(p));
  const packages = [...(found() ? [] : ['chromium']), ...missingTools];
  if (packages.length > 0) {
    if (!overrides.isRoot || !which('apt-get')) {
      if (!found()) {
        throw new Error(
          'No Chromium: install Debian\'s "chromium" package (apt-get install chromium) or set CHROMIUM_PATH.',
        );
      }
      say(`missing test tools (${missingTools.join(', ')}): install them with apt-get`);
    } else {
      say(`installing ${packages.join(', ')} with apt-get…`);
      const env = { DEBIAN_FRONTEND: 'noninteractive' };
      const update = await run('apt-get', ['update', '-qq'], { env });
      if (update.code !== 0) throw new Error(`apt-get update failed:\n${update.output}`);
      const install = await run(
        'apt-get',
        ['install', '-y', '-qq', '--no-install-recommends', ...packages],
        { env },
      );
      if (install.code !== 0)
        throw new Error(`apt-get install ${packages.join(' ')} failed:\n${install.output}`);
    }
  }
  const path = found();
  if (!path) throw new Error('Chromium is still missing after installing it; set CHROMIUM_PATH.');
  if (!existsSync(path)) throw new Error(`CHROMIUM_PATH ${path} does not exist`);
  return path;
}

/** Finds or starts every service and writes their variables to `<devDir>/services.env`. */
export async function ensureServices(opts: ServicesOptions): Promise<ServicesResult> {
  mkdirSync(opts.devDir, { recursive: true });
  const state = readState(opts.devDir).filter((s) => isAlive(s.pid));
  const startedNow: Started[] = [];
  try {
    const REDIS_URL = await ensureRedis(opts, state, startedNow);
    const MONGO_URL = await ensureMongo(opts, state, startedNow);
    const CHROMIUM_PATH = await ensureChromium(opts);
    const env = { REDIS_URL, MONGO_URL, CHROMIUM_PATH };
    const envFile = join(opts.devDir, ENV_FILE);
    writeFileSync(
      envFile,
      '# Written by `npm run services`; read by tests, the CLI and the demo. Do not edit.\n' +
        Object.entries(env)
          .map(([k, v]) => `${k}=${v}`)
          .join('\n') +
        '\n',
    );
    return { env, startedNow, envFile };
  } finally {
    writeState(opts.devDir, [...state, ...startedNow]);
  }
}

/** Stops only the processes this script started (by recorded pid). Returns what it stopped. */
export async function stopServices(devDir: string): Promise<Started[]> {
  const state = readState(devDir);
  const stopped: Started[] = [];
  for (const s of state) {
    if (!isAlive(s.pid)) continue;
    process.kill(s.pid, 'SIGTERM');
    if (!(await waitFor(() => Promise.resolve(!isAlive(s.pid)), 10_000)))
      process.kill(s.pid, 'SIGKILL');
    stopped.push(s);
  }
  rmSync(join(devDir, STATE_FILE), { force: true });
  rmSync(join(devDir, ENV_FILE), { force: true });
  return stopped;
}
