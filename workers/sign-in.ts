/**
 * Signing an account in and through whatever LinkedIn shows after the password, in the
 * documented order of linkedin-flows.md §2.9. Page objects read and act on the screens; this
 * module decides, and turns every screen that needs someone into a typed error:
 *
 * | screen                      | what happens                                               |
 * | --------------------------- | ---------------------------------------------------------- |
 * | feed / settings             | signed in                                                  |
 * | login / authwall            | sign in with the stored e-mail and password (twice at most) |
 * | authenticator prompt        | a claimed fresh code; on rejection once more, then `code_rejected` |
 * | app approval                | with a key: "try another way" to the code form; else wait in place, then park |
 * | e-mail PIN                  | the code the owner submitted, else park `awaiting_email_code` with the checkpoint saved (see firstScreen) |
 * | interstitial                | skipped                                                    |
 * | rate limited                | parked with jitter (no attempt spent)                      |
 * | CAPTCHA, phone registration, SMS, restricted, bad credentials | needs a person, precise code |
 */
import {
  CheckpointPage,
  LoginPage,
  describeScreen,
  type Screen,
  type PageObjectOptions,
} from './site';
import { NeedsHumanError, RetryLaterError, TransientError } from '../shared/errors';
import { metrics } from '../shared/metrics';
import { QueueName } from '../queues/names';
import type { AccountRun, AccountSession } from './account-run';

/** Which key answers an authenticator prompt. */
export type PromptKey = 'active' | 'latest';

/** Options of {@link signIn}. */
export interface SignInOptions {
  /** The key for authenticator prompts (`latest` while verifying a pending key). */
  readonly key: PromptKey;
  /** Screens handled before giving up (each login, checkpoint or interstitial is one). */
  readonly maxScreens?: number;
}

/** What a sign-in went through. */
export interface SignInResult {
  readonly screen: Screen;
  /** The authenticator prompt was answered with this key version (proof the key works). */
  readonly answeredWithVersion: number | null;
}

/** Rate-limit parking: 5 minutes plus up to 5 minutes of jitter, so a fleet does not return at once. */
const RATE_LIMIT_BASE_MS = 5 * 60_000;
const RATE_LIMIT_JITTER_MS = 5 * 60_000;

const signedIn = (s: Screen): boolean => s.kind === 'feed' || s.kind === 'two_step_settings';

/** Needs-human outcomes of a sign-in, by screen. */
function needsHuman(s: Screen): NeedsHumanError | null {
  switch (s.kind) {
    case 'captcha':
      return new NeedsHumanError(
        'captcha',
        'LinkedIn showed a security check (CAPTCHA)',
        'Sign in to LinkedIn once from your usual browser and complete the security check.',
      );
    case 'phone_registration':
      return new NeedsHumanError(
        'phone_register',
        'LinkedIn asks to register a phone number',
        'Sign in to LinkedIn and add or confirm a phone number, then try again.',
      );
    case 'restricted':
      return new NeedsHumanError(
        'restricted',
        `LinkedIn has ${s.permanent ? 'restricted' : 'temporarily restricted'} the account`,
        'Follow LinkedIn’s instructions to lift the restriction.',
      );
    case 'bad_credentials':
      return new NeedsHumanError(
        'bad_credentials',
        `LinkedIn refused the stored ${s.field === 'username' ? 'e-mail' : 'password'}`,
        'Update the stored LinkedIn e-mail and password of the account.',
      );
    case 'sms_prompt':
      return new NeedsHumanError(
        'sms_prompt',
        'LinkedIn asks for a code sent by SMS',
        'Two-step verification uses SMS on this account; switch it to an authenticator app.',
      );
    case 'app_approval':
    case 'authenticator_prompt':
    case 'authwall':
    case 'email_pin':
    case 'feed':
    case 'interstitial':
    case 'login':
    case 'rate_limited':
    case 'site_error':
    case 'two_step_settings':
      return null;
  }
}

/**
 * Takes the session from `screen` to a signed-in page. Throws the typed errors of the module
 * comment; RetryLaterError parks the job (the context's cookies are kept when marked).
 */
