/**
 * The whole enrollment fleet for one test file, on real parts: a Redis prefix and a database
 * of their own, the simulator over HTTP, an in-process enrollment worker with real headless
 * Chromium, and the producer side. Logs are captured so tests can scan them for secrets.
 */
import { Writable } from 'node:stream';
import type { Config } from '../../shared/config';
import { createVault, type Vault } from '../../shared/crypto';
import { createRepositories, type Repositories } from '../../shared/db';
import { createDesiredStateRepo, type DesiredStateRepo } from '../../shared/db/desired-state.repo';
import { createLogger, type Logger } from '../../shared/logger';
import type { FleetClient } from '../../queues/client';
import { runCli } from '../../scripts/cli';
import { createProducer, type Producer } from '../../queues/producer';
import { closeConnections } from '../../queues/connection';
import { startChallengeWorker } from '../../workers/challenge/main';
import { startEnrollmentWorker, type EnrollmentWorker } from '../../workers/enrollment/main';
import type { FleetWorker } from '../../workers/fleet-worker';
import { openTestDatabase, type TestDatabase } from './mongo';
import { openTestRedis, type TestRedis } from './redis';
import { startTestSimulator, type TestSimulator } from './simulator';
import type { Settings } from '../../simulator/settings';
import { uniqueEmail } from './simulator';

/** What a fleet test gets. */
export interface TestFleet {
  readonly config: Config;
  readonly redis: TestRedis;
  readonly db: TestDatabase;
  readonly repos: Repositories;
  readonly desired: DesiredStateRepo;
  readonly vault: Vault;
  readonly producer: Producer;
  readonly sim: TestSimulator;
  /** The in-process worker (null when the file starts its own). */
  readonly worker: EnrollmentWorker | null;
  /** Starts another in-process enrollment worker (closed by the caller). */
  startWorker(): Promise<EnrollmentWorker>;
  /** The in-process challenge (session-check) worker, when the file asked for one. */
  readonly challenge: FleetWorker | null;
  /** The logger whose lines `logs()` returns. */
  readonly log: Logger;
  /** Every log line written so far (JSON). */
  logs(): string;
}

/** An account as `enrolledAccount` made it. */
export interface EnrolledAccount {
  readonly id: string;
  readonly email: string;
  /** The live key (the simulator's and ours). */
  readonly key: string;
}

/**
 * A simulator account with authenticator 2FA on and the same key active on our side, as an
 * enrollment leaves it (without spending a browser on one): registered `active` with its
 * password (`tenantId`, optional proxy), unless `registered` already holds the id.
 */
export async function enrolledAccount(
  f: TestFleet,
  opts: {
    password: string;
    tenantId?: string;
    sim?: Record<string, unknown>;
    proxyUrl?: string;
    tag?: string;
    register?: (email: string) => Promise<string>;
  },
): Promise<EnrolledAccount> {
  const email = uniqueEmail(opts.tag ?? 'enrolled');
  const view = await f.sim.createAccount({
    email,
    password: opts.password,
    twoFactor: { method: 'authenticator' },
    ...opts.sim,
  });
  let id: string;
  if (opts.register) {
    id = await opts.register(email);
  } else {
    id = f.repos.accounts.newId();
    await f.repos.accounts.create({
      id,
      tenantId: opts.tenantId ?? 'tenant-test',
      externalId: email,
      email,
      status: 'active',
      sealedPassword: f.vault.seal(opts.password, { accountId: id, purpose: 'password' }),
      ...(opts.proxyUrl ? { proxy: { url: opts.proxyUrl, sealedAuth: null } } : {}),
    });
  }
  const key = view.twoFactor.key!;
  const sealed = f.vault.seal(key, { accountId: id, purpose: 'totp_key' });
  const { version } = await f.repos.twoFactorKeys.savePending(id, sealed, 'import');
  await f.repos.twoFactorKeys.activate(id, version);
  return { id, email, key };
}

/** What a CLI run printed. */
export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs a CLI command in process on the fleet's database, prefix and `client`. */
export async function fleetCli(f: TestFleet, client: FleetClient, argv: string[]): Promise<CliRun> {
  let out = '';
  let err = '';
  const log = createLogger(f.config, new Writable({ write: (_c, _e, done) => done() }));
  const code = await runCli(
    argv,
    { out: (t) => void (out += t), err: (t) => void (err += t) },
    {
      openContext: () =>
        Promise.resolve({
          config: f.config,
          log,
          repos: f.repos,
          desired: f.desired,
          vault: f.vault,
          client,
          close: () => Promise.resolve(),
        }),
      readStdin: () => Promise.resolve(''),
      showStack: () => false,
    },
  );
  return { code, out, err };
}

/** Test pacing: short waits so parking and re-checking happen within a test. */
export function fleetConfig(base: Config, simUrl: string, dbUrl: string): Config {
  return Object.freeze({
    ...base,
    log: Object.freeze({ level: 'debug' as const, pretty: false }),
    mongo: Object.freeze({ ...base.mongo, url: dbUrl }),
    linkedin: Object.freeze({ baseUrl: simUrl }),
    enrollment: Object.freeze({
      ...base.enrollment,
      concurrency: 2,
      approvalWaitMs: 15_000,
      approvalRecheckMs: 1_000,
      emailCodeWaitMs: 60_000,
      leaseTtlMs: 6_000,
    }),
    worker: Object.freeze({
      lockDurationMs: 5_000,
      stalledIntervalMs: 2_000,
      shutdownGraceMs: 2_000,
      metricsPort: null,
    }),
  });
}

/** The MONGO_URL of a test database (for child worker processes). */
export function databaseUrl(base: Config, dbName: string): string {
  const url = new URL(base.mongo.url);
  url.pathname = `/${dbName}`;
  return url.toString();
}

/** Registers the fleet's lifecycle for the file and hands it to `assign`. */
export function useTestFleet(
  simSettings: Partial<Settings>,
  assign: (fleet: TestFleet) => void,
  opts: { worker?: boolean; challenge?: boolean; configure?: (config: Config) => Config } = {},
): void {
  let fleet: TestFleet | undefined;
  beforeAll(async () => {
    const redis = openTestRedis();
    const [db, sim] = await Promise.all([
      openTestDatabase(),
      startTestSimulator({ approvalPollMs: 200, ...simSettings }),
    ]);
    const paced = fleetConfig(redis.config, sim.url, databaseUrl(redis.config, db.dbName));
    const config = opts.configure ? opts.configure(paced) : paced;
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const log = createLogger(config, sink);
    const repos = await createRepositories(db.connection);
    const desired = createDesiredStateRepo(db.connection);
    await desired.init();
    const vault = createVault(config);
    const producer = createProducer({ config, log });
    const deps = { repos, desired, vault, producer, actor: 'worker:test' };
    const startWorker = () => startEnrollmentWorker({ config, log, deps });
    const worker = opts.worker === false ? null : await startWorker();
    const challenge = opts.challenge
      ? await startChallengeWorker({
          config,
          log,
          deps: { ...deps, actor: 'worker:test-challenge' },
        })
      : null;
    fleet = {
      config,
      redis,
      db,
      repos,
      desired,
      vault,
      producer,
      sim,
      worker,
      startWorker,
      challenge,
      log,
      logs: () => lines.join(''),
    };
    assign(fleet);
  }, 60_000);
  afterAll(async () => {
    if (!fleet) return;
    await fleet.worker?.close();
    await fleet.challenge?.close();
    await fleet.producer.close();
    await fleet.sim.close();
    await fleet.redis.cleanup();
    await fleet.db.drop();
    await closeConnections();
  }, 60_000);
}
