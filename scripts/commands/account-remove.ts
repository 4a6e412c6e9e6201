/**
 * `account:remove <id>`: removes an account (schedule, keys with their material, credentials);
 * the audit trail stays. Refused (exit 1) while two-step verification is changing, and while
 * the account has an active key its owner has not confirmed holding (`2fa:confirm-owner`).
 */
import type { CliCommand } from '../lib-cli';
import { cliMeta, parseCommandArgs, withContext, type FleetCommandDeps } from './fleet-common';

const USAGE = `Usage: npm run cli -- account:remove <account-id>

Removes the account: its scheduled session checks, its keys (revoked, material destroyed) and
its stored credentials. The audit trail is kept. Refused with "owner_copy_required" while an
active key is one the owner has not confirmed holding (turn two-step verification off first,
or run 2fa:confirm-owner), and with "two_factor_busy" while it is being changed.`;

/** Builds `account:remove` on its dependencies. */
export function createAccountRemoveCommand(deps: FleetCommandDeps): CliCommand {
  return {
    name: 'account:remove',
    summary: 'Remove an account (refused while that could lock the owner out)',
    usage: USAGE,
    async run(args, io) {
      const parsed = parseCommandArgs(args, {}, ['<account-id>']);
      const id = parsed.positionals[0]!;
      await withContext(deps, (ctx) => ctx.client.removeAccount(id, cliMeta()));
      io.out(`removed ${id}\n`);
      return 0;
    },
  };
}
