/** CheckpointPage: authenticator code, e-mail PIN, app approval, interstitials. */
import type { Page } from 'puppeteer-core';
import { CheckpointPage, WrongScreenError } from '../../workers/site';
import { FakeSite, ORIGIN, usePageFixture, visit } from './helpers';

let page: Page;
let site: FakeSite;

usePageFixture(
  () => new FakeSite().on('GET /feed/', 'feed.html'),
  (f) => ({ page, site } = f),
);

const CH = '/checkpoint/challenge/AQFake';
const VERIFY = '/checkpoint/challenge/verify';
const WRONG = "The verification code you entered isn't valid. Please check the code and try again.";
const cp = (timeoutMs = 5_000): CheckpointPage => new CheckpointPage(page, ORIGIN, { timeoutMs });

describe('authenticator prompt', () => {
  it('types the code into #input__phone_verification_pin, ticks #recognizedDevice, submits', async () => {
    site.on(`GET ${CH}`, 'authenticator.html').on(`POST ${VERIFY}`, { redirect: '/feed/' });
    await visit(page, `${CH}?ut=2UV`);
    const r = await cp().submitAuthenticatorCode('123456', { rememberBrowser: true });
    expect(r).toEqual({ outcome: 'accepted', error: null, next: { kind: 'feed' } });
    const [body] = site.posted(VERIFY);
    expect(body?.get('pin')).toBe('123456');
    expect(body?.get('recognizedDevice')).toBe('on');
    expect(body?.get('challengeId')).toBe('AQFakeChallengeId');
  });

  it('leaves #recognizedDevice unticked when asked', async () => {
    site.on(`GET ${CH}`, 'authenticator.html').on(`POST ${VERIFY}`, { redirect: '/feed/' });
    await visit(page, CH);
    await cp().submitAuthenticatorCode('123456', { rememberBrowser: false });
    expect(site.posted(VERIFY)[0]?.has('recognizedDevice')).toBe(false);
  });

  it('reports a rejected code with the site text, and readError() reads it', async () => {
    site.on(`GET ${CH}`, 'authenticator.html').on(`POST ${VERIFY}`, {
      fixture: 'authenticator.html',
      vars: { ERROR: WRONG },
    });
    await visit(page, CH);
    const r = await cp().submitAuthenticatorCode('000000');
    expect(r).toMatchObject({
      outcome: 'rejected',
      error: WRONG,
      next: { kind: 'authenticator_prompt' },
    });
    expect(await cp().readError()).toBe(WRONG);
  });

  it('does not read a stale error as the answer to a second code', async () => {
    site.on(`GET ${CH}`, { fixture: 'authenticator.html', vars: { ERROR: WRONG } });
    site.on(`POST ${VERIFY}`, { redirect: '/checkpoint/challenge/complete' });
    site.on('GET /checkpoint/challenge/complete', 'blank-interim.html');
    await visit(page, CH);
    const r = await cp().submitAuthenticatorCode('654321');
    expect(r).toEqual({ outcome: 'accepted', error: null, next: { kind: 'feed' } });
  });

  it('refuses to type a code on another screen', async () => {
    site.on(`GET ${CH}`, 'email-pin.html');
    await visit(page, CH);
    await expect(cp().submitAuthenticatorCode('123456')).rejects.toBeInstanceOf(WrongScreenError);
    expect(site.posted(VERIFY)).toHaveLength(0);
  });
});

describe('e-mail PIN', () => {
  it('submits the PIN; a wrong one is reported', async () => {
    let n = 0;
    site.on(`GET ${CH}`, 'email-pin.html').on(`POST ${VERIFY}`, () =>
      n++ === 0
        ? {
            fixture: 'email-pin.html',
            vars: { ERROR_CLASS: '', ERROR: "Hmm, that's not the right code" },
          }
        : { redirect: '/feed/' },
    );
    await visit(page, CH);
    expect(await cp().submitEmailPin('111111')).toMatchObject({
      outcome: 'rejected',
      error: "Hmm, that's not the right code",
    });
    expect(await cp().submitEmailPin('222222')).toMatchObject({
      outcome: 'accepted',
      next: { kind: 'feed' },
    });
    expect(site.posted(VERIFY).map((b) => b.get('pin'))).toEqual(['111111', '222222']);
  });
});

describe('app approval', () => {
  it('tryAnotherWay() leads to the authenticator form', async () => {
    site
      .on(`GET ${CH}`, 'app-approval.html')
      .on('GET /checkpoint/challenge/status', { json: { status: 'pending' } });
    site.on(`GET ${CH}/authenticator`, 'authenticator.html');
    await visit(page, CH);
    expect(await cp().tryAnotherWay()).toMatchObject({ kind: 'authenticator_prompt' });
  });

  it('waitForApproval() → approved when the page redirects by itself', async () => {
    let polls = 0;
    site
      .on(`GET ${CH}`, 'app-approval.html')
      .on('GET /checkpoint/challenge/status', () =>
        ++polls < 3 ? { json: { status: 'pending' } } : { json: { redirectUrl: '/feed/' } },
      );
    await visit(page, CH);
    expect(await cp().waitForApproval({ timeoutMs: 5_000 })).toBe('approved');
    expect(page.url()).toBe(`${ORIGIN}/feed/`);
  });

  it.each([
    ['denied', 'This sign-in request was denied'],
    ['expired', 'This request has expired'],
  ])('waitForApproval() → %s', async (state, text) => {
    site.on(`GET ${CH}`, 'app-approval.html').on('GET /checkpoint/challenge/status', {
      json: { redirectUrl: `${CH}/ended` },
    });
    site.on(`GET ${CH}/ended`, { fixture: 'app-approval-ended.html', vars: { TEXT: text } });
    await visit(page, CH);
    expect(await cp().waitForApproval({ timeoutMs: 5_000 })).toBe(state);
  });

  it('waitForApproval() → timeout while still pending', async () => {
    site
      .on(`GET ${CH}`, 'app-approval.html')
      .on('GET /checkpoint/challenge/status', { json: { status: 'pending' } });
    await visit(page, CH);
    expect(await cp().waitForApproval({ timeoutMs: 600 })).toBe('timeout');
  });
});

describe('interstitials', () => {
  it('skips /check/add-phone', async () => {
    site
      .on('GET /check/add-phone', 'add-phone.html')
      .on('POST /checkpoint/post-login/security/dismiss-phone-event', { redirect: '/feed/' });
    await visit(page, '/check/add-phone');
    expect(await cp().skipInterstitial()).toEqual({ kind: 'feed' });
  });

  it('skips /check/manage-account with its Skip button (not Confirm)', async () => {
    site
      .on('GET /check/manage-account', 'manage-account.html')
      .on('GET /check/manage-account/skip', { redirect: '/feed/' });
    await visit(page, '/check/manage-account');
    expect(await cp().skipInterstitial()).toEqual({ kind: 'feed' });
    expect(site.posted('/check/manage-account')).toHaveLength(0);
  });
});
