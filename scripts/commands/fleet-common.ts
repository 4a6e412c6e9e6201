/**
 * What the fleet commands (`account:*`, `2fa:*`) share: their injected dependencies, strict
 * argument parsing that never echoes what was typed, the context lifecycle, and `--wait`.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { JobOutcome, RequestMeta } from '../../queues/client';
import type { QueueName } from '../../queues/names';
import { ValidationError } from '../../shared/errors';
import type { FleetContext, FleetContextFactory } from '../lib/fleet-context';
import type { CliIO } from '../lib-cli';

/** What fleet commands get from outside; tests pass an isolated context and a fake stdin. */
export interface FleetCommandDeps {
  /** Opens the context of one run (see scripts/lib/fleet-context.ts). */
  readonly openContext: FleetContextFactory;
  /** The whole of stdin as text (for `--password-stdin` and `-` arguments). */
  readonly readStdin: () => Promise<string>;
}

/** Reads the process's stdin to the end. */
export async function readProcessStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The options table of one command, as node:util parseArgs takes it. */
export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Parsed arguments: option values by name, and the positionals. */
export interface ParsedArgs {
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: readonly string[];
}

/**
 * Strict parsing with node:util parseArgs. Problems become ValidationErrors that list what is
 * accepted and never repeat what was typed (a mistyped argument may be a pasted secret).
 * `positionals` names the expected positionals, for the count check and its message.
 */
export function parseCommandArgs(
  args: readonly string[],
  options: OptionSpec,
  positionals: readonly string[],
): ParsedArgs {
  const accepted = Object.entries(options)
    .map(([name, o]) => `--${name}${o.type === 'string' ? ' <value>' : ''}`)
    .join(', ');
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new ValidationError(
      code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE'
        ? `an option is missing its value, or was given one it does not take; options: ${accepted || 'none'}`
        : `unknown option; expected ${accepted || 'no options'}`,
    );
  }
  if (parsed.positionals.length !== positionals.length) {
    throw new ValidationError(
      `expected ${positionals.length} argument(s) (${positionals.join(' ') || 'none'}), ` +
        `got ${parsed.positionals.length}`,
    );
  }
  return {
    values: parsed.values as ParsedArgs['values'],
    positionals: parsed.positionals,
  };
}

/** A string option's value, or undefined. */
export function stringOption(parsed: ParsedArgs, name: string): string | undefined {
  const v = parsed.values[name];
  return typeof v === 'string' ? v : undefined;
}

/** A boolean option's value. */
export function flag(parsed: ParsedArgs, name: string): boolean {
  return parsed.values[name] === true;
}

/** The `--timeout SECONDS` of `--wait`, in ms. */
export function timeoutMsOf(parsed: ParsedArgs, defaultSeconds: number): number {
  const text = stringOption(parsed, 'timeout');
  if (text === undefined) return defaultSeconds * 1_000;
  // Up to a day: an enrollment waiting for the owner's e-mail code can take that long.
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 86_400) {
    throw new ValidationError('--timeout must be whole seconds from 1 to 86400', 'timeout');
  }
  return Number(text) * 1_000;
}

/** The request metadata of a CLI call: actor `cli`, a `cli-` correlation id. */
export function cliMeta(): RequestMeta {
  return { actor: 'cli', requestId: `cli-${randomUUID()}` };
}

/** Opens the context, runs `fn`, and closes the context whatever happens. */
export async function withContext<T>(
  deps: FleetCommandDeps,
  fn: (ctx: FleetContext) => Promise<T>,
): Promise<T> {
  const ctx = await deps.openContext();
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}

/** `2026-05-01T10:00:00.000Z`, or `-` for none. */
export function when(date: Date | null | undefined): string {
  return date ? date.toISOString() : '-';
}

/** JSON with a trailing newline (Dates as ISO strings, Buffers never passed here). */
export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * Follows a job: prints each progress step as it happens and how it ended. Returns the exit
 * code: 0 completed, 1 failed (the reason printed as `code: message` on stderr).
 */
export async function waitAndReport(
  ctx: FleetContext,
  io: CliIO,
  jobId: string,
  timeoutMs: number,
  queue?: QueueName,
): Promise<number> {
  const outcome: JobOutcome = await ctx.client.waitForOutcome(jobId, {
    timeoutMs,
    ...(queue ? { queue } : {}),
    onProgress: (step) => io.out(`step ${step}\n`),
  });
  if (outcome.status === 'failed') {
    io.err(`${outcome.code}: ${outcome.message}\n`);
    return 1;
  }
  const r = outcome.result;
  const what = r.status === 'done' ? (r.detail ?? '') : r.reason;
  io.out(
    `${r.status}${what ? ` ${what}` : ''}${r.desired ? ` (desired ${r.desired})` : ''}` +
      `${outcome.jobId !== jobId ? ` [follow-up job ${outcome.jobId}]` : ''}\n`,
  );
  return 0;
}
