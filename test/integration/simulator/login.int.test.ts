/**
 * Login flows in real headless Chromium against the simulator, with the selectors and texts of
 * linkedin-flows.md §1 only.
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

let t: TestSimulator;
const newPage = useSimulatorInChromium({}, (sim) => (t = sim));

async function account(extra: Record<string, unknown> = {}): Promise<string> {
  const email = uniqueEmail('login');
  await t.createAccount({ email, password: 'correct-horse', ...extra });
  return email;
}

describe('classic login', () => {
  it('signs in, sets the spec cookies and lands on /feed/', async () => {
    const email = await account();
    const { context, page } = await newPage();
    await page.goto(`${t.url}/login`);
    expect(await page.title()).toBe('LinkedIn Login, Sign in | LinkedIn');
    const anon = await context.cookies();
    expect(anon.find((c) => c.name === 'JSESSIONID')).toBeDefined();
    expect(anon.find((c) => c.name === 'li_at')).toBeUndefined();
    expect(await page.$eval('form.login__form', (f) => f.getAttribute('action'))).toBe(
      '/checkpoint/lg/login-submit',
    );
    expect(
      await page.$eval('#rememberMeOptIn-checkbox', (el) => (el as HTMLInputElement).checked),
    ).toBe(true);
    expect(await page.$('input[name="session_key"]#username')).not.toBeNull();
    expect(await page.$('input[name="session_password"]#password')).not.toBeNull();
    expect(await page.$('button[aria-label="Sign in"]')).not.toBeNull();

    await classicSignIn(page, t.url, email, 'correct-horse');
    expect(new URL(page.url()).pathname).toBe('/feed/');
    expect(await page.$('#global-nav')).not.toBeNull();
    expect(await page.$('nav[aria-label="Primary Navigation"]')).not.toBeNull();
    const cookies = new Map((await context.cookies()).map((c) => [c.name, c]));
    expect(cookies.get('li_at')).toMatchObject({ httpOnly: true, secure: false });
    expect(cookies.get('li_at')!.value).toMatch(/^AQEDA[A-Za-z0-9_-]{100,}$/);
    expect(cookies.get('JSESSIONID')!.httpOnly).toBe(false);
    expect(cookies.get('JSESSIONID')!.value).toMatch(/^"?ajax:\d+"?$/);
    expect(cookies.get('liap')!.value).toBe('true');
    expect(cookies.get('li_rm')).toMatchObject({ httpOnly: true });
    expect(cookies.get('li_rm')!.value).toMatch(/^AQH/);
    expect(cookies.get('bcookie')!.value).toMatch(/^"?v=2&[0-9a-f-]{36}"?$/);
    expect((await t.account(email)).counters.logins).toBe(1);
  });

  it('does not set li_rm without "Keep me logged in"', async () => {
    const email = await account();
    const { context, page } = await newPage();
    await classicSignIn(page, t.url, email, 'correct-horse', false);
    const names = (await context.cookies()).map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['li_at', 'JSESSIONID', 'liap', 'bcookie']));
    expect(names).not.toContain('li_rm');
  });

  it('re-renders with #error-for-password on a wrong password', async () => {
    const email = await account();
    const { page } = await newPage();
    await classicSignIn(page, t.url, email, 'wrong-password');
    expect(new URL(page.url()).pathname).toBe('/checkpoint/lg/login-submit');
    expect(await isVisible(page, '#error-for-password')).toBe(true);
    expect(await textOf(page, '#error-for-password')).toContain(
      'Wrong email or password. Try again or',
    );
    expect(
      await page.$(
        '#error-for-password span[data-tracking-control-name="login_error_create_account"]',
      ),
    ).not.toBeNull();
    expect(await isVisible(page, '#error-for-username')).toBe(false);
  });

  it('re-renders with #error-for-username for an unknown email', async () => {
    const { page } = await newPage();
    await classicSignIn(page, t.url, uniqueEmail('nobody'), 'whatever1');
    expect(await isVisible(page, '#error-for-username')).toBe(true);
    expect(await textOf(page, '#error-for-username')).toBe(
      "We couldn't find a LinkedIn account associated with this email. Please try again.",
    );
  });

  it('shows the Welcome back picker when li_rm is present', async () => {
    const email = await account();
    const { page } = await newPage();
    await classicSignIn(page, t.url, email, 'correct-horse');
    await t.patch(email, { revokeSessions: true });
    await page.goto(`${t.url}/login`);
    expect(
      await page.$(
        '#rememberme-div .memberList-container .member-profile-container.list-box .member-profile-block button',
      ),
    ).not.toBeNull();
    const text = await textOf(page, 'body');
    expect(text).toContain('Welcome Back');
    expect(text).toContain('Sign in using another account');
    expect(text).toContain('Join now');
    expect(await page.$('#password')).toBeNull();
    await clickAndWait(page, 'button.member-profile__details');
    expect(await isVisible(page, '#password')).toBe(true);
    await fill(page, '#password', 'correct-horse');
    await clickAndWait(page, 'button[aria-label="Sign in"]');
    expect(new URL(page.url()).pathname).toBe('/feed/');

    await t.patch(email, { revokeSessions: true });
    await page.goto(`${t.url}/login`);
    await clickAndWait(page, '.signin-other-account');
    expect(await isVisible(page, '#username')).toBe(true);
  });

  it('refuses a rate-limited login with errorKey=challenge_global_internal_error', async () => {
    const email = await account();
    await t.control('POST', '/__sim/faults', { rateLimitNextLogin: email });
    const { page } = await newPage();
    await classicSignIn(page, t.url, email, 'correct-horse');
    expect(page.url()).toContain('/checkpoint/lg/login?errorKey=challenge_global_internal_error');
    expect(await textOf(page, 'body')).toContain(
      'Sorry something went wrong. Please try again later.',
    );
    expect(await page.$('#username')).not.toBeNull();
  });
});

describe('modern login variant', () => {
  async function modernSignIn(page: Page, email: string, password: string): Promise<void> {
    const visible = async (selector: string) => {
      for (const el of await page.$$(selector)) if (await el.boundingBox()) return el;
      throw new Error(`no visible ${selector}`);
    };
    for (const [selector, value] of [
      ['input[type=email][autocomplete~=username]', email],
      ['input[type=password][autocomplete=current-password]', password],
    ] as const) {
      const input = await visible(selector);
      await input.evaluate((el) => ((el as HTMLInputElement).value = ''));
      await input.type(value);
    }
    await page.locator('::-p-aria([name="Sign in"][role="button"])').click();
  }

  it('has no <form>, two panels with the first hidden, and a type=button Sign in', async () => {
    const email = await account({ variant: 'modern' });
    const { page } = await newPage();
    // The member's bucket is learnt on the first submit; the browser then gets the modern UI.
    await classicSignIn(page, t.url, email, 'correct-horse');
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(await page.$('form')).toBeNull();
    const emails = await page.$$('input[type=email][autocomplete~=username]');
    expect(emails).toHaveLength(2);
    expect(await emails[0]!.boundingBox()).toBeNull();
    expect(await emails[1]!.boundingBox()).not.toBeNull();
    expect(await page.$eval('input[type=email]', (el) => el.getAttribute('autocomplete'))).toBe(
      'username webauthn',
    );
    const buttons = await page.$$eval('button', (bs) =>
      bs.map((b) => [b.type, b.textContent?.trim()]),
    );
    expect(buttons).toContainEqual(['button', 'Sign in']);
    expect(buttons.some(([, label]) => /Apple/.test(label ?? ''))).toBe(true);
    expect(buttons.some(([, label]) => /Google/.test(label ?? ''))).toBe(true);
    expect(await page.$$eval('input[type=checkbox]', (cs) => cs.every((c) => c.checked))).toBe(
      true,
    );

    await modernSignIn(page, email, 'bad-password');
    await page.waitForSelector('[role=alert]:not([hidden])');
    expect(
      await page.$$eval('[role=alert]:not([hidden])', (es) => es.map((e) => e.textContent)),
    ).toContain('Wrong email or password. Try again or create an account.');
    await Promise.all([page.waitForNavigation(), modernSignIn(page, email, 'correct-horse')]);
    expect(new URL(page.url()).pathname).toBe('/feed/');
  });

  it('serves the modern page to everyone when the global variant is modern', async () => {
    await t.control('PATCH', '/__sim/settings', { variant: 'modern' });
    try {
      const email = await account();
      const { context, page } = await newPage();
      await page.goto(`${t.url}/login`);
      expect(await page.$('form')).toBeNull();
      await Promise.all([page.waitForNavigation(), modernSignIn(page, email, 'correct-horse')]);
      expect(new URL(page.url()).pathname).toBe('/feed/');
      expect((await context.cookies()).map((c) => c.name)).toContain('li_at');
    } finally {
      await t.control('PATCH', '/__sim/settings', { variant: 'classic' });
    }
  });
});

describe('sessions', () => {
  it('redirects a revoked session to /authwall (or /login when configured)', async () => {
    const email = await account();
    const { page } = await newPage();
    await classicSignIn(page, t.url, email, 'correct-horse');
    expect((await t.account(email)).sessions).toHaveLength(1);
    await t.patch(email, { revokeSessions: true });
    expect((await t.account(email)).sessions).toHaveLength(0);
    await page.goto(`${t.url}/feed/`);
    expect(new URL(page.url()).pathname).toBe('/authwall');
    await t.control('PATCH', '/__sim/settings', { protectedRedirect: 'login' });
    try {
      await page.goto(`${t.url}/mypreferences/d/two-factor-authentication`);
      expect(new URL(page.url()).pathname).toBe('/login');
      expect(new URL(page.url()).searchParams.get('session_redirect')).toBe(
        '/mypreferences/d/two-factor-authentication',
      );
    } finally {
      await t.control('PATCH', '/__sim/settings', { protectedRedirect: 'authwall' });
    }
  });

  it('skips 2FA on the next login from a recognized browser only', async () => {
    const key = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    const email = await account({ twoFactor: { method: 'authenticator', key } });
    const a = await newPage();
    await classicSignIn(a.page, t.url, email, 'correct-horse', false);
    expect(await a.page.$('#two-step-challenge')).not.toBeNull();
    await a.page.click('#recognizedDevice');
    await fill(a.page, '#input__phone_verification_pin', t.code(key));
    await clickAndWait(a.page, '#two-step-submit-button');
    expect(new URL(a.page.url()).pathname).toBe('/feed/');
    expect((await t.account(email)).sessions[0]!.recognized).toBe(true);

    await t.patch(email, { revokeSessions: true });
    await classicSignIn(a.page, t.url, email, 'correct-horse', false);
    expect(new URL(a.page.url()).pathname).toBe('/feed/');

    const b = await newPage();
    await classicSignIn(b.page, t.url, email, 'correct-horse', false);
    expect(await b.page.$('#two-step-challenge')).not.toBeNull();
  });
});

describe('interstitials', () => {
  it('/check/add-phone is skippable', async () => {
    const email = await account({ interstitial: 'add_phone' });
    const { page } = await newPage();
    await classicSignIn(page, t.url, email, 'correct-horse');
    expect(new URL(page.url()).pathname).toBe('/check/add-phone');
    expect(await textOf(page, 'h2')).toBe('Add a phone number for security');
    await clickAndWait(page, '.secondary-action');
    expect(new URL(page.url()).pathname).toBe('/feed/');
  });

  it('/check/manage-account has Confirm (submit) and Skip (button)', async () => {
    const email = await account({ interstitial: 'manage_account' });
    const { page } = await newPage();
    await classicSignIn(page, t.url, email, 'correct-horse');
    expect(new URL(page.url()).pathname).toBe('/check/manage-account');
    expect(await textOf(page, 'button[type=submit]')).toBe('Confirm');
    expect(await textOf(page, 'button[type=button]')).toBe('Skip');
    await clickAndWait(page, 'button[type=button]');
    expect(new URL(page.url()).pathname).toBe('/feed/');
  });
});
