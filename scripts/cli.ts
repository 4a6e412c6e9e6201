/**
 * The one CLI entry: `npm run cli -- <command> [args]`. Commands are small modules in
 * `scripts/commands/`, registered in {@link COMMANDS} below (explicitly, so `--help` and the
 * dispatcher can never disagree with what exists).
 *
 * Exit codes: 0 success, 1 failure (a permanent one printed as `<code>: <message>`), 2 bad usage,
 * bad input or bad configuration.
 *
 * The fleet commands (`account:*`, `2fa:*`) open their context (Mongo, Redis, vault, client)
 * through a {@link FleetContextFactory}; `runCli(argv, io, { openContext })` swaps it, which is
 * how tests run them on an isolated database and Redis prefix.
 */
import { applyEnvFile, ConfigError, loadConfig } from '../shared/config';
import { NeedsHumanError, PermanentError, ValidationError } from '../shared/errors';
import { createAccountAddCommand } from './commands/account-add';
import { createAccountRemoveCommand } from './commands/account-remove';
import { createAccountShowCommand } from './commands/account-show';
import { readProcessStdin, type FleetCommandDeps } from './commands/fleet-common';
import { command as keysRotate } from './commands/keys-rotate';
import { createScreensCommands } from './commands/screens';
import { createSessionCommands } from './commands/session';
import { command as totp } from './commands/totp';
import { createCodeSubmitCommand } from './commands/two-factor-code-submit';
import { createConfirmOwnerCommand } from './commands/two-factor-confirm-owner';
import { createImportCommand } from './commands/two-factor-import';
import { createQrCommand } from './commands/two-factor-qr';
import { createStatusCommand } from './commands/two-factor-status';
import { createDisableCommand, createEnableCommand } from './commands/two-factor-toggle';
import { openFleetContext, type FleetContextFactory } from './lib/fleet-context';
import type { CliCommand, CliIO } from './lib-cli';

/** Every command on the given fleet dependencies, in the order `--help` lists them. */
export function createCommands(deps: FleetCommandDeps): readonly CliCommand[] {
  return [
    totp,
    keysRotate,
    createAccountAddCommand(deps),
    createAccountShowCommand(deps),
    createAccountRemoveCommand(deps),
    createEnableCommand(deps),
    createDisableCommand(deps),
    createStatusCommand(deps),
    createCodeSubmitCommand(deps),
    createImportCommand(deps),
    createQrCommand(deps),
    createConfirmOwnerCommand(deps),
    ...createSessionCommands(deps),
    ...createScreensCommands(deps),
  ];
}

/** Every command, on the real context and stdin. */
export const COMMANDS: readonly CliCommand[] = createCommands({
  openContext: () => openFleetContext(),
  readStdin: readProcessStdin,
});

/** Exit code for wrong usage, invalid input or invalid configuration (the caller's to fix). */
export const EXIT_USAGE = 2;
/** Exit code for anything unexpected. */
export const EXIT_FAILURE = 1;

const HELP_FLAGS = new Set(['--help', '-h']);

function overview(commands: readonly CliCommand[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: npm run cli -- <command> [args]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `npm run cli -- <command> --help` for the usage of one command.',
    '',
  ].join('\n');
}

/** True when LOG_LEVEL asks for detail; a broken configuration means no. */
function logLevelIsDebug(): boolean {
  try {
    return ['debug', 'trace'].includes(loadConfig().log.level);
  } catch {
    return false;
  }
}

/** Options of {@link runCli}; the defaults are what the real entry uses. */
export interface RunCliOptions {
  /** The commands to dispatch to (default {@link COMMANDS}). */
  readonly commands?: readonly CliCommand[];
  /** Whether an unexpected error prints its stack (default: LOG_LEVEL is debug or trace). */
  readonly showStack?: () => boolean;
  /**
   * Opens the fleet commands' context instead of the real one (ignored with `commands`);
   * tests pass a context on their own database and Redis prefix.
   */
  readonly openContext?: FleetContextFactory;
  /** Reads stdin for `--password-stdin` and `-` arguments (ignored with `commands`). */
  readonly readStdin?: () => Promise<string>;
}

/** `<code>: <message>`, plus when to retry and what to do when the error says. */
function typedFailure(err: PermanentError): string {
  const retryAfter = (err as { retryAfter?: unknown }).retryAfter;
  return [
    `${err.code}: ${err.message}`,
    ...(retryAfter instanceof Date ? [`retry after ${retryAfter.toISOString()}`] : []),
    ...(err instanceof NeedsHumanError && err.instruction ? [err.instruction] : []),
    '',
  ].join('\n');
}

/**
 * Dispatches `argv` (without node and script) to a command and maps what it throws to an exit
 * code: ValidationError and ConfigError print their message and give 2; other permanent typed
 * failures (not found, not active, cooldown, limits) print `<code>: <message>` (with the
 * retry-after time and the instruction when they carry one) and give 1; anything else,
 * transient and fatal errors included, prints one line (the stack only with LOG_LEVEL=debug or
 * trace) and gives 1.
 */
export async function runCli(
  argv: readonly string[],
  io: CliIO,
  options: RunCliOptions = {},
): Promise<number> {
  const { showStack = logLevelIsDebug } = options;
  const commands =
    options.commands ??
    (options.openContext || options.readStdin
      ? createCommands({
          openContext: options.openContext ?? (() => openFleetContext()),
          readStdin: options.readStdin ?? readProcessStdin,
        })
      : COMMANDS);
  const [name, ...args] = argv;
  if (name === undefined) {
    io.err(overview(commands));
    return EXIT_USAGE;
  }
  if (HELP_FLAGS.has(name) || name === 'help') {
    io.out(overview(commands));
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    // The unknown word is not echoed: an operator who forgot "totp" would have typed a key.
    io.err(
      `Unknown command; expected one of: ${commands.map((c) => c.name).join(', ')}.\n` +
        'Run `npm run cli -- --help` for a summary of each.\n',
    );
    return EXIT_USAGE;
  }
  if (args.some((a) => HELP_FLAGS.has(a))) {
    io.out(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(args, io);
  } catch (err) {
    if (err instanceof ValidationError) {
      io.err(`${command.name}: ${err.message}\nRun \`npm run cli -- ${command.name} --help\`.\n`);
      return EXIT_USAGE;
    }
    if (err instanceof ConfigError) {
      io.err(`${err.message}\n`);
      return EXIT_USAGE;
    }
    // A refusal the caller can act on; transient and fatal errors stay "unexpected" below.
    if (err instanceof PermanentError) {
      io.err(typedFailure(err));
      return EXIT_FAILURE;
    }
    const e = err instanceof Error ? err : new Error(String(err));
    const firstLine = e.message.split('\n', 1)[0] ?? '';
    io.err(
      showStack() && e.stack ? `${e.stack}\n` : `${command.name} failed: ${e.name}: ${firstLine}\n`,
    );
    return EXIT_FAILURE;
  }
}

/** Writes straight to the process streams (lint bans console). */
const processIO: CliIO = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

if (require.main === module) {
  // The variables `npm run services` wrote (REDIS_URL, MONGO_URL, ...) reach every command.
  applyEnvFile();
  void runCli(process.argv.slice(2), processIO).then((code) => {
    // exitCode, not exit(): lets piped stdout drain. Commands must close what they open.
    process.exitCode = code;
  });
}
