/**
 * Account records from control-API input: zod schemas, creation (single and bulk), patching,
 * and the JSON view. A malformed input is a BadRequestError naming the bad field.
 */
import { z } from 'zod';
import { BadRequestError } from './http';
import { describeIssues, KEY_FORMATS, VARIANTS } from './settings';
import type { SimState } from './state';
import { generateKey, isBase32Key } from './totp';
import type { Account } from './types';

const base32Key = z
  .string()
  .refine(isBase32Key, 'must be base32 (A-Z, 2-7), at least 16 characters')
  .transform((k) => k.replace(/\s/g, '').toUpperCase().replace(/=+$/, ''));

const accountFields = {
  password: z.string().min(6).max(200),
  twoFactor: z
    .strictObject({ method: z.enum(['authenticator', 'sms']), key: base32Key.optional() })
    .nullable(),
  identityCheck: z.enum(['none', 'email_pin', 'app_approval']),
  loginChallenge: z.enum([
    'none',
    'email_pin',
    'app_approval',
    'captcha',
    'phone_register',
    'restricted',
  ]),
  restriction: z.enum(['temporary', 'permanent']),
  interstitial: z.enum(['none', 'add_phone', 'manage_account']),
  variant: z.enum(VARIANTS),
  keyFormat: z.enum(KEY_FORMATS),
  qr: z.boolean(),
  showKeyText: z.boolean(),
  recoveryCodes: z.boolean(),
  phone: z
    .string()
    .regex(/^\+?[0-9 ()-]{6,20}$/, 'must be a phone number')
    .nullable(),
};

const createSchema = z
  .strictObject({
    email: z.email().max(320),
    ...accountFields,
    password: accountFields.password,
  })
  .partial({
    twoFactor: true,
    identityCheck: true,
    loginChallenge: true,
    restriction: true,
    interstitial: true,
    variant: true,
    keyFormat: true,
    qr: true,
    showKeyText: true,
    recoveryCodes: true,
    phone: true,
  });

/** PATCH /__sim/accounts/:email body. */
export const patchSchema = z
  .strictObject({ ...accountFields, revokeSessions: z.boolean() })
  .partial();

/** Parses `body` with `schema` or throws a 400 naming the bad field. */
export function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (!r.success) throw new BadRequestError(describeIssues(r.error));
  return r.data;
}

type AccountInput = z.infer<typeof patchSchema>;

/** Applies validated account fields (create or patch). */
export function applyFields(s: SimState, a: Account, input: AccountInput): void {
  if (input.password !== undefined) a.password = input.password;
  if (input.identityCheck !== undefined) a.identityCheck = input.identityCheck;
  if (input.loginChallenge !== undefined) a.loginChallenge = input.loginChallenge;
  if (input.restriction !== undefined) a.restriction = input.restriction;
  if (input.interstitial !== undefined) a.interstitial = input.interstitial;
  if (input.variant !== undefined) a.variant = input.variant;
  if (input.keyFormat !== undefined) a.keyFormat = input.keyFormat;
  if (input.qr !== undefined) a.qr = input.qr;
  if (input.showKeyText !== undefined) a.showKeyText = input.showKeyText;
  if (input.phone !== undefined) a.phone = input.phone;
  if (input.recoveryCodes !== undefined) {
    a.recoveryCodesEnabled = input.recoveryCodes;
    if (!input.recoveryCodes) a.recoveryCodes = [];
  }
  if (input.twoFactor === null) {
    a.twoFactor = { enabled: false, method: a.twoFactor.method, key: null };
    a.recoveryCodes = [];
  } else if (input.twoFactor) {
    const { method } = input.twoFactor;
    const key = method === 'authenticator' ? (input.twoFactor.key ?? generateKey()) : null;
    a.twoFactor = { enabled: true, method, key };
    if (method === 'sms' && !a.phone) a.phone = s.settings.defaultPhone;
    a.recoveryCodes = a.recoveryCodesEnabled ? s.newRecoveryCodes() : [];
    a.usedSteps.clear();
  }
}

/** Creates an account from a validated or in-process input; throws 409 when it exists. */
export function createAccount(s: SimState, body: unknown): Account {
  const input = parse(createSchema, body);
  const email = input.email.trim().toLowerCase();
  if (s.accounts.has(email)) throw new BadRequestError(`email: ${email} already exists`, 409);
  const a: Account = {
    email,
    password: input.password,
    twoFactor: { enabled: false, method: 'authenticator', key: null },
    recoveryCodes: [],
    recoveryCodesEnabled: true,
    phone: null,
    identityCheck: 'none',
    loginChallenge: 'none',
    restriction: 'temporary',
    interstitial: 'none',
    variant: undefined,
    keyFormat: undefined,
    qr: undefined,
    showKeyText: undefined,
    usedSteps: new Set(),
    sessions: new Set(),
    recognized: new Map(),
    approval: null,
    captchaPending: false,
    lockedUntil: 0,
    counters: { codesAccepted: 0, codesRejected: 0, codesReplayed: 0, logins: 0 },
  };
  const { email: _email, ...rest } = input;
  applyFields(s, a, rest);
  s.accounts.set(email, a);
  return a;
}

/** Bulk creation for benchmarks: all or nothing; an error names the item's index. */
export function createMany(s: SimState, items: unknown[]): void {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    try {
      const email = parse(createSchema, item).email.trim().toLowerCase();
      if (s.accounts.has(email) || seen.has(email)) {
        throw new BadRequestError(`email: ${email} already exists`, 409);
      }
      seen.add(email);
    } catch (err) {
      const e = err as BadRequestError;
      throw new BadRequestError(`[${i}].${e.message}`, e.status ?? 400);
    }
  });
  for (const item of items) createAccount(s, item);
}

/** The JSON view of an account (GET /__sim/accounts/:email). */
export function accountView(s: SimState, a: Account): Record<string, unknown> {
  const pending: Record<string, true> = {};
  if (a.approval && s.approvalState(a.approval) === 'pending') pending.approval = true;
  for (const ch of s.challenges.values()) {
    if (ch.email !== a.email) continue;
    if (ch.steps[0] === 'email_pin') pending.emailPin = true;
    if (ch.steps[0] === 'captcha' && !ch.captchaSolved) pending.captcha = true;
  }
  return {
    email: a.email,
    twoFactor: {
      enabled: a.twoFactor.enabled,
      method: a.twoFactor.enabled ? a.twoFactor.method : null,
      key: a.twoFactor.key,
      recoveryCodes: [...a.recoveryCodes],
    },
    sessions: s.liveSessions(a).map((x) => ({
      id: x.id,
      createdAt: new Date(x.createdAt).toISOString(),
      expiresAt: new Date(x.expiresAt).toISOString(),
      recognized: s.isRecognized(a, x.bcookie),
    })),
    pending,
    counters: { ...a.counters },
    settings: {
      identityCheck: a.identityCheck,
      loginChallenge: a.loginChallenge,
      restriction: a.restriction,
      interstitial: a.interstitial,
      variant: a.variant ?? null,
      keyFormat: a.keyFormat ?? null,
      qr: a.qr ?? null,
      showKeyText: a.showKeyText ?? null,
      recoveryCodes: a.recoveryCodesEnabled,
      phone: a.phone,
    },
  };
}
