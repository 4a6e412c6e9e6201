/**
 * The simulator's HTTP server on node:http: a small route table, fault injection, and a
 * catch-all so no request can crash the process. Start it in-process with
 * {@link startSimulator}, or from the CLI (simulator/main.ts).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CONTROL_ROUTES } from './control';
import {
  BadRequestError,
  MAX_BODY_BYTES,
  MAX_CONTROL_BODY_BYTES,
  parseCookies,
  readBody,
  sendHtml,
  sendJson,
  type Ctx,
} from './http';
import { errorPage } from './pages/layout';
import {
  getCaptchaFrame,
  getChallenge,
  getComplete,
  getStatus,
  getSwitch,
  postResend,
  postVerify,
} from './routes/checkpoint';
import { getLogin, postClassicLogin, postSduiLogin } from './routes/login';
import {
  dismissInterstitial,
  getAccountReview,
  getAuthwall,
  getFeed,
  getHome,
  getInterstitial,
  getLogout,
} from './routes/member';
import {
  getApprovalStatus,
  getPhoneAdd,
  getSettings,
  postPhoneAdd,
  postSettings,
} from './routes/settings';
import type { Settings } from './settings';
import { SimState } from './state';

type Handler = (ctx: Ctx) => void | Promise<void>;
type Route = [method: string, pattern: RegExp, handler: Handler];

const SETTINGS_RE =
  '(?:/mypreferences/d/two-factor-authentication|/psettings/two-step-verification)';

/** The site routes, first match wins (specific checkpoint paths before the opaque id). */
const SITE_ROUTES: Route[] = [
  ['GET', /^\/$/, getHome],
  [
    'GET',
    /^\/(?:login|uas\/login|login\/[a-z]{2}(?:-[a-z]{2})?|checkpoint\/lg\/login)\/?$/,
    getLogin,
  ],
  ['POST', /^\/(?:checkpoint\/lg\/login-submit|uas\/login-submit)\/?$/, postClassicLogin],
  ['POST', /^\/flagship-web\/rsc-action\/actions\/server-request$/, postSduiLogin],
  ['POST', /^\/checkpoint\/challenge\/verify(?:V2)?$/, postVerify],
  ['POST', /^\/checkpoint\/challenge\/resend$/, postResend],
  ['GET', /^\/checkpoint\/challenge\/status$/, getStatus],
  ['GET', /^\/checkpoint\/challenge\/switch$/, getSwitch],
  ['GET', /^\/checkpoint\/challenge\/complete$/, getComplete],
  ['GET', /^\/checkpoint\/challenge\/(?:funC|c)aptchaInternal$/, getCaptchaFrame],
  ['GET', /^\/checkpoint\/challenge\/([A-Za-z0-9_-]+)$/, getChallenge],
  ['GET', /^\/feed\/?$/, getFeed],
  ['GET', /^\/authwall\/?$/, getAuthwall],
  ['GET', /^\/check\/account-review$/, getAccountReview],
  ['GET', /^\/check\/(?:add-phone|manage-account)\/?$/, getInterstitial],
  ['POST', /^\/checkpoint\/post-login\/security\/dismiss-phone-event$/, dismissInterstitial],
  ['POST', /^\/check\/manage-account\/?$/, dismissInterstitial],
  ['GET', /^\/check\/manage-account\/skip$/, dismissInterstitial],
  ['GET', /^\/m\/logout\/?$/, getLogout],
  ['GET', new RegExp(`^${SETTINGS_RE}/approval-status$`), getApprovalStatus],
  ['GET', new RegExp(`^${SETTINGS_RE}/?$`), getSettings],
  ['POST', new RegExp(`^${SETTINGS_RE}/?$`), postSettings],
  ['GET', /^\/psettings\/phone\/add$/, getPhoneAdd],
  ['POST', /^\/psettings\/phone\/add$/, postPhoneAdd],
];

