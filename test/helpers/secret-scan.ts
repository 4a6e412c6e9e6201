/**
 * Looks for secrets where they must never be in the clear: every key under a test's Redis
 * prefix (read by its TYPE), every document of every collection of its database, and the
 * captured log lines. Each secret is searched in the spellings that would betray it (as is,
 * lower and upper case, base64, base64url, hex); digit-only secrets (e-mailed codes) only
 * as a whole number, so timestamps that contain the same digits do not count.
 */
import type { Redis } from 'ioredis';
import type { Connection } from 'mongoose';

/** Where a secret was found: `redis <key>`, `mongo <collection>` or `logs`. */
export type Leak = { readonly secret: string; readonly where: string };

function spellings(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  return [
    ...new Set([
      secret,
      secret.toLowerCase(),
      secret.toUpperCase(),
      bytes.toString('base64').replace(/=+$/, ''),
      bytes.toString('base64url'),
      bytes.toString('hex'),
    ]),
  ];
}

function find(text: string, secret: string): boolean {
  if (/^\d+$/.test(secret)) return new RegExp(`(?<!\\d)${secret}(?!\\d)`).test(text);
  return spellings(secret).some((s) => text.includes(s));
}

/** The value of one Redis key as text, whatever its type. */
async function redisValue(redis: Redis, key: string): Promise<string> {
  const type = await redis.type(key);
  switch (type) {
    case 'string':
      return (await redis.get(key)) ?? '';
    case 'hash':
      return JSON.stringify(await redis.hgetall(key));
    case 'list':
      return JSON.stringify(await redis.lrange(key, 0, -1));
    case 'set':
      return JSON.stringify(await redis.smembers(key));
    case 'zset':
      return JSON.stringify(await redis.zrange(key, '0', '-1', 'WITHSCORES'));
    case 'stream':
      return JSON.stringify(await redis.xrange(key, '-', '+'));
    case 'none':
      return '';
    default:
      throw new Error(`secret scan: Redis key ${key} has unhandled type ${type}`);
  }
}

/** Every place one of `secrets` appears; `counts` says how much was read. */
export async function scanForSecrets(opts: {
  secrets: readonly string[];
  redis: Redis;
  redisKeys: readonly string[];
  connection: Connection;
  logs: string;
}): Promise<{ leaks: Leak[]; counts: { redisKeys: number; documents: number; logBytes: number } }> {
  const secrets = opts.secrets.filter((s) => s.length >= 6);
  const leaks: Leak[] = [];
  const check = (text: string, where: string) => {
    for (const secret of secrets) if (find(text, secret)) leaks.push({ secret, where });
  };
  for (const key of opts.redisKeys) check(await redisValue(opts.redis, key), `redis ${key}`);
  let documents = 0;
  const db = opts.connection.db;
  if (!db) throw new Error('secret scan: the connection has no database');
  for (const { name } of await db.listCollections().toArray()) {
    for (const doc of await db.collection(name).find({}).toArray()) {
      documents++;
      const text = JSON.stringify(doc, (_k, v: unknown) =>
        v && typeof v === 'object' && 'buffer' in v && (v as { _bsontype?: string })._bsontype
          ? Buffer.from((v as { buffer: Uint8Array }).buffer).toString('base64')
          : v,
      );
      check(text, `mongo ${name}`);
    }
  }
  check(opts.logs, 'logs');
  return {
    leaks,
    counts: { redisKeys: opts.redisKeys.length, documents, logBytes: opts.logs.length },
  };
}
