/**
 * Checkpoints after the password (linkedin-flows.md §2) in real Chromium: e-mail PIN,
 * authenticator and SMS prompts, app approval, CAPTCHA, phone registration, restricted
 * accounts, the wrong-code rate limit and the slow post-2FA redirect.
 */
import type { Page } from 'puppeteer-core';
import {
  classicSignIn,
  clickAndWait,
  fill,
  isVisible,
  useSimulatorInChromium,
  textOf,
  uniqueEmail,
  type TestSimulator,
} from '../../helpers/simulator';

const PASSWORD = 'correct-horse';
const KEY = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const RATE_LIMITED = '/checkpoint/lg/login?errorKey=challenge_global_internal_error';
let t: TestSimulator;
const newPage = useSimulatorInChromium({ approvalPollMs: 150 }, (sim) => (t = sim));

/** Creates an account, signs in from a fresh context, returns the page at the checkpoint. */
async function atCheckpoint(
  extra: Record<string, unknown>,
): Promise<{ email: string; page: Page }> {
  const email = uniqueEmail('cp');
  await t.createAccount({ email, password: PASSWORD, ...extra });
  const { page } = await newPage();
  await classicSignIn(page, t.url, email, PASSWORD);
  return { email, page };
}

const path = (page: Page) => new URL(page.url()).pathname;
const totp = { twoFactor: { method: 'authenticator', key: KEY } };

describe('e-mail PIN', () => {
  it('rejects a wrong code, mails the code, resend invalidates the old one', async () => {
    const { email, page } = await atCheckpoint({ loginChallenge: 'email_pin' });
    expect(path(page)).toMatch(/^\/checkpoint\/challenge\/[A-Za-z0-9_-]+$/);
    expect(new URL(page.url()).searchParams.get('ut')).toBeTruthy();
    expect(await page.title()).toBe('Security Verification | LinkedIn');
    expect(await textOf(page, 'h1')).toBe("Let's do a quick verification");
    expect(
      await page.$('form#email-pin-challenge input#input__email_verification_pin[name=pin]'),
    ).not.toBeNull();
    const [first] = await t.outbox(email);
    expect(first).toMatchObject({
      channel: 'email',
      subject: `Here's your verification code ${first!.code}`,
    });
    expect((await t.account(email)).pending.emailPin).toBe(true);

    await fill(
      page,
      '#input__email_verification_pin',
      first!.code === '000000' ? '111111' : '000000',
    );
    await clickAndWait(page, '#email-pin-submit-button');
    expect(await isVisible(page, '#email-pin-error')).toBe(true);
    expect(await textOf(page, '#email-pin-error')).toBe("Hmm, that's not the right code");

    await clickAndWait(page, '#btn-resend-pin');
    expect(await textOf(page, 'body')).toContain("We've sent you another code.");
    const [second] = await t.outbox(email);
    expect(second!.code).not.toBeNull();
    if (second!.code !== first!.code) {
      await fill(page, '#input__email_verification_pin', first!.code!);
      await clickAndWait(page, '#email-pin-submit-button');
      expect(await isVisible(page, '#email-pin-error')).toBe(true);
    }
    await fill(page, '#input__email_verification_pin', second!.code!);
    await clickAndWait(page, '#email-pin-submit-button');
    expect(path(page)).toBe('/feed/');
  });

  it('expires the code after emailPinTtlSec', async () => {
    const { email, page } = await atCheckpoint({ loginChallenge: 'email_pin' });
    const [mail] = await t.outbox(email);
    t.advance(16 * 60_000);
    await fill(page, '#input__email_verification_pin', mail!.code!);
    await clickAndWait(page, '#email-pin-submit-button');
    expect(await isVisible(page, '#email-pin-error')).toBe(true);
    expect(path(page)).not.toBe('/feed/');
  });
});

describe('2FA prompts', () => {
  it('authenticator: header says "authenticator app"; wrong code banner; right code → feed', async () => {
    const { email, page } = await atCheckpoint(totp);
    expect(await page.$('#auth-app-div form#two-step-challenge')).not.toBeNull();
    expect(await textOf(page, 'h1.content__header')).toContain('authenticator app');
    expect(
      await page.$(
        'input#input__phone_verification_pin.input_verification_pin[name=pin][maxlength="6"]',
      ),
    ).not.toBeNull();
    expect(
      await page.$('input#recognizedDevice[name=recognizedDevice] + label[for=recognizedDevice]'),
    ).not.toBeNull();
    expect(await isVisible(page, '.body__banner--error span[role=alert]')).toBe(false);
    await fill(page, '#input__phone_verification_pin', '000000');
    await clickAndWait(page, '#two-step-submit-button');
    expect(await textOf(page, '.body__banner-wrapper .body__banner--error span[role=alert]')).toBe(
      "The verification code you entered isn't valid. Please check the code and try again.",
    );
    await fill(page, '#input__phone_verification_pin', t.code(KEY));
    await clickAndWait(page, '#two-step-submit-button');
    expect(path(page)).toBe('/feed/');
    expect((await t.account(email)).counters).toMatchObject({ codesAccepted: 1, codesRejected: 1 });
  });

  it('SMS: header "ending in" the last 4 digits, code from the outbox', async () => {
    const { email, page } = await atCheckpoint({
      twoFactor: { method: 'sms' },
      phone: '+15551234567',
    });
    expect(await page.$('#auth-app-div')).toBeNull();
    expect(await page.$('#app__container form#two-step-challenge')).not.toBeNull();
    expect(await textOf(page, 'h1.content__header')).toMatch(/ending in 4567$/);
    const [sms] = await t.outbox(email);
    expect(sms!.channel).toBe('sms');
    await fill(page, '#input__phone_verification_pin', sms!.code!);
    await clickAndWait(page, '#two-step-submit-button');
    expect(path(page)).toBe('/feed/');
  });

  it('rate-limits after maxCodeAttempts wrong codes', async () => {
    const { page } = await atCheckpoint(totp);
    for (let i = 0; i < 5; i++) {
      await fill(page, '#input__phone_verification_pin', '000000');
      await clickAndWait(page, '#two-step-submit-button');
    }
    expect(page.url()).toBe(`${t.url}${RATE_LIMITED}`);
    expect(await textOf(page, 'body')).toContain(
      'Sorry something went wrong. Please try again later.',
    );
  });

  it('serves a blank page for postCodeRedirectDelayMs before /feed/', async () => {
    const { page } = await atCheckpoint(totp);
    await t.control('POST', '/__sim/faults', { postCodeRedirectDelayMs: 1500 });
    await fill(page, '#input__phone_verification_pin', t.code(KEY));
    const start = Date.now();
    await clickAndWait(page, '#two-step-submit-button');
    expect(path(page)).toBe('/checkpoint/challenge/verify');
    const blank = await page
      .evaluate(() => document.body.innerText.trim())
      .catch((e: Error) => e.message);
    expect(blank).toBe('');
    await page.waitForNavigation();
    expect(path(page)).toBe('/feed/');
    expect(Date.now() - start).toBeGreaterThanOrEqual(1400);
  });
});

