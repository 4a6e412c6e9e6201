/**
 * `npm run services [-- --stop | --quiet | --isolated | --dev-dir DIR]`
 *
 * Finds or starts Redis, a MongoDB-wire server and Chromium for development, tests, CI and the
 * demo, and writes their variables to `.dev/services.env`. See scripts/lib/services.ts.
 */
import { resolve } from 'node:path';
import { SERVICES_ENV_FILE, serviceOverrides } from '../shared/config';
import { ensureServices, stopServices } from './lib/services';

const USAGE = `usage: npm run services [-- --stop] [--quiet] [--isolated] [--dev-dir DIR]
  (no flag)   find or start Redis, a MongoDB-wire server and Chromium; write .dev/services.env
  --stop      stop only the processes this script started
  --quiet     print only what was started
  --isolated  never reuse the machine's default ports; start our own servers
  --dev-dir   where state, logs and data live (default .dev/)`;

async function main(argv: readonly string[]): Promise<number> {
  const flags = new Set(argv.filter((a) => a.startsWith('--')));
  const devDirAt = argv.indexOf('--dev-dir');
  const devDir =
    devDirAt >= 0 && argv[devDirAt + 1]
      ? resolve(argv[devDirAt + 1]!)
      : resolve(SERVICES_ENV_FILE, '..');
  const known = new Set(['--stop', '--quiet', '--isolated', '--dev-dir', '--help']);
  const unknown = [...flags].filter((f) => !known.has(f));
  if (flags.has('--help') || unknown.length > 0) {
    process.stderr.write(
      `${unknown.length ? `unknown flag ${unknown.join(' ')}\n` : ''}${USAGE}\n`,
    );
    return unknown.length ? 2 : 0;
  }
  const quiet = flags.has('--quiet');
  const say = (line: string) => process.stdout.write(`services: ${line}\n`);

  if (flags.has('--stop')) {
    const stopped = await stopServices(devDir);
    say(
      stopped.length
        ? `stopped ${stopped.map((s) => `${s.name} (pid ${s.pid})`).join(', ')}`
        : 'nothing of ours was running',
    );
    return 0;
  }

  const result = await ensureServices({
    devDir,
    isolated: flags.has('--isolated'),
    overrides: serviceOverrides(),
    say,
  });
  if (result.startedNow.length === 0 && !quiet)
    say('everything was already running; started nothing');
  if (!quiet) {
    say(`wrote ${result.envFile}:`);
    for (const [k, v] of Object.entries(result.env)) process.stdout.write(`${k}=${v}\n`);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`services: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