function createCtx(req: IncomingMessage, res: ServerResponse, state: SimState): Ctx {
  let body: Promise<string> | undefined;
  const limit = req.url?.startsWith('/__sim/') ? MAX_CONTROL_BODY_BYTES : MAX_BODY_BYTES;
  const text = (): Promise<string> => (body ??= readBody(req, limit));
  return {
    req,
    res,
    state,
    url: new URL(req.url ?? '/', 'http://127.0.0.1'),
    cookies: parseCookies(req.headers.cookie),
    params: [],
    setCookies: [],
    form: async () => new URLSearchParams(await text()),
    json: async () => {
      const t = await text();
      if (t.trim() === '') return undefined;
      try {
        return JSON.parse(t) as unknown;
      } catch {
        throw new BadRequestError('(body): not valid JSON');
      }
    },
  };
}

function match(routes: readonly Route[], method: string, path: string): [Handler, string[]] | null {
  const m = method === 'HEAD' ? 'GET' : method;
  for (const [rm, re, handler] of routes) {
    if (rm !== m) continue;
    const found = re.exec(path);
    if (found) return [handler, found.slice(1)];
  }
  return null;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Handles one request; never throws. */
async function handle(req: IncomingMessage, res: ServerResponse, state: SimState): Promise<void> {
  let ctx: Ctx | undefined;
  let control = false;
  try {
    ctx = createCtx(req, res, state);
    const path = ctx.url.pathname;
    control = path.startsWith('/__sim/');
    if (!control) {
      const f = state.faults;
      const delay = f.latencyMs + (f.jitterMs > 0 ? state.rng() * f.jitterMs : 0);
      if (delay > 0) await sleep(delay);
      if (f.errorRate > 0 && state.rng() < f.errorRate) {
        return sendHtml(ctx, errorPage('Something went wrong', 'Please try again later.'), 500);
      }
    }
    const found = match(control ? CONTROL_ROUTES : SITE_ROUTES, req.method ?? 'GET', path);
    if (!found) {
      if (control)
        return sendJson(
          ctx,
          { error: 'not_found', message: `no route ${req.method} ${path}` },
          404,
        );
      return sendHtml(ctx, errorPage('Page not found', "This page doesn't exist."), 404);
    }
    ctx.params = found[1];
    await found[0](ctx);
  } catch (err) {
    if (!ctx || res.headersSent) {
      res.destroy();
      return;
    }
    const status = err instanceof BadRequestError ? err.status : 500;
    if (status === 413) res.setHeader('connection', 'close');
    const message = err instanceof BadRequestError ? err.message : 'internal error';
    if (control) {
      sendJson(ctx, { error: status === 500 ? 'internal' : 'bad_request', message }, status);
    } else {
      sendHtml(ctx, errorPage(status === 500 ? 'Something went wrong' : 'Oops!', message), status);
    }
  }
}

/** Options of {@link startSimulator}. */
export interface SimulatorOptions {
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Loopback only: 127.0.0.1 (default), localhost or ::1; any address with `listenAnywhere`. */
  readonly host?: string;
  /**
   * Allows a non-loopback `host` (the docker-compose demo profile, where the workers reach the
   * simulator over the compose network). The /__sim control API has no auth: never expose it
   * beyond a private network.
   */
  readonly listenAnywhere?: boolean;
  readonly settings?: Partial<Settings>;
  /** Real clock in ms (default Date.now); faults.clockOffsetSec is added on top. */
  readonly now?: () => number;
  /** Seeds the fault/delay RNG for reproducible runs. */
  readonly seed?: number;
}

/** A running simulator. */
export interface RunningSimulator {
  /** Origin, e.g. http://127.0.0.1:4010 (no trailing slash). */
  readonly url: string;
  readonly port: number;
  readonly state: SimState;
  close(): Promise<void>;
}

/** Starts a simulator bound to loopback. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const host = options.host ?? '127.0.0.1';
  if (!options.listenAnywhere && !['127.0.0.1', 'localhost', '::1'].includes(host)) {
    throw new Error(`host: the simulator binds to loopback only, not ${host}`);
  }
  const state = new SimState({ settings: options.settings, now: options.now, seed: options.seed });
  const server = createServer((req, res) => void handle(req, res, state));
  server.keepAliveTimeout = 5_000;
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host === '::1' ? '[::1]' : host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    state,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
