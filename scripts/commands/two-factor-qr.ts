/**
 * `2fa:qr <id>`: shows the active key as a QR code for the owner to scan, in the terminal or
 * as a PNG file readable by its owner only. Each reveal counts against the 24 h limit and is
 * audited; the key and the URI are never printed as text.
 */
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { ValidationError } from '../../shared/errors';
import { qrTerminal } from '../../shared/qr';
import type { CliCommand } from '../lib-cli';
import {
  cliMeta,
  parseCommandArgs,
  stringOption,
  withContext,
  type FleetCommandDeps,
} from './fleet-common';

const USAGE = `Usage: npm run cli -- 2fa:qr <account-id> [--png FILE]

Shows the account's active key as a QR code to scan with Microsoft or Google Authenticator.
Each reveal is audited and counts against QR_REVEAL_LIMIT per 24 hours.

  --png FILE   write the QR code as a PNG (mode 0600; FILE must not exist) instead of
               printing it in the terminal`;

const OPTIONS = { png: { type: 'string' } } as const;

/** Owner read/write only: the image is the key. */
const PNG_MODE = 0o600;

/** Creates the file before the reveal, so a bad path does not spend one. */
async function createPrivateFile(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'wx', PNG_MODE);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ValidationError(
      code === 'EEXIST'
        ? '--png: the file already exists; choose a new name'
        : `--png: the file cannot be created (${code ?? 'error'})`,
      'png',
    );
  }
}

/** Builds `2fa:qr` on its dependencies. */
export function createQrCommand(deps: FleetCommandDeps): CliCommand {
  return {
    name: '2fa:qr',
    summary: "Show the active key as a QR code for the owner's app (rate-limited, audited)",
    usage: USAGE,
    async run(args, io) {
      const parsed = parseCommandArgs(args, OPTIONS, ['<account-id>']);
      const accountId = parsed.positionals[0]!;
      const pngPath = stringOption(parsed, 'png');
      const file = pngPath !== undefined ? await createPrivateFile(pngPath) : null;
      let written = false;
      try {
        const qr = await withContext(deps, (ctx) => ctx.client.revealQr(accountId, cliMeta()));
        if (file) {
          await file.writeFile(qr.png);
          written = true;
          io.out(`wrote ${pngPath} (mode 600)\n`);
        } else {
          io.out(await qrTerminal(qr.uri));
        }
        io.out(`${qr.remainingReveals} reveal(s) left in the next 24 hours\n`);
        return 0;
      } finally {
        await file?.close();
        if (file && !written) await unlink(pngPath!).catch(() => undefined);
      }
    },
  };
}
