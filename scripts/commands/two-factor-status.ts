/** `2fa:status <id>`: only the two-step verification part of an account. */
import type { AccountView } from '../../queues/client';
import type { CliCommand } from '../lib-cli';
import {
  flag,
  json,
  parseCommandArgs,
  when,
  withContext,
  type FleetCommandDeps,
} from './fleet-common';

const USAGE = `Usage: npm run cli -- 2fa:status <account-id> [--json]

Prints the two-step verification state, its reason and message, whether the owner holds a
copy of the key, the desired state and the active key version.

  --json   print the same as JSON`;

const OPTIONS = { json: { type: 'boolean' } } as const;

/** The 2FA part of an account view. */
export function twoFactorStatusOf({ account, desired, keys }: AccountView) {
  const tf = account.twoFactor;
  return {
    accountId: account.id,
    state: tf.state,
    reason: tf.reason,
    message: tf.message,
    ownerHasCopy: tf.ownerHasCopy,
    desired,
    activeKeyVersion: keys.find((k) => k.state === 'active')?.version ?? null,
    emailCodeWaiting: account.hasEmailCode,
    updatedAt: tf.updatedAt,
  };
}

/** Builds `2fa:status` on its dependencies. */
export function createStatusCommand(deps: FleetCommandDeps): CliCommand {
  return {
    name: '2fa:status',
    summary: "Show an account's two-step verification state",
    usage: USAGE,
    async run(args, io) {
      const parsed = parseCommandArgs(args, OPTIONS, ['<account-id>']);
      const view = await withContext(deps, (ctx) => ctx.client.getAccount(parsed.positionals[0]!));
      const s = twoFactorStatusOf(view);
      io.out(
        flag(parsed, 'json')
          ? json(s)
          : [
              `state         ${s.state}${s.reason ? ` (${s.reason})` : ''}`,
              `message       ${s.message ?? '-'}`,
              `owner copy    ${s.ownerHasCopy ? 'yes' : 'no'}`,
              `desired       ${s.desired ?? '-'}`,
              `active key    ${s.activeKeyVersion === null ? '-' : `v${s.activeKeyVersion}`}`,
              `email code    ${s.emailCodeWaiting ? 'waiting for a worker' : '-'}`,
              `updated       ${when(s.updatedAt)}`,
              '',
            ].join('\n'),
      );
      return 0;
    },
  };
}
