/**
 * `2fa:enable <id>` and `2fa:disable <id>`: ask for two-step verification on or off. Prints the
 * job id; with `--wait`, each step as it happens and how the job ended.
 */
import type { CliCommand } from '../lib-cli';
import {
  cliMeta,
  flag,
  parseCommandArgs,
  timeoutMsOf,
  waitAndReport,
  withContext,
  type FleetCommandDeps,
} from './fleet-common';

/** Default `--timeout`: an enrollment is a few browser minutes, plus the owner's app approval. */
const DEFAULT_TIMEOUT_S = 600;

const OPTIONS = { wait: { type: 'boolean' }, timeout: { type: 'string' } } as const;

function usage(name: string, what: string): string {
  return `Usage: npm run cli -- ${name} <account-id> [--wait] [--timeout SECONDS]

${what} Prints the job id.

  --wait               follow the job: print each step as it happens and how it ended
                       (exit 1 with "code: message" when it failed)
  --timeout SECONDS    how long --wait waits (default ${DEFAULT_TIMEOUT_S}); the job itself goes on

Refused (exit 1) with "toggle_cooldown: ..." and a "retry after <time>" line when two-step
verification was changed too recently or too often today.`;
}

function createToggle(deps: FleetCommandDeps, desired: 'on' | 'off'): CliCommand {
  const name = desired === 'on' ? '2fa:enable' : '2fa:disable';
  return {
    name,
    summary:
      desired === 'on'
        ? 'Turn LinkedIn two-step verification on (the account must be active)'
        : 'Turn LinkedIn two-step verification off',
    usage: usage(
      name,
      desired === 'on'
        ? 'Asks for LinkedIn two-step verification on, with this service as the authenticator app.'
        : 'Asks for LinkedIn two-step verification off.',
    ),
    async run(args, io) {
      const parsed = parseCommandArgs(args, OPTIONS, ['<account-id>']);
      const timeoutMs = timeoutMsOf(parsed, DEFAULT_TIMEOUT_S);
      const accountId = parsed.positionals[0]!;
      return withContext(deps, async (ctx) => {
        const meta = cliMeta();
        const result =
          desired === 'on'
            ? await ctx.client.enable(accountId, meta)
            : await ctx.client.disable(accountId, meta);
        io.out(`job ${result.jobId}${result.deduplicated ? ' (already queued)' : ''}\n`);
        return flag(parsed, 'wait') ? waitAndReport(ctx, io, result.jobId, timeoutMs) : 0;
      });
    },
  };
}

/** Builds `2fa:enable` on its dependencies. */
export const createEnableCommand = (deps: FleetCommandDeps): CliCommand => createToggle(deps, 'on');

/** Builds `2fa:disable` on its dependencies. */
export const createDisableCommand = (deps: FleetCommandDeps): CliCommand =>
  createToggle(deps, 'off');
