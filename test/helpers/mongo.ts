/**
 * An isolated database per test file: a fresh random name on the configured MONGO_URL
 * (graphile-worker's DB-per-run idea), dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';
import { loadConfig } from '../../shared/config';
import { createMongoConnection } from '../../shared/db/connect';
import { createRepositories, type Repositories } from '../../shared/db/repositories';

/** An open connection to a throwaway database. */
export interface TestDatabase {
  readonly dbName: string;
  readonly connection: Connection;
  /** Drops the database and closes the connection. */
  drop(): Promise<void>;
}

/** Opens a connection to `li2fa_test_<16 hex>` (8 random bytes: no clash between runs). */
export async function openTestDatabase(): Promise<TestDatabase> {
  const dbName = `li2fa_test_${randomBytes(8).toString('hex')}`;
  const connection = await createMongoConnection(loadConfig().mongo, { dbName });
  return {
    dbName,
    connection,
    async drop() {
      try {
        await connection.dropDatabase();
      } finally {
        await connection.close();
      }
    },
  };
}

/** A test database plus repositories bound to it (indexes built). */
export async function openTestRepositories(): Promise<TestDatabase & { repos: Repositories }> {
  const db = await openTestDatabase();
  try {
    return { ...db, repos: await createRepositories(db.connection) };
  } catch (err) {
    await db.drop();
    throw err;
  }
}

/**
 * Registers a test database with repositories for the file (`per: 'file'`) or for each test
 * (`per: 'test'`), handed to `assign` once open and dropped afterwards.
 */
export function useTestRepositories(
  per: 'file' | 'test',
  assign: (db: TestDatabase & { repos: Repositories }) => void,
): void {
  let db: TestDatabase | undefined;
  const open = async () => {
    const opened = await openTestRepositories();
    db = opened;
    assign(opened);
  };
  const drop = async () => {
    await db?.drop();
    db = undefined;
  };
  if (per === 'file') {
    beforeAll(open);
    afterAll(drop);
  } else {
    beforeEach(open);
    afterEach(drop);
  }
}
