/**
 * `npm run api`: the HTTP control plane on API_HOST:API_PORT, and the webhook deliveries
 * (when WEBHOOK_URLS and WEBHOOK_SECRET are set: they need no browser, so they run here). SIGTERM/SIGINT: stop accepting,
 * finish the requests in flight, close the queues, Redis and Mongo, exit 0.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Connection } from 'mongoose';
import { createFleetClient } from '../queues/client';
import { closeConnections, producerConnection } from '../queues/connection';
import { createProducer } from '../queues/producer';
import { applyEnvFile, loadConfig, type Config } from '../shared/config';
import { createVault, type Vault } from '../shared/crypto';
import { connectMongo, createRepositories, disconnectMongo, type Repositories } from '../shared/db';
import { createDesiredStateRepo, type DesiredStateRepo } from '../shared/db/desired-state.repo';
import { createLogger, type Logger } from '../shared/logger';
import { systemClock } from '../shared/clock';
import { startWebhookWorker } from '../workers/webhooks/deliver';
import { createApi } from './app';

/** The version the API reports (package.json's). */
export const API_VERSION = '0.1.0';

/** A listening API. */
export interface RunningApi {
  readonly server: Server;
  /** `http://host:port` it listens on. */
  readonly url: string;
  /** Stops listening and closes the queues it opened (not Mongo or the shared Redis). */
  close(): Promise<void>;
}

/** Options of startApi; tests pass their own database pieces. */
export interface StartApiOptions {
  readonly config: Config;
  readonly log: Logger;
  readonly mongo: Connection;
  readonly repos: Repositories;
  readonly desired: DesiredStateRepo;
  readonly vault?: Vault;
}

/** Builds the client and the app and listens. */
export async function startApi(opts: StartApiOptions): Promise<RunningApi> {
  const { config, log } = opts;
  const vault = opts.vault ?? createVault(config);
  const client = createFleetClient({
    config,
    repos: opts.repos,
    vault,
    desired: opts.desired,
    log,
  });
  const producer = createProducer({ config, log });
  const app = createApi({
    config,
    client,
    repos: opts.repos,
    producer,
    mongo: opts.mongo,
    redis: producerConnection(config),
    log,
    version: API_VERSION,
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.api.port, config.api.host, (err?: Error) =>
      err ? reject(err) : resolve(s),
    );
  });
  const webhooks =
    config.webhooks.secret && Object.keys(config.webhooks.urls).length > 0
      ? startWebhookWorker({ config, repos: opts.repos, clock: systemClock, log })
      : null;
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  const url = `http://${host}:${port}`;
  log.info(
    { url, tokens: config.api.tokens.length, board: config.api.operatorToken !== null },
    'api listening',
  );
  return {
    server,
    url,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await webhooks?.close();
      await client.close();
      await producer.close();
    },
  };
}

async function main(): Promise<void> {
  applyEnvFile();
  const config = loadConfig();
  const log = createLogger(config).child({ process: 'api' });
  if (config.api.tokens.length === 0) log.warn('API_TOKENS is empty: every /v1 route answers 401');
  const mongo = await connectMongo(config.mongo);
  const repos = await createRepositories();
  const desired = createDesiredStateRepo();
  await desired.init();
  const api = await startApi({ config, log, mongo, repos, desired });
  let stopping = false;
  const stop = async (why: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info({ why }, 'shutting down');
    await api.close();
    await disconnectMongo();
    await closeConnections();
    log.info('stopped');
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`api failed to start: ${(err as Error).message}\n`);
    process.exitCode = 1;
  });
}
