/**
 * Keeping an account connected from the command line: `session:check <id> [--wait]` enqueues a
 * session check (the challenge worker signs in and answers LinkedIn's prompts when the session
 * is gone); `2fa:code <id>` prints a fresh code for someone to type by hand, claimed and
 * audited like a worker's.
 */
import { QueueName } from '../../queues/names';
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

/** Default `--timeout`: a check is a login, plus the owner's app approval at most. */
const DEFAULT_TIMEOUT_S = 300;

const CHECK_USAGE = `Usage: npm run cli -- session:check <account-id> [--wait] [--timeout SECONDS]

Enqueues a session check: the challenge worker (npm run worker:challenge) opens LinkedIn with
the stored cookies and, when the session is gone, signs in and answers the verification prompts.
Prints the job id.

  --wait               follow the job: print each step and how it ended (exit 1 with
                       "code: message" when it failed, e.g. captcha or email_pin)
  --timeout SECONDS    how long --wait waits (default ${DEFAULT_TIMEOUT_S}); the job itself goes on`;

const CODE_USAGE = `Usage: npm run cli -- 2fa:code <account-id>

Prints a fresh code of the account's active key and the seconds it has left, for typing into a
LinkedIn prompt by hand. The code's time step is claimed (no worker will use it) and the use is
audited. Never paste it anywhere else.`;

const CHECK_OPTIONS = { wait: { type: 'boolean' }, timeout: { type: 'string' } } as const;

/** Builds `session:check` and `2fa:code` on their dependencies. */
export function createSessionCommands(deps: FleetCommandDeps): CliCommand[] {
  const check: CliCommand = {
    name: 'session:check',
    summary: 'Check the account is still signed in; sign in and answer LinkedIn if not',
    usage: CHECK_USAGE,
    async run(args, io) {
      const parsed = parseCommandArgs(args, CHECK_OPTIONS, ['<account-id>']);
      const timeoutMs = timeoutMsOf(parsed, DEFAULT_TIMEOUT_S);
      const accountId = parsed.positionals[0]!;
      return withContext(deps, async (ctx) => {
        const r = await ctx.client.checkSession(accountId, cliMeta());
        io.out(`job ${r.jobId}${r.deduplicated ? ' (already queued)' : ''}\n`);
        return flag(parsed, 'wait')
          ? waitAndReport(ctx, io, r.jobId, timeoutMs, QueueName.SessionCheck)
          : 0;
      });
    },
  };
  const code: CliCommand = {
    name: '2fa:code',
    summary: 'Print a fresh code of the active key (claimed and audited)',
    usage: CODE_USAGE,
    async run(args, io) {
      const parsed = parseCommandArgs(args, {}, ['<account-id>']);
      const c = await withContext(deps, (ctx) =>
        ctx.client.codeNow(parsed.positionals[0]!, cliMeta()),
      );
      io.out(`${c.code}\n${c.remainingSeconds} s left (key v${c.keyVersion})\n`);
      return 0;
    },
  };
  return [check, code];
}
