import { ConfigError } from '../../../shared/config';
import { TransientError, ValidationError } from '../../../shared/errors';
import { COMMANDS, runCli } from '../../../scripts/cli';
import type { CliCommand, CliIO } from '../../../scripts/lib-cli';

function captureIO(): CliIO & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    out: (t: string) => void (io.stdout += t),
    err: (t: string) => void (io.stderr += t),
  };
  return io;
}

/** A command that throws what it is told to, or prints its arguments. */
function fake(name: string, thrown?: unknown): CliCommand {
  return {
    name,
    summary: `summary of ${name}`,
    usage: `Usage: ${name} <x>`,
    run(args, io) {
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- non-Errors get thrown too
      if (thrown !== undefined) return Promise.reject(thrown);
      io.out(`ran ${args.join(',')}\n`);
      return Promise.resolve(0);
    },
  };
}

const commands = [
  fake('ok'),
  fake('bad-input', new ValidationError('expected 6 digits, got 8')),
  fake('bad-config', new ConfigError(['REDIS_URL: invalid', 'MONGO_URL: invalid'])),
  fake('boom', new TransientError('net', 'socket hang up\nsecond line')),
  fake('weird', 'a string'),
];

async function run(argv: string[], showStack = false) {
  const io = captureIO();
  const code = await runCli(argv, io, { commands, showStack: () => showStack });
  return { code, stdout: io.stdout, stderr: io.stderr };
}

describe('runCli', () => {
  it('registers totp and keys:rotate, each name once', () => {
    const names = COMMANDS.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['totp', 'keys:rotate']));
    expect(new Set(names).size).toBe(names.length);
  });

  it('lists every command with its summary on --help, -h and help', async () => {
    for (const flag of ['--help', '-h', 'help']) {
      const r = await run([flag]);
      expect(r.code).toBe(0);
      for (const c of commands) expect(r.stdout).toContain(`${c.name}`);
      expect(r.stdout).toMatch(/^ {2}bad-config {2}summary of bad-config$/m);
    }
  });

  it('prints the overview on stderr and exits 2 without a command', async () => {
    expect(await run([])).toMatchObject({ code: 2, stdout: '' });
  });

  it('shows a command usage on <command> --help without running it', async () => {
    expect(await run(['boom', '--help'])).toEqual({
      code: 0,
      stdout: 'Usage: boom <x>\n',
      stderr: '',
    });
  });

  it('passes the remaining arguments to the command', async () => {
    expect(await run(['ok', 'a', 'b'])).toMatchObject({ code: 0, stdout: 'ran a,b\n' });
  });

  it('exits 2 on an unknown command without echoing the word', async () => {
    const r = await run(['JBSWY3DPEHPK3PXP']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Unknown command; expected one of: ok, bad-input/);
    expect(r.stderr).not.toContain('JBSWY3DP');
  });

  it('maps a ValidationError to its message and exit 2', async () => {
    const r = await run(['bad-input']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^bad-input: expected 6 digits, got 8\n/);
  });

  it('maps a ConfigError to its full message and exit 2', async () => {
    const r = await run(['bad-config']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('REDIS_URL: invalid');
    expect(r.stderr).toContain('MONGO_URL: invalid');
  });

  it('maps anything else to one line and exit 1, with the stack only when asked', async () => {
    const quiet = await run(['boom']);
    expect(quiet.code).toBe(1);
    expect(quiet.stderr).toBe('boom failed: TransientError: socket hang up\n');

    const loud = await run(['boom'], true);
    expect(loud.code).toBe(1);
    expect(loud.stderr).toMatch(/TransientError: socket hang up\nsecond line\n\s+at /);

    expect(await run(['weird'])).toMatchObject({
      code: 1,
      stderr: 'weird failed: Error: a string\n',
    });
  });
});
