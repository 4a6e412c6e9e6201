/**
 * `2fa:import <id> <key | otpauth-uri | ->`: the owner already uses LinkedIn 2FA with their own
 * app and gives us its key; a job proves it by a fresh login. The key is never printed.
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

/** Default `--timeout`: one fresh login through the 2FA prompt. */
const DEFAULT_TIMEOUT_S = 300;

const USAGE = `Usage: npm run cli -- 2fa:import <account-id> <key | otpauth-uri | -> [--wait] [--timeout SECONDS]

Imports the TOTP key of an account whose owner turned LinkedIn two-step verification on with
their own authenticator app, and enqueues its verification (a fresh login). Prints the job id
and the pending key version.

  <key>                base32 key; spaces, hyphens and lowercase are fine (quote it)
  <otpauth-uri>        otpauth://totp/...?secret=... (SHA1, 6 digits, 30 s only; quote it)
  -                    read the key from stdin, keeping it out of shell history and \`ps\`
  --wait               follow the verification and print how it ended
  --timeout SECONDS    how long --wait waits (default ${DEFAULT_TIMEOUT_S})`;

const OPTIONS = { wait: { type: 'boolean' }, timeout: { type: 'string' } } as const;

/** Builds `2fa:import` on its dependencies. */
export function createImportCommand(deps: FleetCommandDeps): CliCommand {
  return {
    name: '2fa:import',
    summary: 'Import the key of an owner-enabled 2FA and verify it by a fresh login',
    usage: USAGE,
    async run(args, io) {
      const parsed = parseCommandArgs(args, OPTIONS, ['<account-id>', '<key>']);
      const timeoutMs = timeoutMsOf(parsed, DEFAULT_TIMEOUT_S);
      const [accountId, given] = parsed.positionals as [string, string];
      const key = given === '-' ? (await deps.readStdin()).trim() : given;
      return withContext(deps, async (ctx) => {
        const { jobId, version } = await ctx.client.importKey(accountId, key, cliMeta());
        io.out(`job ${jobId} (verifying key version ${version})\n`);
        return flag(parsed, 'wait') ? waitAndReport(ctx, io, jobId, timeoutMs) : 0;
      });
    },
  };
}
