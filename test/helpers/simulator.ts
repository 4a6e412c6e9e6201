/**
 * Starts an in-process simulator on a free port with an adjustable clock, and drives its
 * control API over HTTP with fetch (as the demo and benchmarks do). Also a tiny cookie-jar
 * HTTP client for browserless flow tests.
 */
import { randomUUID } from 'node:crypto';
import { startSimulator, type RunningSimulator } from '../../simulator/server';
import type { Settings } from '../../simulator/settings';
import { totp } from '../../simulator/totp';
import type { Browser, BrowserContext, Page } from 'puppeteer-core';
import { launchTestBrowser } from './browser';

/** The JSON view GET /__sim/accounts/:email returns. */
export interface SimAccountView {
  email: string;
  twoFactor: {
    enabled: boolean;
    method: string | null;
    key: string | null;
    recoveryCodes: string[];
  };
  sessions: { id: string; createdAt: string; expiresAt: string; recognized: boolean }[];
  pending: { approval?: true; emailPin?: true; captcha?: true };
  counters: { codesAccepted: number; codesRejected: number; codesReplayed: number; logins: number };
}

/** One outbox message. */
export interface SimMessage {
  to: string;
  channel: 'email' | 'sms';
  subject: string;
  body: string;
  code: string | null;
  sentAt: string;
}

/** A control API answer: status and JSON body. */
export interface ControlReply {
  status: number;
  body: { message?: string; [field: string]: unknown } | null;
}

/** A simulator for one test file. */
export interface TestSimulator {
  readonly url: string;
  readonly sim: RunningSimulator;
  /** Moves the simulator's real clock forward (ms). */
  advance(ms: number): void;
  /** The simulated time (clock + clockOffsetSec fault) in ms. */
  now(): number;
  /** The current TOTP code for a key on the simulated clock, `stepOffset` steps away. */
  code(key: string, stepOffset?: number): string;
  /** Any /__sim call; returns status and parsed JSON. */
  control(method: string, path: string, body?: unknown): Promise<ControlReply>;
  createAccount(body: Record<string, unknown>): Promise<SimAccountView>;
  account(email: string): Promise<SimAccountView>;
  patch(email: string, body: Record<string, unknown>): Promise<SimAccountView>;
  outbox(to: string): Promise<SimMessage[]>;
  close(): Promise<void>;
}

/** A unique, valid email for one test. */
export function uniqueEmail(tag = 'member'): string {
  return `${tag}-${randomUUID().slice(0, 8)}@example.com`;
}

