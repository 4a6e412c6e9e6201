/**
 * `npm run services` is idempotent and `--stop` ends only its own processes. Runs the real
 * script, isolated (its own ports and dev folder), so the services other tests use stay up.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { currentEnv, loadConfig, parseEnvFile } from '../../shared/config';
import { isAlive } from '../../scripts/lib/processes';
import { mongoAnswers, redisAnswers } from '../../scripts/lib/services';

const exec = promisify(execFile);
const root = resolve(__dirname, '../..');
const tsx = join(root, 'node_modules/tsx/dist/cli.mjs');

async function services(devDir: string, ...flags: string[]): Promise<string> {
  const { stdout } = await exec(
    process.execPath,
    [tsx, 'scripts/services.ts', '--dev-dir', devDir, ...flags],
    {
      cwd: root,
      // A URL the caller set would be reused; this test wants the script to start its own.
      env: currentEnv({ REDIS_URL: '', MONGO_URL: '' }),
      timeout: 240_000,
    },
  );
  return stdout;
}

describe('npm run services', () => {
  const devDir = mkdtempSync(join(tmpdir(), 'li2fa-services-'));
  afterAll(async () => {
    await services(devDir, '--stop').catch(() => undefined);
    rmSync(devDir, { recursive: true, force: true });
  });

  it('starts what is missing once, reuses it the second time, and stops only its own', async () => {
    const first = await services(devDir, '--isolated');
    expect(first).toMatch(/started redis-server \(pid \d+\)/);
    expect(first).toMatch(/started (ferretdb|mongod) \(pid \d+\)/);
    const env = parseEnvFile(readFileSync(join(devDir, 'services.env'), 'utf8'));
    expect(await redisAnswers(env.REDIS_URL!)).toBe(true);
    expect(await mongoAnswers(env.MONGO_URL!)).toBe(true);
    expect(env.CHROMIUM_PATH).toMatch(/chrom/);
    const pids = (
      JSON.parse(readFileSync(join(devDir, 'services.json'), 'utf8')) as {
        started: { pid: number }[];
      }
    ).started.map((s) => s.pid);
    expect(pids).toHaveLength(2);

    const second = await services(devDir, '--isolated');
    expect(second).toContain('started nothing');
    expect(second).not.toMatch(/started (redis-server|ferretdb|mongod) \(/);
    expect(parseEnvFile(readFileSync(join(devDir, 'services.env'), 'utf8'))).toEqual(env);

    const stopped = await services(devDir, '--stop');
    expect(stopped).toMatch(/stopped redis \(pid \d+\), (ferretdb|mongod) \(pid \d+\)/);
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
    // The services the rest of the suite uses were not ours to stop.
    expect(await redisAnswers(loadConfig().redis.url)).toBe(true);
    expect(await mongoAnswers(loadConfig().mongo.url)).toBe(true);
  }, 300_000);
});
