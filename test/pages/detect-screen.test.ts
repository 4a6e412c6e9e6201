/** detectScreen on every fixture, at realistic URLs, plus the documented order (§2.9). */
import type { Page } from 'puppeteer-core';
import { ScreenTimeoutError, detectScreen, type Screen } from '../../workers/site';
import { evaluateIn } from '../../workers/site/in-page';
import { FakeSite, usePageFixture, visit, type Reply } from './helpers';

let page: Page;
let site: FakeSite;

usePageFixture(
  () => new FakeSite(),
  (f) => ({ page, site } = f),
);

const CH = '/checkpoint/challenge/AQFLSLwTa1nvTQ';
const S = '/mypreferences/d/two-factor-authentication';
const KEY = '<span class="authenticator-key">JBSWY3DPEHPK3PXPJBSWY3DP</span>';

async function detectAt(path: string, reply: Reply | string, timeoutMs = 3_000): Promise<Screen> {
  site.on(`GET ${new URL(path, 'http://x').pathname}`, reply);
  await visit(page, path);
  return detectScreen(page, { timeoutMs });
}

const cases: Array<[string, string, Reply | string, Partial<Screen> & { kind: Screen['kind'] }]> = [
  [
    'rate limit URL that contains "challenge"',
    '/checkpoint/lg/login?errorKey=challenge_global_internal_error',
    {
      fixture: 'login-classic.html',
      vars: {
        BANNER:
          '<div class="alert error" role="alert"><p class="alert-content">Sorry something went wrong. Please try again later.</p></div>',
      },
    },
    { kind: 'rate_limited' },
  ],
  [
    'CAPTCHA next to a PIN input',
    `${CH}?ut=2UVBqIgWA`,
    'captcha-with-pin.html',
    { kind: 'captcha', provider: 'recaptcha' },
  ],
  ['e-mail PIN', `${CH}?ut=x`, 'email-pin.html', { kind: 'email_pin', error: null }],
  [
    'e-mail PIN, wrong code',
    `${CH}?ut=x`,
    {
      fixture: 'email-pin.html',
      vars: { ERROR_CLASS: '', ERROR: "Hmm, that's not the right code" },
    },
    { kind: 'email_pin', error: "Hmm, that's not the right code" },
  ],
  [
    'authenticator prompt',
    `${CH}?ut=x`,
    'authenticator.html',
    { kind: 'authenticator_prompt', error: null, rememberBrowser: true },
  ],
  [
    'authenticator prompt, wrong code',
    `${CH}?ut=x`,
    {
      fixture: 'authenticator.html',
      vars: {
        ERROR:
          "The verification code you entered isn't valid. Please check the code and try again.",
      },
    },
    {
      kind: 'authenticator_prompt',
      error: "The verification code you entered isn't valid. Please check the code and try again.",
    },
  ],
  ['SMS prompt', `${CH}?ut=x`, 'sms.html', { kind: 'sms_prompt', last4: '1234', error: null }],
  [
    'app approval with a way to the authenticator',
    `${CH}?ut=x`,
    'app-approval.html',
    { kind: 'app_approval', state: 'pending', alternative: 'authenticator' },
  ],
  [
    'app approval with SMS as the other way',
    `${CH}?ut=x`,
    { fixture: 'app-approval.html', vars: { ANOTHER: 'Verify using SMS' } },
    { kind: 'app_approval', alternative: 'sms' },
  ],
  [
    'app approval denied',
    `${CH}?ut=x`,
    { fixture: 'app-approval-ended.html', vars: { TEXT: 'This sign-in request was denied' } },
    { kind: 'app_approval', state: 'denied', alternative: null },
  ],
  [
    'app approval expired',
    `${CH}?ut=x`,
    { fixture: 'app-approval-ended.html', vars: { TEXT: 'This request has expired' } },
    { kind: 'app_approval', state: 'expired' },
  ],
  [
    'phone registration, number',
    `${CH}?ut=x`,
    'phone-register.html',
    { kind: 'phone_registration', step: 'enter_number' },
  ],
  [
    'phone registration, code (not an SMS prompt)',
    `${CH}?ut=x`,
    'phone-verify.html',
    { kind: 'phone_registration', step: 'verify_code' },
  ],
  [
    'restricted, temporary',
    '/checkpoint/restricted',
    { fixture: 'restricted.html', vars: { HEADING: "We've restricted your account temporarily" } },
    { kind: 'restricted', permanent: false },
  ],
  [
    'restricted, permanent',
    '/checkpoint/restricted',
    { fixture: 'restricted.html', vars: { HEADING: 'Your account has been restricted' } },
    { kind: 'restricted', permanent: true },
  ],
  [
    'wrong password',
    '/checkpoint/lg/login-submit',
    {
      fixture: 'login-classic.html',
      vars: {
        PW_ERROR_CLASS: '',
        PW_ERROR:
          'Wrong email or password. Try again or <span data-tracking-control-name="login_error_create_account">create an account</span>.',
      },
    },
    {
      kind: 'bad_credentials',
      field: 'password',
      message: 'Wrong email or password. Try again or create an account.',
    },
  ],
  [
    'unknown e-mail',
    '/checkpoint/lg/login-submit',
    {
      fixture: 'login-classic.html',
      vars: {
        USER_ERROR_CLASS: '',
        USER_ERROR:
          "We couldn't find a LinkedIn account associated with this email. Please try again.",
      },
    },
    { kind: 'bad_credentials', field: 'username' },
  ],
  [
    'add-phone interstitial',
    '/check/add-phone',
    'add-phone.html',
    { kind: 'interstitial', which: 'add_phone' },
  ],
  [
    'manage-account interstitial',
    '/check/manage-account',
    'manage-account.html',
    { kind: 'interstitial', which: 'manage_account' },
  ],
  [
    'classic login',
    '/login',
    'login-classic.html',
    { kind: 'login', variant: 'classic', banner: null },
  ],
  [
    'modern login (first panel hidden)',
    '/login',
    'login-modern.html',
    { kind: 'login', variant: 'modern', banner: null },
  ],
  [
    'welcome back picker',
    '/login',
    { fixture: 'login-welcome-back.html', vars: { EMAIL: 'owner@example.test' } },
    { kind: 'login', variant: 'welcome_back' },
  ],
  ['feed', '/feed/?trk=homepage-basic_sign-in-submit', 'feed.html', { kind: 'feed' }],
  ['authwall', '/authwall?trk=x', 'authwall.html', { kind: 'authwall' }],
  [
    'generic site error',
    '/checkpoint/challenge/oops',
    'site-error.html',
    { kind: 'site_error', heading: 'Something went wrong' },
  ],
  [
    'settings Off (legacy)',
    S,
    'settings-off.html',
    { kind: 'two_step_settings', step: 'status', on: false, method: null },
  ],
  [
    'settings Off (ARIA only)',
    S,
    'settings-aria-off.html',
    { kind: 'two_step_settings', step: 'status', on: false },
  ],
  [
    'settings On via authenticator',
    S,
    'settings-on.html',
    { kind: 'two_step_settings', step: 'status', on: true, method: 'authenticator' },
  ],
  [
    'settings On, legacy URL',
    '/psettings/two-step-verification',
    'settings-on.html',
    { kind: 'two_step_settings', step: 'status', on: true },
  ],
  [
    'settings identity check: e-mail PIN',
    S,
    'settings-identity-pin.html',
    { kind: 'two_step_settings', step: 'identity_email_pin', error: null },
  ],
  [
    'settings identity check: app approval',
    S,
    'settings-identity-app.html',
    { kind: 'two_step_settings', step: 'identity_app_approval', approval: 'pending' },
  ],
  [
    'settings: choose method',
    S,
    'settings-method.html',
    { kind: 'two_step_settings', step: 'choose_method' },
  ],
  [
    'settings: password',
    S,
    'settings-password.html',
    { kind: 'two_step_settings', step: 'password', error: null },
  ],
  [
    'settings: wrong password',
    S,
    {
      fixture: 'settings-password.html',
      vars: { ERROR_CLASS: '', ERROR: "That password isn't right" },
    },
    { kind: 'two_step_settings', step: 'password', error: "That password isn't right" },
  ],
  [
    'settings: key',
    S,
    { fixture: 'settings-key.html', vars: { KEY } },
    { kind: 'two_step_settings', step: 'key' },
  ],
  [
    'settings: enter code',
    S,
    'settings-code.html',
    { kind: 'two_step_settings', step: 'enter_code', error: null },
  ],
  [
    'settings: done',
    S,
    'settings-done.html',
    { kind: 'two_step_settings', step: 'done', on: true, method: 'authenticator' },
  ],
  [
    'settings: recovery codes',
    `${S}?view=recovery-codes`,
    'settings-recovery-codes.html',
    { kind: 'two_step_settings', step: 'recovery_codes' },
  ],
];

