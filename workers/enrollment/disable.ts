/**
 * Turning LinkedIn two-step verification off (linkedin-flows.md §3.3): "Turn off", the password,
 * a current code when asked, and the identity check when one shows. Only once LinkedIn shows
 * Off are the keys revoked and their sealed material destroyed (the audit trail stays).
 */
import { NeedsHumanError } from '../../shared/errors';
import { IdentityCheckRequiredError, TwoStepSettingsPage } from '../site';
import type { AccountRun } from '../account-run';
import { openSettings, passIdentityCheck } from './settings';

/** Identity detours allowed in one run before giving up. */
const MAX_ROUNDS = 3;

/** Disables 2FA; returns a secret-free detail for the job outcome. */
export async function disable(run: AccountRun): Promise<string> {
  const detail = await run.browser({ fresh: false }, async (session) => {
    const settings = new TwoStepSettingsPage(session.page, run.deps.config.linkedin.baseUrl, {
      signal: run.signal,
    });
    let screen = await openSettings(run, session, settings, { resume: false });
    await run.step('settings_opened');
    if (screen.kind === 'two_step_settings' && screen.on === false) return 'already_off';
    await run.setTwoFactor('disabling');
    const password = await run.password();
    const code = async (): Promise<string> => {
      const key = await run.key('active');
      if (!key) {
        throw new NeedsHumanError(
          'code_required',
          'LinkedIn asks for a current code to turn two-step verification off and we hold no key',
          'Turn two-step verification off in LinkedIn yourself.',
        );
      }
      return (await run.claimedCode(key, 'disable')).code;
    };
    for (let round = 0; round < MAX_ROUNDS; round++) {
      try {
        const result = await settings.turnOff(password, code);
        if (result === 'wrong_password') {
          throw new NeedsHumanError(
            'bad_credentials',
            'LinkedIn refused the stored password when turning two-step verification off',
            'Update the stored LinkedIn password of the account.',
          );
        }
        if (result === 'wrong_code') {
          throw new NeedsHumanError(
            'code_rejected',
            'LinkedIn rejected our code when turning two-step verification off',
            'Check that the key stored for the account is the one LinkedIn uses.',
          );
        }
        return 'disabled';
      } catch (err) {
        if (!(err instanceof IdentityCheckRequiredError)) throw err;
        screen = await passIdentityCheck(run, session, settings, err.step);
        void screen;
      }
    }
    throw new NeedsHumanError(
      'disable_incomplete',
      'turning two-step verification off did not finish',
    );
  });
  const revoked = await run.fenced(() => run.deps.repos.twoFactorKeys.revokeAll(run.accountId));
  await run.audit('key.revoked', { count: revoked, reason: 'two_factor_disabled' });
  await run.setTwoFactor('off', null, null, { ownerHasCopy: false });
  await run.step('keys_revoked');
  return detail;
}
