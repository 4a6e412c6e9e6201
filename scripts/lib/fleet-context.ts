/**
 * What a fleet CLI command works with: the configuration, a logger, the repositories, the
 * vault and the fleet client, opened together and closed together. Commands receive a
 * {@link FleetContextFactory} instead of opening these themselves, so tests hand them a
 * context on an isolated database and Redis prefix.
 */
import { currentEnv, loadConfig, type Config } from '../../shared/config';
import { createVault, type Vault } from '../../shared/crypto';
import {
  connectMongo,
  createRepositories,
  disconnectMongo,
  type Repositories,
} from '../../shared/db';
import { createDesiredStateRepo, type DesiredStateRepo } from '../../shared/db/desired-state.repo';
import { createLogger, type Logger } from '../../shared/logger';
import { closeConnections } from '../../queues/connection';
import { createFleetClient, type FleetClient } from '../../queues/client';

/** Everything a fleet command needs; `close()` releases all of it so the process can exit. */
export interface FleetContext {
  readonly config: Config;
  readonly log: Logger;
  readonly repos: Repositories;
  readonly desired: DesiredStateRepo;
  readonly vault: Vault;
  readonly client: FleetClient;
  /** Closes the client, the Mongo connection and the shared Redis connections. */
  close(): Promise<void>;
}

/** Opens a context; called once per command run, after the arguments were checked. */
export type FleetContextFactory = () => Promise<FleetContext>;

/**
 * The CLI's configuration: the environment's, but logging at `warn` unless LOG_LEVEL is set,
 * so info lines of the client do not drown a command's own output (logs go to stderr).
 */
export function cliConfig(): Config {
  const env = currentEnv();
  return loadConfig({ ...env, LOG_LEVEL: env.LOG_LEVEL || 'warn' });
}

/** Opens the real context: `cliConfig()`, the default mongoose connection, shared Redis. */
export async function openFleetContext(config: Config = cliConfig()): Promise<FleetContext> {
  // JSON lines on stderr: a pretty transport would start a worker thread for a short command.
  const log = createLogger({ ...config, log: { ...config.log, pretty: false } });
  const vault = createVault(config);
  const connection = await connectMongo(config.mongo);
  try {
    const repos = await createRepositories(connection);
    const desired = createDesiredStateRepo(connection);
    await desired.init();
    const client = createFleetClient({ config, repos, vault, desired, log });
    return {
      config,
      log,
      repos,
      desired,
      vault,
      client,
      async close() {
        try {
          await client.close();
        } finally {
          await Promise.allSettled([disconnectMongo(), closeConnections()]);
        }
      },
    };
  } catch (err) {
    await disconnectMongo();
    throw err;
  }
}
