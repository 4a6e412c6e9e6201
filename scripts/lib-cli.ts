/**
 * The shape every CLI command shares. `scripts/cli.ts` dispatches to the commands in
 * `scripts/commands/`; each is a small module exporting one `CliCommand`.
 */

/** Where a command prints: results to `out` (stdout), diagnostics to `err` (stderr). */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
}

export interface CliCommand {
  /** As typed: `totp`, `keys:rotate`, `2fa:enable`. */
  readonly name: string;
  /** One line for `--help`. */
  readonly summary: string;
  /** Usage text shown by `<command> --help` and on bad input. */
  readonly usage: string;
  /** Returns the process exit code. Throwing a ValidationError prints its message and exits 2. */
  run(args: readonly string[], io: CliIO): Promise<number>;
}
