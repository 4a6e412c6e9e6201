/**
 * `totp <key>`: the code an authenticator app would show right now. An operator's debugging aid
 * (compare with what the site accepts); it needs no database or Redis.
 */
import { systemClock } from '../../shared/clock';
import { ValidationError } from '../../shared/errors';
import { createTotp } from '../../shared/totp';
import type { CliCommand } from '../lib-cli';

const USAGE = `Usage: npm run cli -- totp <key | otpauth-uri | -> [--json]

Prints the current TOTP code and the seconds it has left, e.g. "123456  (17 s left)".

  <key>          base32 key; spaces, hyphens, lowercase and '=' padding are fine
                 (several arguments are joined, so "JBSW Y3DP EHPK 3PXP" works unquoted)
  <otpauth-uri>  otpauth://totp/...?secret=... (quote it: it contains '&')
  -              read the key from stdin, keeping it out of shell history and \`ps\`
  --json         print {"code","remainingSeconds","step"} instead`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The `totp` command. */
export const command: CliCommand = {
  name: 'totp',
  summary: 'Print the current code of a TOTP key or otpauth URI (no database needed)',
  usage: USAGE,
  async run(args, io) {
    const json = args.includes('--json');
    const unknown = args.filter((a) => a.startsWith('--') && a !== '--json');
    if (unknown.length > 0) {
      throw new ValidationError(`unknown option ${unknown.map((a) => `"${a}"`).join(', ')}`);
    }
    const positional = args.filter((a) => a !== '--json');
    if (positional.length === 0) {
      throw new ValidationError('expected a key, an otpauth:// URI or "-" for stdin, got nothing');
    }
    const input =
      positional.length === 1 && positional[0] === '-' ? await readStdin() : positional.join(' ');
    const { code, remainingSeconds, step } = createTotp({ clock: systemClock }).codeAt(
      input,
      systemClock.nowMs(),
    );
    io.out(
      json
        ? `${JSON.stringify({ code, remainingSeconds, step })}\n`
        : `${code}  (${remainingSeconds} s left)\n`,
    );
    return 0;
  },
};
