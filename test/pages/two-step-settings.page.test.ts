/** TwoStepSettingsPage against a small fake of the settings flow (fixtures per step). */
import type { Page } from 'puppeteer-core';
import QRCode from 'qrcode';
import {
  CodeRequiredError,
  IdentityCheckRequiredError,
  TwoStepSettingsPage,
  WrongScreenError,
} from '../../workers/site';
import { FakeSite, ORIGIN, PNG_SIGNATURE, usePageFixture, type Reply, type Seen } from './helpers';

let page: Page;
let site: FakeSite;

usePageFixture(
  () => new FakeSite(),
  (f) => ({ page, site } = f),
);

const S = '/mypreferences/d/two-factor-authentication';
const PASSWORD = 'correct horse battery';
/** A fake key (the common test value), never a real one. */
const KEY = 'JBSWY3DPEHPK3PXPJBSWY3DP';
const GOOD_CODE = '123456';
const settings = (): TwoStepSettingsPage =>
  new TwoStepSettingsPage(page, ORIGIN, { timeoutMs: 5_000 });
const keySpan = (text: string): string =>
  `<p>Secret key: <span class="authenticator-key">${text}</span></p>`;

interface FlowOptions {
  on?: boolean;
  identity?: 'none' | 'pin' | 'app';
  disableNeedsCode?: boolean;
  keyHtml?: string;
  qrHtml?: string;
}

/** The settings flow: POSTs carry `action` like the legacy forms (and the simulator). */
function serveFlow(o: FlowOptions = {}): { state: { on: boolean } } {
  const state = { on: o.on ?? false };
  const err = (fixture: string, vars: Record<string, string> = {}, error?: string): Reply => ({
    fixture,
    vars: error ? { ...vars, ERROR_CLASS: '', ERROR: error } : vars,
  });
  const landing = (): Reply => ({ fixture: state.on ? 'settings-on.html' : 'settings-off.html' });
  const keyStep = (): Reply => ({
    fixture: 'settings-key.html',
    vars: { KEY: o.keyHtml ?? keySpan(KEY), QR: o.qrHtml ?? '' },
  });
  site.on(`GET ${S}`, (r: Seen) =>
    r.search.includes('recovery-codes') ? { fixture: 'settings-recovery-codes.html' } : landing(),
  );
  site.on(`POST ${S}`, (r: Seen) => {
    const f = new URLSearchParams(r.body);
    switch (f.get('action') ?? '') {
      case 'start':
        return o.identity === 'pin'
          ? { fixture: 'settings-identity-pin.html' }
          : o.identity === 'app'
            ? { fixture: 'settings-identity-app.html' }
            : { fixture: 'settings-method.html' };
      case 'identity':
        return f.get('pin') === '424242'
          ? { fixture: 'settings-method.html' }
          : err('settings-identity-pin.html', {}, "That code isn't right");
      case 'method':
        return f.get('method') === 'authenticator'
          ? { fixture: 'settings-password.html' }
          : { status: 400, html: '<h1>Oops!</h1>' };
      case 'password':
        return f.get('password') === PASSWORD
          ? keyStep()
          : err('settings-password.html', {}, 'Incorrect password');
      case 'qr-continue':
        return { fixture: 'settings-code.html' };
      case 'code':
        if (f.get('code') !== GOOD_CODE)
          return err('settings-code.html', {}, "That code didn't work");
        state.on = true;
        return { fixture: 'settings-done.html' };
      case 'disable-start':
        return { fixture: 'settings-password.html', vars: { ACTION: 'disable-password' } };
      case 'disable-password':
        if (f.get('password') !== PASSWORD) {
          return err(
            'settings-password.html',
            { ACTION: 'disable-password' },
            'Incorrect password',
          );
        }
        if (o.disableNeedsCode)
          return { fixture: 'settings-code.html', vars: { ACTION: 'disable-code' } };
        state.on = false;
        return landing();
      case 'disable-code':
        if (f.get('code') !== GOOD_CODE) {
          return err('settings-code.html', { ACTION: 'disable-code' }, "That code didn't work");
        }
        state.on = false;
        return landing();
      default:
        return { status: 400, html: '<h1>Oops!</h1>' };
    }
  });
  return { state };
}

