/**
 * Fleet-client methods about the TOTP key: importing one the owner already uses, showing the
 * active one as a QR code (rate-limited), and checking that the owner's authenticator app holds
 * it. **Every use of a key is audited** (reveal, owner check, either outcome) before the method
 * returns; keys and codes never reach a log, an audit detail, an error message or Redis.
 */
import { ValidationError } from '../shared/errors';
import { otpauthUri, qrPng, qrSvg } from '../shared/qr';
import { createTotp, normalizeKey, type TotpKey } from '../shared/totp';
import {
  assertAccountId,
  audit,
  auditActorOf,
  requestIdOf,
  requireAccount,
  type FleetClientContext,
  type RequestMeta,
} from './client-context';
import {
  KeyAlreadyActiveError,
  NoActiveKeyError,
  OwnerCodeMismatchError,
  QrRevealLimitError,
} from './client-errors';
import { JobName } from './names';

/** What importKey did. */
export interface ImportKeyResult {
  /** The verify-imported-key job that proves the key by a fresh login. */
  readonly jobId: string;
  /** The pending key version stored. */
  readonly version: number;
}

/** A QR reveal. Every field but `remainingReveals` contains the key: a secret. */
export interface QrReveal {
  readonly uri: string;
  readonly png: Buffer;
  readonly svg: string;
  /** Reveals left in the rolling 24 h window after this one. */
  readonly remainingReveals: number;
}

/** The QR limit's rolling window: 24 hours in milliseconds. */
const REVEAL_WINDOW_MS = 24 * 3_600_000;
/** An otpauth URI is about 150 characters; 2 000 bounds any key or URI worth parsing. */
const MAX_KEY_INPUT = 2_000;
/** LinkedIn's TOTP parameters (RFC 6238 defaults): a key with others cannot be LinkedIn's. */
const LINKEDIN_TOTP = { algorithm: 'sha1', digits: 6, period: 30 } as const;

/**
 * Parses a base32 key (any spacing or case) or an `otpauth://totp/` URI, refusing parameters
 * other than LinkedIn's. Errors describe the input, never echo it.
 */
export function parseImportedKey(keyOrUri: unknown): TotpKey {
  if (typeof keyOrUri !== 'string' || keyOrUri.length > MAX_KEY_INPUT) {
    throw new ValidationError(
      `key must be a base32 key or an otpauth:// URI of at most ${MAX_KEY_INPUT} characters`,
      'key',
    );
  }
  const key = normalizeKey(keyOrUri);
  for (const param of ['algorithm', 'digits', 'period'] as const) {
    if (key[param] !== LINKEDIN_TOTP[param]) {
      throw new ValidationError(
        `LinkedIn keys use ${param} ${String(LINKEDIN_TOTP[param]).toUpperCase()}; ` +
          `the URI says ${String(key[param]).toUpperCase()}`,
        param,
      );
    }
  }
  return key;
}

async function activeKey(ctx: FleetClientContext, accountId: string) {
  const key = await ctx.repos.twoFactorKeys.loadActive(accountId);
  if (!key) throw new NoActiveKeyError(accountId);
  return key;
}

/** Stores an owner's key as pending and enqueues its verification; see FleetClient.importKey. */
export async function importKey(
  ctx: FleetClientContext,
  accountId: string,
  keyOrUri: string,
  meta: RequestMeta,
): Promise<ImportKeyResult> {
  auditActorOf(meta);
  assertAccountId(accountId);
  const key = parseImportedKey(keyOrUri);
  const account = await requireAccount(ctx, accountId);
  const active = (await ctx.repos.twoFactorKeys.list(account.id)).find((k) => k.state === 'active');
  if (active) throw new KeyAlreadyActiveError(account.id, active.version);
  const sealed = ctx.vault.seal(key.secret, { accountId: account.id, purpose: 'totp_key' });
  const { version } = await ctx.repos.twoFactorKeys.savePending(account.id, sealed, 'import');
  await audit(ctx, account, meta, 'key.imported', { details: { version } });
  const { jobId } = await ctx.producer.enqueue(JobName.VerifyImportedKey, {
    v: 1,
    accountId: account.id,
    requestId: requestIdOf(meta),
    reason: 'owner_request',
  });
  ctx.log?.info({ accountId, version, jobId, actor: meta.actor }, 'key imported');
  return { jobId, version };
}

/** Shows the active key as a QR code, within the 24 h reveal limit; see FleetClient.revealQr. */
export async function revealQr(
  ctx: FleetClientContext,
  accountId: string,
  meta: RequestMeta,
): Promise<QrReveal> {
  auditActorOf(meta);
  const account = await requireAccount(ctx, accountId);
  const key = await activeKey(ctx, account.id);
  const nowMs = ctx.clock.nowMs();
  const limit = ctx.config.enrollment.qrRevealLimit;
  // The window is (now - 24 h, now]: at `retryAfter` (oldest + 24 h) the oldest is out of it.
  const { count, oldest } = await ctx.repos.audit.countSince(
    account.id,
    'key.revealed',
    new Date(nowMs - REVEAL_WINDOW_MS + 1),
  );
  if (count >= limit) {
    const retryAfter = new Date((oldest?.getTime() ?? nowMs) + REVEAL_WINDOW_MS);
    throw new QrRevealLimitError(account.id, limit, retryAfter);
  }
  const secret = ctx.vault.open(key.sealedKey, { accountId: account.id, purpose: 'totp_key' });
  const uri = otpauthUri({ email: account.email ?? account.externalId, secret });
  const [png, svg] = await Promise.all([qrPng(uri), qrSvg(uri)]);
  // **MUST** be recorded before the QR leaves this function: the reveal is a use of the key.
  await audit(ctx, account, meta, 'key.revealed', { details: { version: key.version } });
  ctx.log?.info({ accountId, version: key.version, actor: meta.actor }, 'key revealed');
  return { uri, png, svg, remainingReveals: Math.max(0, limit - count - 1) };
}

/** Checks a code from the owner's app against the active key; see FleetClient.confirmOwnerCopy. */
export async function confirmOwnerCopy(
  ctx: FleetClientContext,
  accountId: string,
  code: string,
  meta: RequestMeta,
): Promise<{ ownerHasCopy: true }> {
  auditActorOf(meta);
  assertAccountId(accountId);
  const digits = typeof code === 'string' ? code.replace(/\s+/g, '') : '';
  if (!/^\d{6}$/.test(digits)) {
    throw new ValidationError('code must be the 6 digits the authenticator app shows', 'code');
  }
  const account = await requireAccount(ctx, accountId);
  const key = await activeKey(ctx, account.id);
  const secret = ctx.vault.open(key.sealedKey, { accountId: account.id, purpose: 'totp_key' });
  const matched = createTotp({ clock: ctx.clock }).verify(secret, digits, { window: 1 });
  const details = { version: key.version };
  if (matched === null) {
    await audit(ctx, account, meta, 'key.owner_check_failed', { details });
    throw new OwnerCodeMismatchError(account.id);
  }
  await ctx.repos.accounts.setTwoFactor(
    account.id,
    { ownerHasCopy: true },
    new Date(ctx.clock.nowMs()),
  );
  await audit(ctx, account, meta, 'key.owner_confirmed', { details });
  return { ownerHasCopy: true };
}
