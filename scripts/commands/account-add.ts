/**
 * `account:add`: registers an account through the fleet client. The password comes from stdin
 * (`--password-stdin`, kept out of shell history and `ps`) or, for throwaway test accounts,
 * `--password`; cookies from a file a browser exported. Prints the new id.
 */
import { readFile } from 'node:fs/promises';
import type { RegisterAccountInput } from '../../queues/client';
import { ValidationError } from '../../shared/errors';
import type { CliCommand } from '../lib-cli';
import {
  cliMeta,
  flag,
  json,
  parseCommandArgs,
  stringOption,
  withContext,
  type FleetCommandDeps,
} from './fleet-common';

const USAGE = `Usage: npm run cli -- account:add --tenant T --external-id X [options]

Registers a LinkedIn account and prints its id. Secrets are sealed before they are stored.

  --tenant T           the main app's tenant id
  --external-id X      the main app's id for the account (unique per tenant)
  --email E            the LinkedIn login e-mail (also the name shown in authenticator apps)
  --password-stdin     read the LinkedIn password from stdin (one line)
  --password P         the password as an argument (visible in shell history: tests only)
  --cookies-file F     a JSON array of cookies as exported by a browser
  --proxy URL          http://user:pass@host:port (also https, socks4, socks5)
  --status S           active | checking | disconnected (default checking; an account
                       without password and cookies is always incomplete)
  --json               print the account as JSON instead of its id`;

const OPTIONS = {
  tenant: { type: 'string' },
  'external-id': { type: 'string' },
  email: { type: 'string' },
  'password-stdin': { type: 'boolean' },
  password: { type: 'string' },
  'cookies-file': { type: 'string' },
  proxy: { type: 'string' },
  status: { type: 'string' },
  json: { type: 'boolean' },
} as const;

async function readCookies(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    throw new ValidationError('--cookies-file: the file cannot be read', 'cookies');
  }
}

/** Builds `account:add` on its dependencies. */
export function createAccountAddCommand(deps: FleetCommandDeps): CliCommand {
  return {
    name: 'account:add',
    summary: 'Register a LinkedIn account (password, cookies and proxy sealed)',
    usage: USAGE,
    async run(args, io) {
      const parsed = parseCommandArgs(args, OPTIONS, []);
      const tenantId = stringOption(parsed, 'tenant');
      const externalId = stringOption(parsed, 'external-id');
      if (!tenantId) throw new ValidationError('--tenant is required', 'tenantId');
      if (!externalId) throw new ValidationError('--external-id is required', 'externalId');
      if (flag(parsed, 'password-stdin') && stringOption(parsed, 'password') !== undefined) {
        throw new ValidationError('give --password-stdin or --password, not both', 'password');
      }
      const password = flag(parsed, 'password-stdin')
        ? (await deps.readStdin()).replace(/\r?\n$/, '')
        : stringOption(parsed, 'password');
      const cookiesFile = stringOption(parsed, 'cookies-file');
      const email = stringOption(parsed, 'email');
      const proxy = stringOption(parsed, 'proxy');
      const status = stringOption(parsed, 'status');
      const input: RegisterAccountInput = {
        tenantId,
        externalId,
        ...(email !== undefined ? { email } : {}),
        ...(password !== undefined ? { password } : {}),
        ...(cookiesFile !== undefined ? { cookies: await readCookies(cookiesFile) } : {}),
        ...(proxy !== undefined ? { proxy } : {}),
        ...(status !== undefined ? { status: status as RegisterAccountInput['status'] } : {}),
      };
      const account = await withContext(deps, (ctx) =>
        ctx.client.registerAccount(input, cliMeta()),
      );
      io.out(flag(parsed, 'json') ? json(account) : `${account.id}\n`);
      if (account.status === 'incomplete') {
        io.err('note: no password or cookies given; the account stays incomplete.\n');
      }
      return 0;
    },
  };
}
