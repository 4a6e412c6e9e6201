/**
 * `keys:rotate`: re-seals every stored secret whose key version is not its ring's current
 * version. Safe to interrupt and re-run: writes are compare-and-set, current values are skipped.
 *
 * Prints progress to stderr and the counts to stdout; never a value. Exit 0 when everything
 * that needed it was re-sealed, 1 when any value could not be opened.
 */
import { loadConfig as loadConfigFromEnv, type Config } from '../../shared/config';
import { createVault } from '../../shared/crypto';
import {
  connectMongo,
  createRepositories,
  disconnectMongo,
  rotateSecrets,
  type RotationCounts,
  type RotationReport,
} from '../../shared/db';
import { ValidationError } from '../../shared/errors';
import type { Connection } from 'mongoose';
import type { CliCommand, CliIO } from '../lib-cli';

/** Documents per batch by default: quick to redo after a crash, few round trips. */
const DEFAULT_BATCH_SIZE = 100;
/** Upper bound: one batch of sealed cookie jars must stay a modest amount of memory. */
const MAX_BATCH_SIZE = 10_000;

const USAGE = `Usage: npm run cli -- keys:rotate [--dry-run] [--batch-size N]

Re-seals account passwords, cookies, proxy credentials, two-factor keys and recovery codes
under the current version of their key ring (SECRET_KEYS_CURRENT / CREDENTIAL_KEYS_CURRENT).
Keep the old version in the ring until this reports 0 failed; then raise *_MIN_VERSION.

  --dry-run       open and count, write nothing
  --batch-size N  documents per batch, 1-${MAX_BATCH_SIZE} (default ${DEFAULT_BATCH_SIZE})

Exit code 0 when done, 1 when some values could not be opened (counted by error code).`;

/** Parsed options of one run. */
export interface KeysRotateOptions {
  readonly dryRun: boolean;
  readonly batchSize: number;
}

/** Parses the command's arguments; throws ValidationError on anything unknown. */
export function parseKeysRotateArgs(args: readonly string[]): KeysRotateOptions {
  let dryRun = false;
  let batchSize = DEFAULT_BATCH_SIZE;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--dry-run') {
      dryRun = true;
    } else if (arg === '--batch-size' || arg.startsWith('--batch-size=')) {
      const text = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[++i];
      const n = Number(text);
      if (!/^\d+$/.test(text ?? '') || n < 1 || n > MAX_BATCH_SIZE) {
        throw new ValidationError(`--batch-size must be an integer from 1 to ${MAX_BATCH_SIZE}`);
      }
      batchSize = n;
    } else {
      // Not echoed (as in cli.ts): a stray argument may be something pasted by mistake.
      throw new ValidationError('unknown argument; expected --dry-run or --batch-size N');
    }
  }
  return { dryRun, batchSize };
}

/** What the command needs from the outside world; tests pass their own connection. */
export interface KeysRotateDeps {
  readonly loadConfig: () => Config;
  readonly connect: (mongo: Config['mongo']) => Promise<Connection>;
  readonly disconnect: () => Promise<void>;
}

const LABEL = { accounts: 'accounts', twoFactorKeys: 'two-factor keys' } as const;

function line(label: string, c: RotationCounts, dryRun: boolean): string {
  const verb = dryRun ? 'would reseal' : 'resealed';
  return (
    `${label}: scanned ${c.scanned}, ${verb} ${c.resealed}, already current ${c.current}, ` +
    `failed ${c.failed}, changed meanwhile ${c.conflicts}`
  );
}

function printReport(io: CliIO, report: RotationReport, versions: string): void {
  const failures = Object.entries(report.failuresByCode)
    .map(([code, n]) => `${code} ${n}`)
    .join(', ');
  io.out(
    [
      `${report.dryRun ? 'Dry run (nothing written)' : 'Rotation finished'}; ${versions}`,
      line(LABEL.accounts, report.accounts, report.dryRun),
      line(LABEL.twoFactorKeys, report.twoFactorKeys, report.dryRun),
      ...(failures ? [`failed by code: ${failures}`] : []),
      '',
    ].join('\n'),
  );
}

/** Builds the command around its dependencies (the exported `command` uses the real ones). */
export function createKeysRotateCommand(deps: KeysRotateDeps): CliCommand {
  return {
    name: 'keys:rotate',
    summary: 'Re-seal stored secrets under the current key versions (resumable, idempotent)',
    usage: USAGE,
    async run(args, io) {
      const options = parseKeysRotateArgs(args);
      const config = deps.loadConfig();
      const vault = createVault(config);
      const versions =
        `current versions: secret ring v${vault.currentVersions.secret}, ` +
        `credential ring v${vault.currentVersions.credential}`;
      const connection = await deps.connect(config.mongo);
      try {
        const repos = await createRepositories(connection);
        const report = await rotateSecrets(
          { vault, accounts: repos.accounts, twoFactorKeys: repos.twoFactorKeys },
          {
            ...options,
            onProgress: ({ collection, batch, counts }) =>
              io.err(`${line(`${LABEL[collection]} batch ${batch}`, counts, options.dryRun)}\n`),
          },
        );
        printReport(io, report, versions);
        const failed = report.accounts.failed + report.twoFactorKeys.failed;
        if (failed > 0) {
          io.err(
            `${failed} value(s) could not be opened; keep their key versions in the ring and ` +
              'investigate before raising *_MIN_VERSION.\n',
          );
        }
        return failed > 0 ? 1 : 0;
      } finally {
        await deps.disconnect();
      }
    },
  };
}

/** The `keys:rotate` command, on `loadConfig()` and the default mongoose connection. */
export const command: CliCommand = createKeysRotateCommand({
  loadConfig: () => loadConfigFromEnv(),
  connect: connectMongo,
  disconnect: disconnectMongo,
});
