/**
 * Turning LinkedIn two-step verification on with the authenticator-app method, without ever
 * locking the owner out.
 *
 * The flow is driven by what LinkedIn shows plus what we hold, never by a remembered position,
 * so a worker killed at any step is resumed by any other from the same observations:
 *
 * - LinkedIn **off**: pending keys of ours are not live (LinkedIn discards a key whose setup
 *   was not confirmed) and are revoked; the setup runs from "Set up".
 * - LinkedIn **on** and we hold a key (pending or active, newest first): the key is proven by
 *   a fresh login through the 2FA prompt, then activated.
 * - LinkedIn **on** and we hold none: `linkedin_2fa_already_on`, for the owner.
 *
 * At the key step the order is fixed: read → seal and store as pending → read back and check
 * it gives the same code → only then type the confirmation code → activate.
 */
import { NeedsHumanError, PermanentError, TransientError } from '../../shared/errors';
import { decodeQrPng } from '../../shared/qr';
import { createTotp, normalizeKey } from '../../shared/totp';
import { TwoStepSettingsPage, type Screen, type SetupKey } from '../site';
import type { AccountRun, AccountSession } from '../account-run';
import { signIn } from '../sign-in';
import { passIdentityCheck, openSettings, settingsStep } from './settings';

/** Setup steps handled before giving up (a full setup is about 8; room for one detour). */
const MAX_STEPS = 16;

/** The key as LinkedIn showed it, normalised; from the text, else from the QR image. */
export function keyFromSetupPage(shown: SetupKey): string {
  if (shown.keyText) return normalizeKey(shown.keyText).secret;
  const uri = shown.qrPng ? decodeQrPng(shown.qrPng) : null;
  if (uri) return normalizeKey(uri).secret;
  throw new NeedsHumanError(
    'setup_key_unreadable',
    'the setup step showed neither a readable key nor a readable QR code',
    'An operator must look at the setup page.',
  );
}

/** Enables 2FA; returns a secret-free detail for the job outcome. */
export async function enable(run: AccountRun): Promise<string> {
  const proven = await run
    .browser({ fresh: false }, (session) => setUp(run, session))
    .catch(async (err: unknown) => {
      if (err instanceof NeedsHumanError && err.code === 'two_factor_prompt_without_key') {
        throw await alreadyOn(run);
      }
      throw err;
    });
  if (proven === 'already_on') return 'already_on';
  const latest = await run.key('latest');
  // A resumed run that signed in through the 2FA prompt with this very key has its proof.
  if (latest && run.provedKeyVersion === latest.version) await finish(run);
  else await proveByFreshLogin(run);
  return 'enabled';
}

/**
 * In the account's stored session: reaches the settings, runs the setup when LinkedIn is off,
 * and leaves LinkedIn on with our newest key stored. Returns 'already_on' when nothing was
 * left to do (LinkedIn on, our key active and proven before).
 */
