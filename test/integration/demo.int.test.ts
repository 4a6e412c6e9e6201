/**
 * `npm run demo -- --once` from the README's quick start, as its own process: the whole fleet
 * against the simulator on embedded defaults must get to its summary and exit 0.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { currentEnv } from '../../shared/config';

jest.setTimeout(240_000);

const ROOT = resolve(__dirname, '..', '..');

it('enrolls a demo account, prints its QR, answers a login challenge and exits 0', async () => {
  const child = spawn(
    process.execPath,
    [resolve(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'scripts/demo.ts', '--once'],
    { cwd: ROOT, env: currentEnv({ NODE_ENV: 'development' }), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 230_000);
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  clearTimeout(timer);
  if (code !== 0) throw new Error(`demo exited ${code}: ${err.slice(-2000)}`);
  expect(out).toContain('the owner approved the change in the LinkedIn app');
  expect(out).toMatch(/scan this with your authenticator app/);
  expect(out).toMatch(/Bull Board at http:\/\/127\.0\.0\.1:\d+\/admin\/queues/);
  expect(out).toMatch(/owner page \(one-time link\) http:\/\/\S+\/owner\/start\?token=\S{40,}/);
  expect(out).toMatch(/two-step\s+on in LinkedIn: true/);
  expect(out).toMatch(/login challenge\s+challenge_answered/);
  expect(out).toMatch(/codes accepted\s+\d+ \(rejected 0, replayed 0\)/);
  expect(out).toMatch(/next health check\s+\d{4}-/);
});
