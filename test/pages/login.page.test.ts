/** LoginPage on the classic form, the modern variant (hidden first panel) and Welcome back. */
import type { Page } from 'puppeteer-core';
import { LoginPage } from '../../workers/site';
import { FakeSite, ORIGIN, usePageFixture } from './helpers';

let page: Page;
let site: FakeSite;

usePageFixture(
  () => new FakeSite().on('GET /feed/', 'feed.html'),
  (f) => ({ page, site } = f),
);

const EMAIL = 'owner@example.test';
const PASSWORD = 'correct horse battery';
const SUBMIT = '/checkpoint/lg/login-submit';
const SDUI = '/flagship-web/rsc-action/actions/server-request';
const login = (): LoginPage => new LoginPage(page, ORIGIN, { timeoutMs: 5_000 });

describe('LoginPage, classic form', () => {
  it('posts the credentials and "keep me logged in", and lands on the feed', async () => {
    site.on('GET /login', 'login-classic.html').on(`POST ${SUBMIT}`, { redirect: '/feed/' });
    const lp = login();
    expect(await lp.open()).toMatchObject({ kind: 'login', variant: 'classic' });
    expect(await lp.signIn(EMAIL, PASSWORD, { remember: true })).toEqual({ kind: 'feed' });
    const [body] = site.posted(SUBMIT);
    expect(body?.get('session_key')).toBe(EMAIL);
    expect(body?.get('session_password')).toBe(PASSWORD);
    expect(body?.get('rememberMeOptIn')).toBe('true');
    expect(body?.get('csrfToken')).toMatch(/^ajax:/);
  });

  it('unticks "keep me logged in" when asked', async () => {
    site.on('GET /login', 'login-classic.html').on(`POST ${SUBMIT}`, { redirect: '/feed/' });
    await login().open();
    await login().signIn(EMAIL, PASSWORD, { remember: false });
    expect(site.posted(SUBMIT)[0]?.has('rememberMeOptIn')).toBe(false);
  });

  it('reports a wrong password (page re-rendered at the submit URL)', async () => {
    site.on('GET /login', 'login-classic.html').on(`POST ${SUBMIT}`, {
      fixture: 'login-classic.html',
      vars: {
        PW_ERROR_CLASS: '',
        PW_ERROR: "That's not the right password. Try again or sign in with a one-time link",
      },
    });
    await login().open();
    expect(await login().signIn(EMAIL, 'wrong')).toMatchObject({
      kind: 'bad_credentials',
      field: 'password',
    });
    expect(page.url()).toBe(`${ORIGIN}${SUBMIT}`);
  });

  it('can sign in again after a wrong password', async () => {
    site.on('GET /login', 'login-classic.html').on(`POST ${SUBMIT}`, (r) =>
      new URLSearchParams(r.body).get('session_password') === PASSWORD
        ? { redirect: '/feed/' }
        : {
            fixture: 'login-classic.html',
            vars: { PW_ERROR_CLASS: '', PW_ERROR: 'Wrong email or password.' },
          },
    );
    await login().open();
    expect(await login().signIn(EMAIL, 'wrong')).toMatchObject({ kind: 'bad_credentials' });
    expect(await login().signIn(EMAIL, PASSWORD)).toEqual({ kind: 'feed' });
    expect(site.posted(SUBMIT)).toHaveLength(2);
  });

  it('signs in again when the site switches this browser to the modern UI after a submit', async () => {
    site
      .on('GET /login', (r) => ({
        fixture: r.search.includes('bucket') ? 'login-modern.html' : 'login-classic.html',
      }))
      .on(`POST ${SUBMIT}`, { redirect: '/login?bucket=modern' })
      .on(`POST ${SDUI}`, { json: { redirectUrl: '/feed/' } });
    await login().open();
    expect(await login().signIn(EMAIL, PASSWORD)).toEqual({ kind: 'feed' });
    expect(site.posted(SUBMIT)).toHaveLength(1);
    expect(site.seen.filter((s) => s.path === SDUI)).toHaveLength(1);
  });

  it('returns a checkpoint it lands on, for the caller', async () => {
    site
      .on('GET /login', 'login-classic.html')
      .on(`POST ${SUBMIT}`, { redirect: '/checkpoint/challenge/AQFake?ut=2UV' })
      .on('GET /checkpoint/challenge/AQFake', 'authenticator.html');
    await login().open();
    expect(await login().signIn(EMAIL, PASSWORD)).toMatchObject({ kind: 'authenticator_prompt' });
  });
});

describe('LoginPage, modern variant', () => {
  it('fills the visible panel (the first copy is hidden) and follows the returned URL', async () => {
    site
      .on('GET /login', 'login-modern.html')
      .on(`POST ${SDUI}`, { json: { redirectUrl: '/checkpoint/challenge/AQFake?ut=1' } })
      .on('GET /checkpoint/challenge/AQFake', 'authenticator.html');
    expect(await login().open()).toMatchObject({ kind: 'login', variant: 'modern' });
    expect(await login().signIn(EMAIL, PASSWORD, { remember: false })).toMatchObject({
      kind: 'authenticator_prompt',
    });
    const posts = site.seen.filter((s) => s.method === 'POST' && s.path === SDUI);
    expect(posts).toHaveLength(1);
    expect(JSON.parse(posts[0]!.body)).toEqual({
      action: 'com.linkedin.sdui.requests.login.authenticate',
      identifier: EMAIL,
      password: PASSWORD,
      rememberMeOptInCheckboxState: false,
      panel: '2',
    });
  });

  it('reports a wrong password shown in the panel', async () => {
    site.on('GET /login', 'login-modern.html').on(`POST ${SDUI}`, {
      json: { error: 'Wrong email or password. Try again or create an account.' },
    });
    await login().open();
    expect(await login().signIn(EMAIL, 'wrong')).toMatchObject({
      kind: 'bad_credentials',
      field: 'password',
    });
  });
});

describe('LoginPage, Welcome back', () => {
  beforeEach(() => {
    site.on(`POST ${SUBMIT}`, { redirect: '/feed/' }).on('GET /login', (req) => ({
      fixture: req.search.includes('rememberMe=reveal')
        ? 'login-welcome-back-password.html'
        : 'login-welcome-back.html',
      vars: { EMAIL },
    }));
  });

  it('picks the remembered member, then types the password', async () => {
    expect(await login().open()).toMatchObject({ kind: 'login', variant: 'welcome_back' });
    expect(await login().signIn(EMAIL, PASSWORD)).toEqual({ kind: 'feed' });
    const [body] = site.posted(SUBMIT);
    expect(body?.get('session_key')).toBe(EMAIL);
    expect(body?.get('session_password')).toBe(PASSWORD);
  });

  it('chooses "Sign in using another account" for someone else', async () => {
    site.on('GET /login/other', 'login-classic.html');
    await login().open();
    expect(await login().signIn('other@example.test', PASSWORD)).toEqual({ kind: 'feed' });
    expect(site.seen.some((s) => s.path === '/login/other')).toBe(true);
    expect(site.posted(SUBMIT)[0]?.get('session_key')).toBe('other@example.test');
  });
});

it('open() on a live session returns the feed untouched', async () => {
  site.on('GET /login', { redirect: '/feed/' });
  expect(await login().open()).toEqual({ kind: 'feed' });
  expect(await login().signIn(EMAIL, PASSWORD)).toEqual({ kind: 'feed' });
  expect(site.posted(SUBMIT)).toHaveLength(0);
});
