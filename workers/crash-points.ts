/**
 * Crash points: fault injection for the crash-safety tests. Each names a moment right after a
 * step whose effect is durable (a key read, sealed, confirmed, activated…). When the point is
 * listed in CRASH_POINTS (test-only; shared/config.ts refuses it in production) the process
 * kills itself with SIGKILL there, exactly as a power cut or OOM kill would: no `finally`, no
 * lease release, no BullMQ hand-back. Unlisted points cost one Set lookup.
 */

/** Every crash point of the enrollment flow, in the order they are passed. */
export const CRASH_POINTS = [
  'after_key_read',
  'after_key_sealed',
  'after_code_confirmed',
  'after_key_activated',
  'after_recovery_codes',
  'after_relogin',
] as const;
/** One of CRASH_POINTS. */
export type CrashPoint = (typeof CRASH_POINTS)[number];

/** Passes a crash point: a no-op unless it is armed. */
export type CrashAt = (point: CrashPoint) => void;

/**
 * The crash function for the armed set (config.crashPoints). `kill` defaults to SIGKILL of this
 * process; unit tests pass their own.
 */
export function createCrashAt(
  armed: ReadonlySet<string>,
  kill: (point: CrashPoint) => void = () => process.kill(process.pid, 'SIGKILL'),
): CrashAt {
  if (armed.size === 0) return () => undefined;
  return (point) => {
    if (armed.has(point)) kill(point);
  };
}