async function setUp(run: AccountRun, session: AccountSession): Promise<'to_prove' | 'already_on'> {
  const base = run.deps.config.linkedin.baseUrl;
  const settings = new TwoStepSettingsPage(session.page, base, { signal: run.signal });
  const account = await run.account();
  let screen: Screen = await openSettings(run, session, settings, {
    resume:
      account.twoFactor.state === 'awaiting_email_code' ||
      account.twoFactor.state === 'awaiting_app_approval',
    key: 'latest',
  });
  let confirmRejected = 0;
  for (let i = 0; i < MAX_STEPS; i++) {
    const step = settingsStep(screen);
    if (step === null) {
      screen = await openSettings(run, session, settings, { resume: false, key: 'latest' });
      continue;
    }
    if ((step === 'status' || step === 'done') && screen.kind === 'two_step_settings') {
      if (screen.on === true) return whenOn(run, settings);
      await run.step('settings_opened');
      const revoked = await revokeStalePending(run);
      if (revoked > 0) run.log.info({ revoked }, 'stale pending keys revoked (LinkedIn is off)');
      await run.setTwoFactor('enrolling');
      await run.step('setup_started');
      await settings.startSetup();
      screen = await settings.detect();
      continue;
    }
    switch (step) {
      case 'identity_email_pin':
      case 'identity_app_approval':
        screen = await passIdentityCheck(run, session, settings, step);
        break;
      case 'choose_method':
        await settings.chooseAuthenticatorApp();
        await run.step('method_chosen');
        screen = await settings.detect();
        break;
      case 'password': {
        if ((await settings.enterPassword(await run.password())) === 'wrong_password') {
          throw new NeedsHumanError(
            'bad_credentials',
            'LinkedIn refused the stored password at the two-step settings',
            'Update the stored LinkedIn password of the account.',
          );
        }
        await run.step('password_entered');
        screen = await settings.detect();
        break;
      }
      case 'key':
        await captureAndConfirm(run, settings);
        return 'to_prove';
      case 'enter_code':
        if (++confirmRejected > 1) {
          throw new TransientError('setup_lost', 'the setup is at the code step without our key');
        }
        // A code step we did not reach ourselves: its key is unknown to us. Abandon the flow.
        screen = await openSettings(run, session, settings, { resume: false, key: 'latest' });
        break;
      case 'status':
      case 'done':
      case 'recovery_codes':
        screen = await openSettings(run, session, settings, { resume: false, key: 'latest' });
        break;
    }
  }
  throw new TransientError('setup_incomplete', 'the two-step setup did not finish');
}

/** LinkedIn says on: prove our newest key, or report that it was turned on without us. */
async function whenOn(
  run: AccountRun,
  settings: TwoStepSettingsPage,
): Promise<'to_prove' | 'already_on'> {
  const key = await run.key('latest');
  if (!key) throw await alreadyOn(run);
  const account = await run.account();
  if (key.state === 'active' && account.twoFactor.state === 'on') return 'already_on';
  await saveRecoveryCodes(run, settings, key.version);
  return 'to_prove';
}

/**
 * LinkedIn 2FA is on with a key we do not hold (seen on the settings, or as a code prompt at
 * login): recorded for the owner, returned as the error to throw.
 */
async function alreadyOn(run: AccountRun): Promise<NeedsHumanError> {
  await run.setTwoFactor(
    'error',
    'linkedin_2fa_already_on',
    'Two-step verification is already on in LinkedIn with a key we do not hold.',
  );
  return new NeedsHumanError(
    'linkedin_2fa_already_on',
    'two-step verification is already on in LinkedIn and we hold no key for it',
    'Turn it off in LinkedIn (Settings and Privacy > Sign in & security > Two-step verification) and enable it here again, or import the existing key.',
  );
}

/** Pending keys of our own enrollments while LinkedIn is off were never live: revoke them. */
async function revokeStalePending(run: AccountRun): Promise<number> {
  const keys = await run.deps.repos.twoFactorKeys.list(run.accountId);
  let revoked = 0;
  for (const k of keys) {
    if (k.state === 'pending' && k.source === 'enrollment') {
      await run.fenced(() => run.deps.repos.twoFactorKeys.revoke(run.accountId, k.version));
      await run.audit('key.revoked', { version: k.version, reason: 'never_confirmed' });
      revoked += 1;
    }
  }
  return revoked;
}

