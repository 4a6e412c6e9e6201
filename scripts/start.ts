/**
 * `npm start`: the API and one enrollment and one challenge worker in one process, configured
 * from the environment (see .env.example). One process shares one metrics registry, so
 * /metrics covers the workers too. For scaling, run `npm run api`, `npm run worker:enrollment`
 * and `npm run worker:challenge` as separate processes instead (docker-compose.yml does).
 * SIGTERM/SIGINT: the API stops accepting, the workers finish or hand back their jobs, then
 * everything closes and the process exits 0.
 */
import { startApi, type RunningApi } from '../api/main';
import { closeConnections } from '../queues/connection';
import { createProducer } from '../queues/producer';
import { applyEnvFile, loadConfig } from '../shared/config';
import { createVault } from '../shared/crypto';
import { connectMongo, createRepositories, disconnectMongo } from '../shared/db';
import { createDesiredStateRepo } from '../shared/db/desired-state.repo';
import { createLogger } from '../shared/logger';
import { startChallengeWorker } from '../workers/challenge/main';
import { startEnrollmentWorker } from '../workers/enrollment/main';
import type { FleetWorker } from '../workers/fleet-worker';

async function main(): Promise<void> {
  applyEnvFile();
  const config = loadConfig();
  const log = createLogger(config).child({ process: 'start' });
  const mongo = await connectMongo(config.mongo);
  const repos = await createRepositories();
  const desired = createDesiredStateRepo();
  await desired.init();
  const vault = createVault(config);
  const producer = createProducer({ config, log });
  const deps = { repos, desired, vault, producer };
  let stopping = false;
  const running: { api?: RunningApi } = {};
  const workers: FleetWorker[] = [];
  const stop = async (why: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info({ why }, 'shutting down');
    await running.api?.close();
    await Promise.all(workers.map((w) => w.close()));
    await producer.close();
    await disconnectMongo();
    await closeConnections();
    log.info('stopped');
    process.exitCode = why === 'fatal' ? 1 : 0;
  };
  const onFatal = () => void stop('fatal');
  workers.push(await startEnrollmentWorker({ config, log, deps, onFatal }));
  workers.push(await startChallengeWorker({ config, log, deps, onFatal }));
  const api = await startApi({ config, log, mongo, repos, desired, vault });
  running.api = api;
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  log.info({ url: api.url }, 'api and workers started');
}

main().catch((err: unknown) => {
  process.stderr.write(`start failed: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
