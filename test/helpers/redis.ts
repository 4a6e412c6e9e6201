/**
 * A random BullMQ prefix per test file on the configured REDIS_URL (BullMQ's own tests use a
 * random queue per test), with every key under it deleted afterwards.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { loadConfig, type Config } from '../../shared/config';

/** A config whose REDIS_PREFIX is unique to this test file, plus cleanup. */
export interface TestRedis {
  readonly config: Config;
  readonly prefix: string;
  /** A plain client for assertions (SCAN, TYPE); closed by `cleanup`. */
  readonly redis: Redis;
  /** Every key under the prefix. */
  keys(): Promise<string[]>;
  /** Deletes every key under the prefix and closes the assertion client. */
  cleanup(): Promise<void>;
}

/** Creates a `li2fa-test-<12 hex>` prefix (6 random bytes: no clash between parallel files). */
export function openTestRedis(): TestRedis {
  const base = loadConfig();
  const prefix = `li2fa-test-${randomBytes(6).toString('hex')}`;
  const config: Config = Object.freeze({
    ...base,
    redis: Object.freeze({ ...base.redis, prefix }),
  });
  const redis = new Redis(config.redis.url, { maxRetriesPerRequest: 1 });

  const keys = async (): Promise<string[]> => {
    const found: string[] = [];
    let cursor = '0';
    do {
      // 500 keys per SCAN round trip: a test file makes a few hundred at most.
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      found.push(...batch);
    } while (cursor !== '0');
    return found;
  };

  return {
    config,
    prefix,
    redis,
    keys,
    async cleanup() {
      try {
        const all = await keys();
        if (all.length > 0) await redis.del(...all);
      } finally {
        await redis.quit();
      }
    },
  };
}

/**
 * Polls until `job` reaches one of `states` (every 25 ms: fast against a local Redis, light on
 * the CPU) or `timeoutMs` passes; returns the state reached.
 */
export async function waitForJobState(
  queue: { getJobState(id: string): Promise<string> },
  jobId: string,
  states: readonly string[],
  timeoutMs = 10_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await queue.getJobState(jobId);
    if (states.includes(state)) return state;
    if (Date.now() > deadline) {
      throw new Error(`job ${jobId} is ${state}, not ${states.join('/')}, after ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}
