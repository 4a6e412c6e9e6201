/**
 * Redis connections, one shared ioredis client per role and URL.
 *
 * - **producer**: fails fast. A request handler that enqueues must get an error within about a
 *   second when Redis is down, not hang while ioredis queues the command offline.
 * - **worker**: waits forever. BullMQ requires `maxRetriesPerRequest: null` for blocking
 *   commands, and a worker should ride out a Redis restart rather than crash.
 *
 * BullMQ shares a passed ioredis instance for normal commands and duplicates it for blocking
 * ones (Worker, QueueEvents), so one client per role is enough.
 */
import type { RedisOptions as BullRedisOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import type { Config } from '../shared/config';

/** What the connections need from the configuration. */
export type RedisSettings = Pick<Config, 'redis'>;

/** The role a connection serves. */
export type ConnectionRole = 'producer' | 'worker';

/** ioredis options for the producer role (see the module comment). */
export const PRODUCER_REDIS_OPTIONS: Readonly<RedisOptions> = Object.freeze({
  // Refuse commands while disconnected instead of queueing them in memory.
  enableOfflineQueue: false,
  // One retry per command: survives a single dropped packet, fails fast on an outage.
  maxRetriesPerRequest: 1,
  // 2 s to establish TCP + handshake on a LAN-local Redis before reporting it down.
  connectTimeout: 2_000,
});

/** ioredis options for the worker role (see the module comment). */
export const WORKER_REDIS_OPTIONS: Readonly<RedisOptions> = Object.freeze({
  // Required by BullMQ for blocking commands: never give up on a command.
  maxRetriesPerRequest: null,
  // Reconnect after 1 s, growing to at most 20 s (BullMQ's own default curve).
  retryStrategy: (times: number) => Math.max(Math.min(Math.exp(times), 20_000), 1_000),
});

const clients = new Map<string, Redis>();

function shared(role: ConnectionRole, config: RedisSettings): Redis {
  const id = `${role} ${config.redis.url}`;
  let client = clients.get(id);
  if (!client || client.status === 'end') {
    const options = role === 'producer' ? PRODUCER_REDIS_OPTIONS : WORKER_REDIS_OPTIONS;
    client = new Redis(config.redis.url, { ...options, connectionName: `li2fa-${role}` });
    // Errors surface through the commands that fail; without a listener ioredis would also
    // print every reconnect attempt as an unhandled 'error' event.
    client.on('error', () => undefined);
    clients.set(id, client);
  }
  return client;
}

/** The shared fail-fast client for enqueuing (Queue, producer, client). */
export function producerConnection(config: RedisSettings): Redis {
  return shared('producer', config);
}

/** The shared wait-forever client for Worker and QueueEvents. */
export function workerConnection(config: RedisSettings): Redis {
  return shared('worker', config);
}

/**
 * A new, unshared client with the given role's options, for callers that must own their
 * connection (QueueEvents in a short-lived client, tests). The caller closes it.
 */
export function dedicatedConnection(role: ConnectionRole, config: RedisSettings): Redis {
  const options = role === 'producer' ? PRODUCER_REDIS_OPTIONS : WORKER_REDIS_OPTIONS;
  const client = new Redis(config.redis.url, { ...options, connectionName: `li2fa-${role}` });
  client.on('error', () => undefined);
  return client;
}

/**
 * Connection *options* (not a client) with the worker role's settings, for a BullMQ object that
 * should own and close its connection itself (a short-lived QueueEvents per wait).
 */
export function ownedWorkerConnectionOptions(config: RedisSettings): BullRedisOptions {
  return {
    url: config.redis.url,
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => Math.max(Math.min(Math.exp(times), 20_000), 1_000),
  };
}

/** Closes the shared clients of one role, or of every role. Safe to call twice. */
export async function closeConnections(role?: ConnectionRole): Promise<void> {
  const closing: Array<Promise<unknown>> = [];
  for (const [id, client] of clients) {
    if (role && !id.startsWith(`${role} `)) continue;
    clients.delete(id);
    closing.push(client.quit().catch(() => client.disconnect()));
  }
  await Promise.all(closing);
}
