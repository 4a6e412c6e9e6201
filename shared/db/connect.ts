/**
 * MongoDB connections. Processes call `connectMongo(config.mongo)` once (the default mongoose
 * connection); tests and tools that need isolation call `createMongoConnection` and bind models
 * to it with `createModels(connection)`.
 *
 * Works on MongoDB ≥ 6 and on FerretDB 1.24 (no transactions, TTL or partial indexes used).
 */
import mongoose, { type Connection, type ConnectOptions } from 'mongoose';
import type { Config } from '../config';
import { FatalWorkerError } from '../errors';

/** What connect needs from the configuration. */
export type MongoSettings = Config['mongo'];

/**
 * The URL with user, password and query string removed, safe for messages and logs.
 * Handles multi-host and `+srv` URLs, which WHATWG `URL` does not parse.
 */
export function redactMongoUrl(url: string): string {
  return url.replace(/^([a-z+]+:\/\/)[^@/]*@/i, '$1').replace(/\?.*$/, '');
}

function optionsOf(mongo: MongoSettings, dbName?: string): ConnectOptions {
  return {
    // One budget for both: fail fast at start-up instead of mongoose's 30 s default.
    serverSelectionTimeoutMS: mongo.connectTimeoutMs,
    connectTimeoutMS: mongo.connectTimeoutMs,
    ...(dbName === undefined ? {} : { dbName }),
  };
}

function unavailable(mongo: MongoSettings, cause: unknown): FatalWorkerError {
  return new FatalWorkerError(
    'database_unavailable',
    `cannot reach MongoDB at ${redactMongoUrl(mongo.url)} within ${mongo.connectTimeoutMs} ms`,
    { cause },
  );
}

/**
 * Connects mongoose's default connection. Throws FatalWorkerError `database_unavailable`
 * (naming the URL without credentials) when the server cannot be reached in time.
 */
export async function connectMongo(mongo: MongoSettings): Promise<Connection> {
  try {
    await mongoose.connect(mongo.url, optionsOf(mongo));
  } catch (err) {
    await mongoose.connection.close().catch(() => undefined);
    throw unavailable(mongo, err);
  }
  return mongoose.connection;
}

/**
 * Closes the default connection; safe to call when it was never opened. Deliberately not
 * `mongoose.disconnect()`, which would also close every `createMongoConnection` connection.
 */
export async function disconnectMongo(): Promise<void> {
  await mongoose.connection.close();
}

/**
 * Opens a separate connection, optionally to another database than the URL names (tests use
 * a random one). The caller owns it and must `close()` it.
 */
export async function createMongoConnection(
  mongo: MongoSettings,
  options: { dbName?: string } = {},
): Promise<Connection> {
  const connection = mongoose.createConnection(mongo.url, optionsOf(mongo, options.dbName));
  try {
    return await connection.asPromise();
  } catch (err) {
    await connection.close().catch(() => undefined);
    throw unavailable(mongo, err);
  }
}
