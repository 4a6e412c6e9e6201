/**
 * Site-wide settings. Every behaviour that linkedin-flows.md marks [inferred] is one of these,
 * with the spec's suggestion as the default (see simulator/README.md for the table).
 * Faults are separate: they model a misbehaving site and are cleared with DELETE /__sim/faults.
 */
import { z } from 'zod';

/** Login UI generation (spec §1.1 classic, §1.4 modern). */
export const VARIANTS = ['classic', 'modern'] as const;
/** How the setup key is displayed on the QR step (spec §4 "Display grouping"). */
export const KEY_FORMATS = ['plain', 'grouped', 'lowercase'] as const;
/** Wrong-password texts seen on the real site (spec §1.5). */
export const PASSWORD_ERRORS = ['wrong_email_or_password', 'not_right_password', 'hmm'] as const;

const ms = z.number().int().min(0).max(600_000);
const sec = z
  .number()
  .int()
  .min(0)
  .max(400 * 86_400);

/** Zod schema of {@link Settings}; `.partial().strict()` validates overrides. */
export const settingsSchema = z.object({
  variant: z.enum(VARIANTS),
  welcomeBack: z.enum(['when_remembered', 'never']),
  rememberMeDefault: z.boolean(),
  loginDelayMinMs: ms,
  loginDelayMaxMs: ms,
  passwordError: z.enum(PASSWORD_ERRORS),
  protectedRedirect: z.enum(['authwall', 'login']),
  sessionTtlSec: sec,
  totpWindow: z.number().int().min(0).max(10),
  rejectReplay: z.boolean(),
  totpPageTitle: z.string().min(1).max(200),
  totpHeading: z.string().min(1).max(300),
  smsHeading: z.string().min(1).max(300),
  recognizedDeviceLabel: z.string().min(1).max(200),
  recognizedDeviceSkips2fa: z.boolean(),
  recognizedDeviceTtlSec: sec,
  emailPinTtlSec: sec,
  smsCodeTtlSec: sec,
  resendInvalidatesOld: z.boolean(),
  maxCodeAttempts: z.number().int().min(1).max(1000),
  rateLimitLockSec: sec,
  approvalTtlSec: sec,
  approvalPollMs: z.number().int().min(50).max(60_000),
  approvalDeniedText: z.string().min(1).max(300),
  approvalExpiredText: z.string().min(1).max(300),
  keyFormat: z.enum(KEY_FORMATS),
  qr: z.boolean(),
  showKeyText: z.boolean(),
  identityCheckPosition: z.enum(['before_method', 'after_method']),
  disableRequiresCode: z.boolean(),
  recoveryCodeCount: z.number().int().min(0).max(50),
  recoveryCodeDigits: z.number().int().min(6).max(12),
  defaultPhone: z.string().regex(/^\+?[0-9 ()-]{6,20}$/),
});

/** Site-wide behaviour switches; see simulator/README.md. */
export type Settings = z.infer<typeof settingsSchema>;

/** The defaults: the classic, evidenced site plus the spec's suggestions for inferred parts. */
export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  variant: 'classic',
  welcomeBack: 'when_remembered',
  rememberMeDefault: true,
  // Spec §1.5 suggests 500–1500 ms; 0 keeps tests and benchmarks fast (set it for realism).
  loginDelayMinMs: 0,
  loginDelayMaxMs: 0,
  passwordError: 'wrong_email_or_password',
  protectedRedirect: 'authwall',
  // li_at lives about a year (spec §1.6).
  sessionTtlSec: 365 * 86_400,
  totpWindow: 1,
  rejectReplay: true,
  totpPageTitle: 'Security Verification | LinkedIn',
  totpHeading: 'Enter the code you see on your authenticator app',
  smsHeading: 'Enter the code we sent to your phone number ending in {last4}',
  recognizedDeviceLabel: "Don't ask again on this browser",
  recognizedDeviceSkips2fa: true,
  recognizedDeviceTtlSec: 30 * 86_400,
  // Spec §2.2: "simulate 15 min validity"; §2.4: SMS 10–15 min.
  emailPinTtlSec: 15 * 60,
  smsCodeTtlSec: 10 * 60,
  resendInvalidatesOld: true,
  // Spec §2.8: "after N (default 5) wrong codes".
  maxCodeAttempts: 5,
  rateLimitLockSec: 60,
  // Spec §2.5: auto-expire after 5 min; OSS polls every 1–3 s.
  approvalTtlSec: 5 * 60,
  approvalPollMs: 2_000,
  approvalDeniedText: 'This sign-in request was denied',
  approvalExpiredText: 'This request has expired',
  keyFormat: 'plain',
  qr: true,
  showKeyText: true,
  identityCheckPosition: 'before_method',
  disableRequiresCode: false,
  recoveryCodeCount: 10,
  recoveryCodeDigits: 8,
  defaultPhone: '+15555550123',
});

/** Validates a partial settings object (CLI flags, PATCH /__sim/settings). */
export const settingsPatchSchema = settingsSchema.partial().strict();

/** Fault injection (POST /__sim/faults). All off by default. */
export const faultsSchema = z
  .object({
    latencyMs: ms,
    jitterMs: ms,
    errorRate: z.number().min(0).max(1),
    clockOffsetSec: z
      .number()
      .int()
      .min(-86_400 * 365)
      .max(86_400 * 365),
    postCodeRedirectDelayMs: ms,
    rateLimitNextLogin: z.email().max(320),
    unknownScreenNextLogin: z.email().max(320),
  })
  .partial()
  .strict();

/** Active faults; `rateLimitNextLogin` accumulates one-shot emails. */
export interface Faults {
  latencyMs: number;
  jitterMs: number;
  errorRate: number;
  clockOffsetSec: number;
  postCodeRedirectDelayMs: number;
  rateLimitNextLogin: Set<string>;
  /** One-shot: the next good password of these members lands on a screen no one knows. */
  unknownScreenNextLogin: Set<string>;
}

/** Faults with nothing injected. */
export function noFaults(): Faults {
  return {
    latencyMs: 0,
    jitterMs: 0,
    errorRate: 0,
    clockOffsetSec: 0,
    postCodeRedirectDelayMs: 0,
    rateLimitNextLogin: new Set(),
    unknownScreenNextLogin: new Set(),
  };
}

/** Formats zod issues as `field: message` lines; the first names the bad field. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      if (issue.code === 'unrecognized_keys') return `${issue.keys.join(', ')}: unknown field`;
      const path = issue.path.map(String).join('.') || '(body)';
      return `${path}: ${issue.message}`;
    })
    .join('; ');
}