/** Starts a simulator on a free port. */
export async function startTestSimulator(
  settings: Partial<Settings> = {},
  seed?: number,
): Promise<TestSimulator> {
  let shift = 0;
  const sim = await startSimulator({ port: 0, settings, now: () => Date.now() + shift, seed });
  const control: TestSimulator['control'] = async (method, path, body) => {
    const res = await fetch(`${sim.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as ControlReply['body']) : null };
  };
  const ok = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const r = await control(method, path, body);
    if (r.status >= 300)
      throw new Error(`${method} ${path} → ${r.status} ${JSON.stringify(r.body)}`);
    return r.body as T;
  };
  const enc = encodeURIComponent;
  return {
    url: sim.url,
    sim,
    advance: (ms) => {
      shift += ms;
    },
    now: () => sim.state.now(),
    code: (key, stepOffset = 0) => totp(key, sim.state.now() + stepOffset * 30_000),
    control,
    createAccount: (body) => ok('POST', '/__sim/accounts', body),
    account: (email) => ok('GET', `/__sim/accounts/${enc(email)}`),
    patch: (email, body) => ok('PATCH', `/__sim/accounts/${enc(email)}`, body),
    outbox: (to) => ok('GET', `/__sim/outbox?to=${enc(to)}`),
    close: () => sim.close(),
  };
}

/**
 * Registers the lifecycle of a Chromium-against-simulator test file: one browser and one
 * simulator (handed to `assign`) for the file; contexts opened with the returned `newPage` are
 * closed and faults cleared after each test.
 */
export function useSimulatorInChromium(
  settings: Partial<Settings>,
  assign: (t: TestSimulator) => void,
): () => Promise<{ context: BrowserContext; page: Page }> {
  let browser: Browser;
  let t: TestSimulator;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    [browser, t] = await Promise.all([launchTestBrowser(), startTestSimulator(settings)]);
    assign(t);
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
    await t.control('DELETE', '/__sim/faults');
  });
  afterAll(async () => {
    await browser.close();
    await t.close();
  });
  return async () => {
    const context = await browser.createBrowserContext();
    contexts.push(context);
    return { context, page: await context.newPage() };
  };
}

/** A minimal HTTP client with a cookie jar that does not follow redirects. */
export class CookieClient {
  readonly jar = new Map<string, string>();
  constructor(private readonly origin: string) {}

  /** GET or POST (urlencoded `form`); returns status, Location, body and headers. */
  async request(
    path: string,
    form?: Record<string, string>,
  ): Promise<{ status: number; location: string | null; text: string; headers: Headers }> {
    const cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(`${this.origin}${path}`, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        ...(cookie ? { cookie } : {}),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (/Max-Age=0/.test(c)) this.jar.delete(name);
      else this.jar.set(name, value);
    }
    return {
      status: res.status,
      location: res.headers.get('location'),
      text: await res.text(),
      headers: res.headers,
    };
  }

  /** Signs in with the classic form; returns the redirect target. */
  async login(email: string, password: string): Promise<string | null> {
    await this.request('/login');
    const r = await this.request('/checkpoint/lg/login-submit', {
      session_key: email,
      session_password: password,
    });
    return r.location;
  }

  /** From a challenge URL, posts `pin` to /checkpoint/challenge/verify. */
  async verify(challengeUrl: string, pin: string, extra: Record<string, string> = {}) {
    const challengeId = /\/checkpoint\/challenge\/([^?]+)/.exec(challengeUrl)![1]!;
    return this.request('/checkpoint/challenge/verify', { challengeId, pin, ...extra });
  }
}

/** Clicks and waits for the navigation it causes. */
export async function clickAndWait(page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

/**
 * Hand-written classic sign-in, with the ids of linkedin-flows.md §1.1 only: #username,
 * #password, #rememberMeOptIn-checkbox, the login-submit button.
 */
export async function classicSignIn(
  page: Page,
  origin: string,
  email: string,
  password: string,
  remember = true,
): Promise<void> {
  await page.goto(`${origin}/login`);
  await fill(page, '#username', email);
  await fill(page, '#password', password);
  const checked = await page.$eval(
    '#rememberMeOptIn-checkbox',
    (el) => (el as HTMLInputElement).checked,
  );
  if (checked !== remember) await page.click('#rememberMeOptIn-checkbox');
  await clickAndWait(page, 'button[data-litms-control-urn="login-submit"]');
}

/** Visible text of the first element matching `selector`, or null. */
export async function textOf(page: Page, selector: string): Promise<string | null> {
  return page.$eval(selector, (el) => (el as HTMLElement).innerText.trim()).catch(() => null);
}

/** True when `selector` matches an element that is rendered (not display:none / hidden). */
export async function isVisible(page: Page, selector: string): Promise<boolean> {
  const el = await page.$(selector);
  return el ? (await el.boundingBox()) !== null : false;
}

/** Sets an input's value (faster than typing on a loaded machine) and fires input/change. */
export async function fill(page: Page, selector: string, value: string): Promise<void> {
  await page.$eval(
    selector,
    (el, v) => {
      const input = el as HTMLInputElement;
      input.value = v;
      input.dispatchEvent(new Event('input', { bubbles: true }));
      input.dispatchEvent(new Event('change', { bubbles: true }));
    },
    value,
  );
}
