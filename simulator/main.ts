/**
 * CLI: `npm run simulator -- --port 4010 [--variant modern] [--seed 42] [--totp-window 2]
 * [--account alice@example.com:password[:BASE32KEY]] [--listen-anywhere 0.0.0.0] ...`.
 * `--listen-anywhere ADDR` binds a non-loopback address (the docker-compose demo profile). Every setting is a kebab-case flag
 * (see simulator/README.md); booleans take true/false. The process reads no environment.
 */
import { createAccount } from './control';
import { startSimulator } from './server';
import { describeIssues, settingsPatchSchema, type Settings } from './settings';

const USAGE =
  'usage: npm run simulator -- [--port N] [--seed N] [--account email:password[:KEY]]... [--listen-anywhere ADDR] [--<setting> value]...';

function camel(flag: string): string {
  return flag.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function coerce(value: string): unknown {
  if (value === 'true' || value === 'false') return value === 'true';
  if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  return value;
}

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

async function main(argv: string[]): Promise<void> {
  let port = 4010;
  let host: string | undefined;
  let seed: number | undefined;
  const accounts: string[] = [];
  const raw: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') fail('LinkedIn simulator');
    if (!arg.startsWith('--')) fail(`unexpected argument ${arg}`);
    const [flag, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    const value = inline ?? argv[++i];
    if (value === undefined) fail(`--${flag} needs a value`);
    if (flag === 'port') port = Number(value);
    else if (flag === 'listen-anywhere') host = value;
    else if (flag === 'seed') seed = Number(value);
    else if (flag === 'account') accounts.push(value);
    else raw[camel(flag)] = coerce(value);
  }
  if (!Number.isInteger(port) || port < 0 || port > 65_535) fail('--port: must be 0..65535');
  if (seed !== undefined && !Number.isInteger(seed)) fail('--seed: must be an integer');
  const parsed = settingsPatchSchema.safeParse(raw);
  if (!parsed.success) fail(`bad setting: ${describeIssues(parsed.error)}`);
  const settings: Partial<Settings> = parsed.data;
  const sim = await startSimulator({
    port,
    settings,
    seed,
    ...(host ? { host, listenAnywhere: true } : {}),
  });
  if (host) {
    process.stderr.write(
      `simulator: listening on ${host}: its /__sim control API has no auth; private networks only\n`,
    );
  }
  for (const spec of accounts) {
    const [email, password, key] = spec.split(':');
    try {
      createAccount(sim.state, {
        email,
        password,
        ...(key ? { twoFactor: { method: 'authenticator', key } } : {}),
      });
    } catch (err) {
      await sim.close();
      fail(`--account ${email ?? ''}: ${(err as Error).message}`);
    }
  }
  process.stdout.write(`simulator listening on ${sim.url}\n`);
  const stop = (): void => void sim.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

void main(process.argv.slice(2)).catch((err: unknown) => fail((err as Error).message));
