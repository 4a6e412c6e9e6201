/** `account:show <id>`: an account's connection and 2FA state, desired state and key versions. */
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

const USAGE = `Usage: npm run cli -- account:show <account-id> [--json]

Prints the account's status, its two-step verification state, the desired state, the key
versions (never their material), when it was last checked, challenged or failed, and when
its scheduled session check runs next.

  --json   print {account, desired, keys, nextCheckAt} as JSON`;

const OPTIONS = { json: { type: 'boolean' } } as const;

/** The human-readable lines of an account view. */
export function formatAccountView({ account: a, desired, keys, nextCheckAt }: AccountView): string {
  const tf = a.twoFactor;
  const rows: Array<[string, string]> = [
    ['account', a.id],
    ['tenant', `${a.tenantId} / external id ${a.externalId}`],
    ['email', a.email ?? '-'],
    ['status', `${a.status}${a.statusReason ? ` (${a.statusReason})` : ''}: ${a.statusMessage}`],
    [
      'credentials',
      `password ${a.hasPassword ? 'yes' : 'no'}, cookies ${a.hasCookies ? 'yes' : 'no'}`,
    ],
    ['proxy', a.proxyUrl ?? '-'],
    [
      '2fa',
      `${tf.state}${tf.reason ? ` (${tf.reason})` : ''}${tf.message ? `: ${tf.message}` : ''}`,
    ],
    ['owner copy', tf.ownerHasCopy ? 'yes' : 'no'],
    ['desired', desired ?? '-'],
    ['email code', a.hasEmailCode ? `waiting since ${when(a.emailCodeAt)}` : '-'],
    [
      'keys',
      keys.length === 0
        ? '-'
        : keys
            .map((k) => `v${k.version} ${k.state} (${k.source}, created ${when(k.createdAt)})`)
            .join('\n' + ' '.repeat(16)),
    ],
    ['last check', when(a.lastCheckAt)],
    ['last challenge', when(a.lastChallengeAt)],
    ['last failure', when(a.lastFailureAt)],
    ['next check', nextCheckAt ? when(nextCheckAt) : 'not scheduled'],
  ];
  return rows.map(([k, v]) => `${k.padEnd(16)}${v}`).join('\n') + '\n';
}

/** Builds `account:show` on its dependencies. */
export function createAccountShowCommand(deps: FleetCommandDeps): CliCommand {
  return {
    name: 'account:show',
    summary: "Show an account's status, 2FA state, desired state and key versions",
    usage: USAGE,
    async run(args, io) {
      const parsed = parseCommandArgs(args, OPTIONS, ['<account-id>']);
      const view = await withContext(deps, (ctx) => ctx.client.getAccount(parsed.positionals[0]!));
      io.out(flag(parsed, 'json') ? json(view) : formatAccountView(view));
      return 0;
    },
  };
}
