/**
 * Operator commands for unknown screens (the worker stops on a screen no page object knows and
 * stores a redacted snapshot): `screens:list <account-id>` lists them, newest first;
 * `screens:show <snapshot-id> [--html FILE] [--png FILE]` prints one and writes its masked HTML
 * and screenshot to new files.
 */
import { writeFile } from 'node:fs/promises';
import { ValidationError } from '../../shared/errors';
import type { CliCommand } from '../lib-cli';
import { parseCommandArgs, stringOption, withContext, type FleetCommandDeps } from './fleet-common';

const LIST_USAGE = `Usage: npm run cli -- screens:list <account-id>

Lists the redacted snapshots of unknown screens the workers met on this account, newest first
(the newest 20 are kept).`;

const SHOW_USAGE = `Usage: npm run cli -- screens:show <snapshot-id> [--html FILE] [--png FILE]

Prints one snapshot's details. Inputs, key-like elements, query values and secret-looking runs
are masked in both the HTML and the screenshot.

  --html FILE   write the masked HTML to FILE (must not exist)
  --png FILE    write the masked screenshot to FILE (must not exist)`;

const SHOW_OPTIONS = { html: { type: 'string' }, png: { type: 'string' } } as const;

async function writeNew(path: string, data: string | Buffer, option: string): Promise<void> {
  try {
    await writeFile(path, data, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ValidationError(
      code === 'EEXIST'
        ? `--${option}: the file already exists; choose a new name`
        : `--${option}: the file cannot be created (${code ?? 'error'})`,
      option,
    );
  }
}

/** Builds `screens:list` and `screens:show` on their dependencies. */
export function createScreensCommands(deps: FleetCommandDeps): CliCommand[] {
  const list: CliCommand = {
    name: 'screens:list',
    summary: 'List the redacted snapshots of unknown screens met on an account',
    usage: LIST_USAGE,
    async run(args, io) {
      const parsed = parseCommandArgs(args, {}, ['<account-id>']);
      const accountId = parsed.positionals[0]!;
      const snapshots = await withContext(deps, (ctx) => ctx.repos.snapshots.list(accountId));
      if (snapshots.length === 0) {
        io.out('no unknown screens recorded\n');
        return 0;
      }
      for (const s of snapshots) {
        io.out(
          `${s.id}  ${s.createdAt.toISOString()}  ${s.queue}/${s.jobId}  ${s.url}${s.hasScreenshot ? '  [png]' : ''}\n`,
        );
      }
      return 0;
    },
  };
  const show: CliCommand = {
    name: 'screens:show',
    summary: 'Show one unknown-screen snapshot; write its masked HTML and screenshot',
    usage: SHOW_USAGE,
    async run(args, io) {
      const parsed = parseCommandArgs(args, SHOW_OPTIONS, ['<snapshot-id>']);
      const id = parsed.positionals[0]!;
      const htmlPath = stringOption(parsed, 'html');
      const pngPath = stringOption(parsed, 'png');
      const snap = await withContext(deps, (ctx) => ctx.repos.snapshots.get(id));
      if (!snap) {
        io.err(`snapshot_not_found: no snapshot ${id}\n`);
        return 1;
      }
      io.out(
        [
          `snapshot   ${snap.id}`,
          `account    ${snap.accountId}`,
          `job        ${snap.queue}/${snap.jobId}`,
          `at         ${snap.createdAt.toISOString()}`,
          `url        ${snap.url}`,
          `title      ${snap.title}`,
          `error      ${snap.message}`,
          `html       ${snap.html.length} characters`,
          `screenshot ${snap.screenshot ? `${snap.screenshot.length} bytes` : 'none'}`,
          '',
        ].join('\n'),
      );
      if (htmlPath !== undefined) {
        await writeNew(htmlPath, snap.html, 'html');
        io.out(`wrote ${htmlPath}\n`);
      }
      if (pngPath !== undefined) {
        if (!snap.screenshot)
          throw new ValidationError('--png: this snapshot has no screenshot', 'png');
        await writeNew(pngPath, snap.screenshot, 'png');
        io.out(`wrote ${pngPath}\n`);
      }
      return 0;
    },
  };
  return [list, show];
}
