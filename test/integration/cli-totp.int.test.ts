/**
 * The `totp` CLI command against an independent implementation (oathtool, from liboath): five
 * random keys, each compared at the exact step the CLI reports, so a step boundary falling
 * between the two runs cannot make the test flaky.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { encodeBase32 } from '../../shared/totp';

const ROOT = resolve(__dirname, '..', '..');
const TSX_CLI = resolve(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
/** RFC 6238's default step, which the CLI uses for a bare key. */
const PERIOD_S = 30;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Run {
  const r = spawnSync(process.execPath, [TSX_CLI, 'scripts/cli.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    // One tsx start is 1–2 s on these shared 2-core machines.
    timeout: 30_000,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** oathtool's code for `key` at the start of `step` (`--now` takes GNU date syntax, "@<unix>"). */
function oathtool(key: string, step: number): string {
  const r = spawnSync('oathtool', ['--totp', '-b', '--now', `@${step * PERIOD_S}`, key], {
    encoding: 'utf8',
  });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error(
      'oathtool is not installed; it is the independent TOTP implementation this test compares ' +
        'against. Run `npm run services` (it checks for and names the missing packages).',
    );
  }
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`oathtool exited ${r.status}: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

describe('cli totp', () => {
  beforeAll(() => {
    oathtool('JBSWY3DPEHPK3PXP', 0); // fail loudly up front when oathtool is missing
  });

  it.each([1, 2, 3, 4, 5])('agrees with oathtool on random key #%i', (_n) => {
    const key = encodeBase32(randomBytes(20)); // 160 bits, RFC 4226 §4's recommendation
    const before = Math.floor(Date.now() / 1000 / PERIOD_S);
    const run = cli('totp', key, '--json');
    const after = Math.floor(Date.now() / 1000 / PERIOD_S);

    expect(run).toMatchObject({ status: 0, stderr: '' });
    const out = JSON.parse(run.stdout) as { code: string; remainingSeconds: number; step: number };
    expect(out.code).toMatch(/^\d{6}$/);
    expect(out.step).toBeGreaterThanOrEqual(before);
    expect(out.step).toBeLessThanOrEqual(after);
    expect(out.remainingSeconds).toBeGreaterThanOrEqual(0);
    expect(out.remainingSeconds).toBeLessThanOrEqual(PERIOD_S);
    expect(out.code).toBe(oathtool(key, out.step));
  });

  it('prints the code and the seconds left in plain mode', () => {
    const run = cli('totp', 'jbsw y3dp ehpk 3pxp');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^\d{6} {2}\(\d{1,2} s left\)\n$/);
  });

  it('exits 2 on a bad key without echoing it', () => {
    const badKey = 'JBSWY3DPEHPK3PX1ZZ';
    const run = cli('totp', badKey);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/expected a base32 TOTP key/);
    expect(run.stderr).not.toContain(badKey);
    expect(run.stderr).not.toContain('JBSWY3DP');
  });

  it('lists totp and keys:rotate in --help, and shows the usage of one command', () => {
    const help = cli('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^ {2}totp {2,}\S/m);
    expect(help.stdout).toMatch(/^ {2}keys:rotate {2,}\S/m);

    const usage = cli('totp', '--help');
    expect(usage.status).toBe(0);
    expect(usage.stdout).toMatch(/^Usage: npm run cli -- totp/);
  });

  it('exits 2 on an unknown command without echoing it', () => {
    const run = cli('JBSWY3DPEHPK3PXP');
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/Unknown command/);
    expect(run.stderr).not.toContain('JBSWY3DPEHPK3PXP');
  });
});