describe('detectScreen', () => {
  it.each(cases)('%s', async (_name, path, reply, expected) => {
    expect(await detectAt(path, reply)).toMatchObject(expected);
  });

  it('waits through the blank page of a slow post-2FA redirect', async () => {
    site.on('GET /feed/', 'feed.html');
    const started = Date.now();
    expect(await detectAt('/checkpoint/challenge/complete', 'blank-interim.html', 5_000)).toEqual({
      kind: 'feed',
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('reports a page that stays blank as a transient timeout', async () => {
    const err = await detectAt(
      '/checkpoint/challenge/complete',
      { fixture: 'blank-interim.html', vars: { DELAY_S: '60' } },
      500,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScreenTimeoutError);
    expect(err).toMatchObject({ code: 'blank_page' });
  });

  it('needs the global-nav markers, not just the /feed URL', async () => {
    const err = await detectAt('/feed/', { html: '<p>Loading feed…</p>' }, 400).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'unknown_screen' });
  });

  it('with `until`, keeps waiting and reports the last screen on timeout', async () => {
    await visit(page, '/nothing');
    site.on('GET /login', 'login-classic.html');
    await visit(page, '/login');
    const err = await detectScreen(page, {
      timeoutMs: 300,
      until: (s) => s.kind !== 'login',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScreenTimeoutError);
    expect((err as ScreenTimeoutError).last).toMatchObject({ kind: 'login', variant: 'classic' });
  });

  it('stops when aborted', async () => {
    site.on('GET /x', { html: '<p>?</p>' });
    await visit(page, '/x');
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('job cancelled')), 100);
    await expect(detectScreen(page, { timeoutMs: 10_000, signal: ac.signal })).rejects.toThrow(
      'job cancelled',
    );
  });

  it('in-page code survives transpilers that inject a __name helper (esbuild keepNames, tsx)', async () => {
    site.on('GET /x', { html: '<p>x</p>' });
    await visit(page, '/x');
    // What esbuild emits for `const f = () => …` under keepNames; __name exists only in Node.
    const withHelper = Object.assign((n: number) => n + 1, {
      toString: () => '(n) => { const f = __name(() => n + 1, "f"); return f(); }',
    });
    expect(await evaluateIn(page, withHelper, 41)).toBe(42);
  });
});
