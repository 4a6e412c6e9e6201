/**
 * `2fa:code:submit <id> <code>`: hands the code LinkedIn e-mailed the owner to the job waiting
 * for it (a parked job runs at once). The code is sealed; it is never printed.
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

/** Default `--timeout`: the rest of an enrollment after the identity check. */
const DEFAULT_TIMEOUT_S = 600;

const USAGE = `Usage: npm run cli -- 2fa:code:submit <account-id> <code | -> [--wait] [--timeout SECONDS]

Submits the verification code LinkedIn e-mailed to the account's owner (4-8 digits) and wakes
the job waiting for it. Prints the job id.

  -                    read the code from stdin
  --wait               follow the job and print how it ended
  --timeout SECONDS    how long --wait waits (default ${DEFAULT_TIMEOUT_S})`;

const OPTIONS = { wait: { type: 'boolean' }, timeout: { type: 'string' } } as const;

/** Builds `2fa:code:submit` on its dependencies. */
export function createCodeSubmitCommand(deps: FleetCommandDeps): CliCommand {
  return {
    name: '2fa:code:submit',
    summary: 'Submit the code LinkedIn e-mailed the owner; wakes the waiting job',
    usage: USAGE,
    async run(args, io) {
      const parsed = parseCommandArgs(args, OPTIONS, ['<account-id>', '<code>']);
      const timeoutMs = timeoutMsOf(parsed, DEFAULT_TIMEOUT_S);
      const [accountId, given] = parsed.positionals as [string, string];
      const code = given === '-' ? (await deps.readStdin()).trim() : given;
      return withContext(deps, async (ctx) => {
        const { jobId, promoted } = await ctx.client.submitEmailCode(accountId, code, cliMeta());
        io.out(`job ${jobId}${promoted ? ' (woken)' : ''}\n`);
        return flag(parsed, 'wait') ? waitAndReport(ctx, io, jobId, timeoutMs) : 0;
      });
    },
  };
}