describe('status', () => {
  it.each([
    [false, 'settings-off.html', { on: false }],
    [true, 'settings-on.html', { on: true, method: 'authenticator' }],
  ])('on=%s', async (_on, fixture, expected) => {
    site.on(`GET ${S}`, fixture);
    await settings().open();
    expect(await settings().status()).toEqual(expected);
  });

  it('reads Off from ARIA-only markup', async () => {
    site.on(`GET ${S}`, 'settings-aria-off.html');
    await settings().open();
    expect(await settings().status()).toEqual({ on: false });
  });

  it('falls back to the legacy URL when the current one is missing', async () => {
    site.on('GET /psettings/two-step-verification', 'settings-on.html');
    expect(await settings().open()).toMatchObject({ kind: 'two_step_settings', on: true });
    expect(page.url()).toBe(`${ORIGIN}/psettings/two-step-verification`);
  });

  it('returns a login screen to the caller instead of guessing', async () => {
    site.on(`GET ${S}`, { redirect: '/login' }).on('GET /login', 'login-classic.html');
    expect(await settings().open()).toMatchObject({ kind: 'login' });
    await expect(settings().status()).rejects.toBeInstanceOf(WrongScreenError);
  });
});

describe('enable flow', () => {
  it('walks method → password (wrong, then right) → key → code (wrong, then right) → done → recovery codes', async () => {
    const qr = await QRCode.toDataURL(
      `otpauth://totp/LinkedIn:owner@example.test?secret=${KEY}&issuer=LinkedIn`,
    );
    const { state } = serveFlow({
      qrHtml: `<img class="authenticator-QRImage" alt="QR code" src="${qr}" width="200" height="200">`,
    });
    const s = settings();
    await s.open();
    expect(await s.startSetup()).toBe('choose_method');
    expect(await s.chooseAuthenticatorApp()).toBe('password');
    expect(site.posted(S).at(-1)?.get('method')).toBe('authenticator');
    expect(await s.enterPassword('wrong')).toBe('wrong_password');
    expect(await s.enterPassword(PASSWORD)).toBe('ok');
    expect(await s.currentStep()).toBe('key');
    const key = await s.readSetupKey();
    expect(key.keyText).toBe(KEY);
    expect(key.qrPng!.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    expect(await s.confirmCode('000000')).toBe('wrong_code');
    expect(await s.confirmCode(GOOD_CODE)).toBe('ok');
    expect(state.on).toBe(true);
    expect(await s.currentStep()).toBe('done');
    expect(await s.status()).toEqual({ on: true, method: 'authenticator' });
    expect(await s.readRecoveryCodes()).toEqual(['10000001', '10000002', '10000003']);
  });

  it('startSetup() refuses when 2FA is already on', async () => {
    serveFlow({ on: true });
    await settings().open();
    await expect(settings().startSetup()).rejects.toBeInstanceOf(WrongScreenError);
  });

  it('answers an e-mail identity check (wrong PIN, then right)', async () => {
    serveFlow({ identity: 'pin' });
    const s = settings();
    await s.open();
    expect(await s.startSetup()).toBe('identity_email_pin');
    expect(await s.submitIdentityPin('111111')).toBe('wrong_pin');
    expect(await s.submitIdentityPin('424242')).toBe('ok');
    expect(await s.currentStep()).toBe('choose_method');
  });

  it('waits for an app-approval identity check', async () => {
    serveFlow({ identity: 'app' });
    let polls = 0;
    site.on(`GET ${S}/status`, () =>
      ++polls < 3 ? { json: { status: 'pending' } } : { json: { redirectUrl: `${S}/method` } },
    );
    site.on(`GET ${S}/method`, 'settings-method.html');
    const s = settings();
    await s.open();
    expect(await s.startSetup()).toBe('identity_app_approval');
    expect(await s.waitForApproval({ timeoutMs: 5_000 })).toBe('approved');
    expect(await s.currentStep()).toBe('choose_method');
  });

  it('reports a denied app-approval identity check', async () => {
    site.on(`GET ${S}`, {
      fixture: 'settings-identity-app.html',
      vars: { HEADING: 'This request was denied', SUB: '' },
    });
    site.on(`GET ${S}/status`, { json: { status: 'denied' } });
    await settings().open();
    expect(await settings().waitForApproval({ timeoutMs: 2_000 })).toBe('denied');
  });
});

describe('readSetupKey', () => {
  async function keyAt(o: FlowOptions): Promise<{ keyText: string | null; qrPng: Buffer | null }> {
    site.on(`GET ${S}`, {
      fixture: 'settings-key.html',
      vars: { KEY: o.keyHtml ?? '', QR: o.qrHtml ?? '' },
    });
    await settings().open();
    return settings().readSetupKey();
  }

  it.each([
    ['plain', KEY],
    ['grouped', 'JBSW Y3DP EHPK 3PXP JBSW Y3DP'],
    ['lowercase', 'jbswy3dpehpk3pxpjbswy3dp'],
  ])('returns the %s key text as shown, without a QR', async (_f, shown) => {
    expect(await keyAt({ keyHtml: keySpan(`\n  ${shown}  \n`) })).toEqual({
      keyText: shown,
      qrPng: null,
    });
  });

  it('fetches a same-origin QR image as PNG bytes (QR only, no key text)', async () => {
    const png = await QRCode.toBuffer(`otpauth://totp/LinkedIn:x?secret=${KEY}`);
    site.on(`GET ${S}/qr.png`, { body: png, contentType: 'image/png' });
    const key = await keyAt({
      qrHtml: `<img class="authenticator-QRImage" alt="QR code" src="${S}/qr.png">`,
    });
    expect(key.keyText).toBeNull();
    expect(key.qrPng!.equals(png)).toBe(true);
  });

  it('redraws a non-PNG (SVG) QR image as PNG', async () => {
    const svg = await QRCode.toString(`otpauth://totp/LinkedIn:x?secret=${KEY}`, { type: 'svg' });
    site.on(`GET ${S}/qr.svg`, { body: Buffer.from(svg), contentType: 'image/svg+xml' });
    const key = await keyAt({
      qrHtml: `<img class="authenticator-QRImage" alt="QR code" src="${S}/qr.svg" width="120" height="120">`,
    });
    expect(key.qrPng!.subarray(0, 8)).toEqual(PNG_SIGNATURE);
  });
});

describe('turnOff', () => {
  it('turns off with the password; a wrong password is reported', async () => {
    const { state } = serveFlow({ on: true });
    await settings().open();
    expect(await settings().turnOff('wrong')).toBe('wrong_password');
    expect(await settings().turnOff(PASSWORD)).toBe('ok');
    expect(state.on).toBe(false);
    expect(await settings().status()).toEqual({ on: false });
  });

  it('asks the code provider when a current code is required', async () => {
    const { state } = serveFlow({ on: true, disableNeedsCode: true });
    await settings().open();
    const codes = ['000000', GOOD_CODE];
    expect(await settings().turnOff(PASSWORD, () => Promise.resolve(codes.shift()!))).toBe(
      'wrong_code',
    );
    expect(await settings().turnOff(PASSWORD, () => Promise.resolve(codes.shift()!))).toBe('ok');
    expect(state.on).toBe(false);
  });

  it('throws CodeRequiredError without a provider', async () => {
    serveFlow({ on: true, disableNeedsCode: true });
    await settings().open();
    await expect(settings().turnOff(PASSWORD)).rejects.toBeInstanceOf(CodeRequiredError);
  });

  it('throws IdentityCheckRequiredError on an identity check', async () => {
    site.on(`GET ${S}`, 'settings-identity-pin.html');
    await settings().open();
    await expect(settings().turnOff(PASSWORD)).rejects.toBeInstanceOf(IdentityCheckRequiredError);
  });
});
