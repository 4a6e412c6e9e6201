/**
 * `2fa:confirm-owner <id> <code>`: the owner types the code their authenticator app shows, to
 * prove they hold a copy of the key. The code is checked locally, never sent to LinkedIn.
 */
import type { CliCommand } from '../lib-cli';
import { cliMeta, parseCommandArgs, withContext, type FleetCommandDeps } from './fleet-common';

const USAGE = `Usage: npm run cli -- 2fa:confirm-owner <account-id> <code>

Checks a 6-digit code from the owner's authenticator app against the account's active key
and records that the owner holds a copy. Exit 1 with owner_code_mismatch when it does not match.`;

/** Builds `2fa:confirm-owner` on its dependencies. */
export function createConfirmOwnerCommand(deps: FleetCommandDeps): CliCommand {
  return {
    name: '2fa:confirm-owner',
    summary: "Check a code from the owner's authenticator app; records that they hold the key",
    usage: USAGE,
    async run(args, io) {
      const parsed = parseCommandArgs(args, {}, ['<account-id>', '<code>']);
      const [accountId, code] = parsed.positionals as [string, string];
      await withContext(deps, (ctx) => ctx.client.confirmOwnerCopy(accountId, code, cliMeta()));
      io.out('owner holds a copy of the key\n');
      return 0;
    },
  };
}