export async function signIn(
  run: AccountRun,
  session: AccountSession,
  screen: Screen,
  opts: SignInOptions,
): Promise<SignInResult> {
  const base = run.deps.config.linkedin.baseUrl;
  const pageOpts: PageObjectOptions = { signal: run.signal };
  const login = new LoginPage(session.page, base, pageOpts);
  const checkpoint = new CheckpointPage(session.page, base, pageOpts);
  let answeredWithVersion: number | null = null;
  let logins = 0;
  let rejections = 0;
  let current = screen;
  for (let i = 0; i < (opts.maxScreens ?? 10); i++) {
    if (signedIn(current)) {
      session.markSignedIn();
      return { screen: current, answeredWithVersion };
    }
    const human = needsHuman(current);
    if (human) throw human;
    switch (current.kind) {
      case 'authwall':
        current = await login.open();
        break;
      case 'login': {
        if (++logins > 2) {
          throw new TransientError('login_loop', 'the login form came back after two sign-ins');
        }
        await run.step('signing_in');
        const creds = await run.credentials();
        const password = await run.password();
        current = await login.signIn(creds.email, password);
        break;
      }
      case 'authenticator_prompt': {
        const key = await run.key(opts.key);
        if (!key) {
          throw new NeedsHumanError(
            'two_factor_prompt_without_key',
            'LinkedIn asks for an authenticator code and we hold no key for the account',
            'Import the key of your authenticator app, or turn two-step verification off in LinkedIn.',
          );
        }
        await run.step('answering_two_factor_prompt');
        const { code } = await run.claimedCode(key, 'login');
        const result = await checkpoint.submitAuthenticatorCode(code);
        metrics.codesSubmitted.inc({ result: result.outcome });
        if (result.outcome === 'accepted') {
          if (run.job.queue === QueueName.SessionCheck) {
            metrics.challengeToCode.observe((run.deps.clock.nowMs() - run.job.enqueuedAt) / 1000);
          }
          answeredWithVersion = key.version;
          run.provedKeyVersion = key.version;
          current = result.next;
        } else if (++rejections >= 2) {
          throw new NeedsHumanError(
            'code_rejected',
            `LinkedIn rejected two codes of key version ${key.version}`,
            'Check that the key stored for the account is the one LinkedIn uses.',
          );
        } else {
          current = result.next;
        }
        break;
      }
      case 'app_approval':
        current = await passApproval(run, checkpoint, current, opts.key);
        break;
      case 'email_pin':
        current = await passEmailPin(run, session, checkpoint);
        break;
      case 'interstitial':
        current = await checkpoint.skipInterstitial();
        break;
      case 'rate_limited':
        throw new RetryLaterError(
          'rate_limited',
          'LinkedIn asked us to slow down',
          RATE_LIMIT_BASE_MS + Math.floor(Math.random() * RATE_LIMIT_JITTER_MS),
        );
      case 'site_error':
        throw new TransientError('site_error', `LinkedIn showed an error page: ${current.heading}`);
      case 'bad_credentials':
      case 'captcha':
      case 'feed':
      case 'phone_registration':
      case 'restricted':
      case 'sms_prompt':
      case 'two_step_settings':
        throw new NeedsHumanError(
          'unexpected_screen',
          `did not expect ${describeScreen(current)} while signing in`,
        );
    }
  }
  throw new TransientError('sign_in_incomplete', `still at ${describeScreen(current)}`);
}

async function passApproval(
  run: AccountRun,
  checkpoint: CheckpointPage,
  screen: Extract<Screen, { kind: 'app_approval' }>,
  which: PromptKey,
): Promise<Screen> {
  if (screen.alternative === 'authenticator' && (await run.key(which)) !== null) {
    return checkpoint.tryAnotherWay();
  }
  await run.step('awaiting_app_approval');
  const outcome = await checkpoint.waitForApproval({
    timeoutMs: run.deps.config.enrollment.approvalWaitMs,
    signal: run.signal,
  });
  if (outcome === 'approved') return checkpoint.detect((s) => s.kind !== 'app_approval');
  if (outcome === 'denied') {
    throw new NeedsHumanError(
      'app_approval_denied',
      'the sign-in was denied in the LinkedIn app',
      'Approve the sign-in in the LinkedIn app when asked.',
    );
  }
  throw new RetryLaterError(
    'awaiting_app_approval',
    `the LinkedIn app approval was not answered (${outcome}); checking again later`,
    run.deps.config.enrollment.approvalRecheckMs,
  );
}

/**
 * The first screen of a run: the checkpoint a parked login waits at (its e-mailed PIN belongs
 * to that checkpoint, so a new login would make the owner's code useless), else `open()`.
 */
export async function firstScreen(
  run: AccountRun,
  session: AccountSession,
  open: () => Promise<Screen>,
): Promise<Screen> {
  const { resumePath } = session;
  if (!resumePath) return open();
  await run.step('resuming_checkpoint');
  const checkpoint = new CheckpointPage(session.page, run.deps.config.linkedin.baseUrl, {
    signal: run.signal,
  });
  return checkpoint.resume(resumePath);
}

async function passEmailPin(
  run: AccountRun,
  session: AccountSession,
  checkpoint: CheckpointPage,
): Promise<Screen> {
  const sealed = await run.fenced(() => run.deps.repos.accounts.takeSealedEmailCode(run.accountId));
  if (sealed) {
    await run.step('submitting_email_code');
    const result = await checkpoint.submitEmailPin(run.open(sealed, 'email_code'));
    if (result.outcome === 'accepted') return result.next;
  }
  const waitMs = run.deps.config.enrollment.emailCodeWaitMs;
  await run.saveCheckpoint(session, checkpoint.location(), waitMs);
  throw new RetryLaterError(
    'awaiting_email_code',
    sealed
      ? 'LinkedIn rejected the e-mailed code; waiting for the newest one'
      : 'LinkedIn sent a code to the account’s e-mail; waiting for the owner to submit it',
    waitMs,
  );
}