/** Read → seal as pending → read back and check → confirm → activate → recovery codes. */
async function captureAndConfirm(run: AccountRun, settings: TwoStepSettingsPage): Promise<void> {
  const keys = run.deps.repos.twoFactorKeys;
  const secret = keyFromSetupPage(await settings.readSetupKey());
  run.deps.crashAt('after_key_read');
  await run.step('key_captured');

  const stored = await run.fenced(() =>
    keys.savePending(run.accountId, run.seal(secret, 'totp_key'), 'enrollment'),
  );
  await run.audit('key.sealed', { version: stored.version, source: 'enrollment' });
  run.deps.crashAt('after_key_sealed');

  // Never type a code for a key that is not durably ours: read back, open, compare codes.
  const back = await keys.loadLatest(run.accountId);
  const totp = createTotp({ clock: run.deps.clock });
  const now = run.deps.clock.nowMs();
  if (
    !back ||
    back.version !== stored.version ||
    totp.codeAt(run.open(back.sealedKey, 'totp_key'), now).code !== totp.codeAt(secret, now).code
  ) {
    throw new PermanentError(
      'key_readback_failed',
      `key version ${stored.version} did not read back identical; no code was submitted`,
    );
  }
  await run.step('key_sealed');

  for (let attempt = 1; ; attempt++) {
    const key = await keys.loadLatest(run.accountId);
    if (!key || key.version !== stored.version) {
      throw new TransientError('key_superseded', 'a newer key appeared during the setup');
    }
    const { code } = await run.claimedCode(key, 'setup_confirm');
    if ((await settings.confirmCode(code)) === 'ok') break;
    if (attempt >= 2) {
      throw new NeedsHumanError(
        'code_rejected',
        'LinkedIn rejected two confirmation codes of the new key',
        'Check the server clock; then enable two-step verification again.',
      );
    }
  }
  run.deps.crashAt('after_code_confirmed');
  await run.step('code_confirmed');

  await activate(run, stored.version);
  await saveRecoveryCodes(run, settings, stored.version);
}

/** Makes `version` the active key and the account's 2FA state on (both fenced, audited). */
async function activate(run: AccountRun, version: number): Promise<void> {
  await run.fenced(() => run.deps.repos.twoFactorKeys.activate(run.accountId, version));
  await run.audit('key.activated', { version });
  await run.setTwoFactor('on');
  run.deps.crashAt('after_key_activated');
  await run.step('key_activated');
}

/** Captures and seals the recovery codes when the site shows them and we have none yet. */
async function saveRecoveryCodes(
  run: AccountRun,
  settings: TwoStepSettingsPage,
  version: number,
): Promise<void> {
  const keys = run.deps.repos.twoFactorKeys;
  if (await keys.loadSealedRecoveryCodes(run.accountId, version)) return;
  const codes = await settings.readRecoveryCodes().catch(() => null);
  if (!codes) return;
  const sealed = run.seal(JSON.stringify(codes), 'recovery_codes');
  await run.fenced(() => keys.saveRecoveryCodes(run.accountId, version, sealed));
  await run.audit('recovery_codes.sealed', { version, count: codes.length });
  run.deps.crashAt('after_recovery_codes');
  await run.step('recovery_codes_saved');
}

/**
 * LinkedIn signs other sessions out when 2FA goes on. Log in afresh, in a clean context,
 * through the 2FA prompt with our own code: the end-to-end proof that the key works. Saves
 * the new session and activates the key if it was still pending (a resumed run).
 */
export async function proveByFreshLogin(run: AccountRun): Promise<void> {
  await run.step('relogin');
  const proof = await run.browser({ fresh: true }, async (session) => {
    const settings = new TwoStepSettingsPage(session.page, run.deps.config.linkedin.baseUrl, {
      signal: run.signal,
    });
    const result = await signIn(run, session, await settings.open(), { key: 'latest' });
    return result.answeredWithVersion;
  });
  if (proof === null) {
    run.log.warn('the fresh login was not asked for a code; the key stays as confirmed by setup');
  }
  await finish(run);
}

/** The key is proven: active, 2FA state on, account connected, session saved. */
async function finish(run: AccountRun): Promise<void> {
  const key = await run.key('latest');
  if (!key) throw new TransientError('key_missing', 'the key disappeared during the login');
  if (key.state !== 'active') await activate(run, key.version);
  const account = await run.account();
  if (account.twoFactor.state !== 'on') await run.setTwoFactor('on');
  await run.fenced(() => run.deps.repos.accounts.setStatus(run.accountId, { status: 'active' }));
  await run.fenced(() =>
    run.deps.repos.accounts.touch(run.accountId, 'check', new Date(run.deps.clock.nowMs())),
  );
  run.deps.crashAt('after_relogin');
  await run.step('session_saved');
}
