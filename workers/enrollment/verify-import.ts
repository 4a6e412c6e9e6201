/**
 * Verifying an imported key (the owner turned LinkedIn 2FA on themselves and gave us the key):
 * a fresh login through the 2FA prompt with a code of the pending key. Accepted → active;
 * rejected twice → revoked and `key_rejected`.
 */
import { NeedsHumanError } from '../../shared/errors';
import { TwoStepSettingsPage } from '../site';
import type { AccountRun } from '../account-run';
import { firstScreen, signIn } from '../sign-in';

/** Verifies the newest pending imported key; returns a secret-free detail. */
export async function verifyImported(run: AccountRun): Promise<string> {
  const key = await run.key('latest');
  if (!key || key.state !== 'pending' || key.source !== 'import') return 'nothing_to_verify';
  await run.step('relogin');
  let answered: number | null;
  let linkedInOff = false;
  try {
    answered = await run.browser({ fresh: true }, async (session) => {
      const settings = new TwoStepSettingsPage(session.page, run.deps.config.linkedin.baseUrl, {
        signal: run.signal,
      });
      const first = await firstScreen(run, session, () => settings.open());
      const result = await signIn(run, session, first, { key: 'latest' });
      if (result.answeredWithVersion === null) {
        const status = await settings.open();
        linkedInOff = status.kind === 'two_step_settings' && status.on === false;
      }
      return result.answeredWithVersion;
    });
  } catch (err) {
    if (err instanceof NeedsHumanError && err.code === 'code_rejected') {
      await rejectKey(run, key.version, 'LinkedIn rejected the codes of the imported key.');
      throw new NeedsHumanError(
        'key_rejected',
        `LinkedIn rejected the codes of imported key version ${key.version}`,
        'Check the key (copy it again from LinkedIn’s setup page or your authenticator app) and import it again.',
      );
    }
    throw err;
  }
  if (answered !== key.version) {
    await rejectKey(
      run,
      key.version,
      linkedInOff
        ? 'Two-step verification is off in LinkedIn, so the imported key cannot be used.'
        : 'LinkedIn did not ask for a code, so the imported key could not be checked.',
    );
    throw new NeedsHumanError(
      linkedInOff ? 'linkedin_2fa_off' : 'key_unverified',
      linkedInOff
        ? 'two-step verification is off in LinkedIn; the imported key is not in use'
        : 'the login was not asked for a code; the imported key could not be verified',
      linkedInOff
        ? 'Enable two-step verification here instead of importing a key.'
        : 'Try the import again later.',
    );
  }
  await run.fenced(() => run.deps.repos.twoFactorKeys.activate(run.accountId, key.version));
  await run.audit('key.activated', { version: key.version, source: 'import' });
  await run.setTwoFactor('on', null, null, { ownerHasCopy: true });
  await run.fenced(() => run.deps.repos.accounts.setStatus(run.accountId, { status: 'active' }));
  await run.step('key_activated');
  return 'imported';
}

async function rejectKey(run: AccountRun, version: number, message: string): Promise<void> {
  await run.fenced(() => run.deps.repos.twoFactorKeys.revoke(run.accountId, version));
  await run.audit('key.revoked', { version, reason: 'key_rejected' });
  await run.setTwoFactor('error', 'key_rejected', message);
}