describe('app approval', () => {
  it('redirects by itself once approved through the control API', async () => {
    const { email, page } = await atCheckpoint({ loginChallenge: 'app_approval' });
    expect(await page.title()).toBe('LinkedIn App Challenge');
    expect(await textOf(page, 'h1.header__content__heading__inapp')).toBe(
      'Check your LinkedIn app',
    );
    expect(await page.$('button.form__submit__inapp#reset-password-submit-button')).not.toBeNull();
    expect((await t.account(email)).pending.approval).toBe(true);
    await Promise.all([
      page.waitForNavigation(),
      t.control('POST', `/__sim/accounts/${encodeURIComponent(email)}/approve`),
    ]);
    await page.waitForFunction(() => location.pathname === '/feed/');
  });

  it('shows the denied state', async () => {
    const { email, page } = await atCheckpoint({ loginChallenge: 'app_approval' });
    await Promise.all([
      page.waitForNavigation(),
      t.control('POST', `/__sim/accounts/${email}/deny`),
    ]);
    expect(await textOf(page, 'h1')).toBe('This sign-in request was denied');
  });

  it('shows the expired state after approvalTtlSec', async () => {
    const { email, page } = await atCheckpoint({ loginChallenge: 'app_approval' });
    await Promise.all([page.waitForNavigation(), Promise.resolve(t.advance(6 * 60_000))]);
    expect(await textOf(page, 'h1')).toBe('This request has expired');
    expect((await t.control('POST', `/__sim/accounts/${email}/approve`)).status).toBe(409);
  });

  it('"Try another way" leads to the authenticator form when the account has TOTP', async () => {
    const { page } = await atCheckpoint({ loginChallenge: 'app_approval', ...totp });
    expect(await textOf(page, 'a#try-another-way[role=link]')).toBe(
      'Verify using authenticator app',
    );
    await clickAndWait(page, '#try-another-way');
    expect(await textOf(page, 'h1.content__header')).toContain('authenticator app');
    await fill(page, '#input__phone_verification_pin', t.code(KEY));
    await clickAndWait(page, '#two-step-submit-button');
    expect(path(page)).toBe('/feed/');
  });
});

describe('other checkpoints', () => {
  it('CAPTCHA: iframe#captcha-internal, solved only through the control API, then 2FA', async () => {
    const { email, page } = await atCheckpoint({ loginChallenge: 'captcha', ...totp });
    expect(await page.title()).toBe('Security Verification | LinkedIn');
    expect(await textOf(page, '#app__container main h1')).toBe("Let's do a quick security check");
    expect(
      await page.$('form#captcha-challenge iframe#captcha-internal[src*=captchaInternal]'),
    ).not.toBeNull();
    await page.reload();
    expect(await page.$('iframe#captcha-internal')).not.toBeNull();
    await t.control('POST', `/__sim/accounts/${email}/solve-captcha`);
    await page.reload();
    expect(await textOf(page, 'h1.content__header')).toContain('authenticator app');
  });

  it('phone registration: number, then the texted code', async () => {
    const { email, page } = await atCheckpoint({ loginChallenge: 'phone_register' });
    expect(
      await page.$('form#register-phone-challenge select#select-register-phone-country'),
    ).not.toBeNull();
    await fill(page, '#register-verification-phone-number', '5559876543');
    await clickAndWait(page, '#register-phone-submit-button');
    expect(await textOf(page, 'h1')).toContain('verify your phone number');
    const [sms] = await t.outbox(email);
    await fill(page, '#input__phone_verification_pin', sms!.code!);
    await clickAndWait(page, '#register-phone-submit-button');
    expect(path(page)).toBe('/feed/');
  });

  it.each([
    ['temporary', "We've restricted your account temporarily"],
    ['permanent', 'Your account has been restricted'],
  ])('restricted (%s)', async (restriction, heading) => {
    const { page } = await atCheckpoint({ loginChallenge: 'restricted', restriction });
    expect(await textOf(page, '.app__content h1')).toBe(heading);
    expect(await page.$('#pagekey-uas-account-restricted')).not.toBeNull();
  });
});
