/**
 * The owner page: a small server-rendered page per account for a non-technical owner, opened
 * from a one-time link the main app asks for (`POST /v1/accounts/:id/owner-link`). Opening the
 * link exchanges it for a session cookie (HttpOnly, SameSite=Strict, 1 h); every form carries
 * the session's CSRF token. Everything goes through the typed client as actor `api:owner-page`,
 * so the toggle guard, reveal limit and audit apply exactly as for the main app.
 */
import express, { type Request, type Response, type Router } from 'express';
import type { FleetClient } from '../queues/client';
import type { AccountRecord, OwnerSession, Repositories } from '../shared/db';
import { FleetError, NeedsHumanError } from '../shared/errors';
import { sameSecret } from './auth';
import { errorResponse } from './errors';

export const OWNER_PATH = '/owner';
const COOKIE = 'li2fa_owner';
const META = { actor: 'api:owner-page' } as const;

const esc = (s: string | number | null | undefined): string =>
  String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function cookieOf(req: Request): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === COOKIE) return decodeURIComponent(v.join('='));
  }
  return null;
}

const TWO_FACTOR_TEXT: Record<string, string> = {
  off: 'off',
  enrolling: 'being turned on…',
  awaiting_app_approval: 'waiting for you: open the LinkedIn app on your phone and tap Yes',
  awaiting_email_code: 'waiting for you: LinkedIn e-mailed you a code; enter it below',
  on: 'on — this service answers LinkedIn’s code prompts for you',
  disabling: 'being turned off…',
  error: 'stopped',
};

interface PageExtras {
  readonly notice?: string;
  readonly error?: string;
  readonly qrPng?: Buffer;
  readonly remainingReveals?: number;
}

function page(a: AccountRecord, s: OwnerSession, x: PageExtras = {}): string {
  const tf = a.twoFactor;
  const csrf = `<input type="hidden" name="csrf" value="${esc(s.csrf)}">`;
  const busy = ['enrolling', 'awaiting_app_approval', 'awaiting_email_code', 'disabling'].includes(
    tf.state,
  );
  const wantsCode = tf.state === 'awaiting_email_code' || a.statusReason === 'email_pin';
  const forms: string[] = [];
  if (tf.state === 'on') {
    forms.push(
      `<form method="post" action="${OWNER_PATH}/toggle">${csrf}<input type="hidden" name="desired" value="off"><button id="toggle" type="submit">Turn off two-step verification</button></form>`,
    );
    forms.push(
      `<form method="post" action="${OWNER_PATH}/qr">${csrf}<button id="show-qr" type="submit">Show QR code</button></form>`,
    );
    forms.push(
      tf.ownerHasCopy
        ? '<p id="owner-copy">Your authenticator app holds the key.</p>'
        : `<form method="post" action="${OWNER_PATH}/confirm">${csrf}<label for="confirm-code">Enter a code from your app</label> <input id="confirm-code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="8"> <button id="confirm" type="submit">Confirm</button></form>`,
    );
  } else if (!busy) {
    forms.push(
      `<form method="post" action="${OWNER_PATH}/toggle">${csrf}<input type="hidden" name="desired" value="on"><button id="toggle" type="submit">Enable Two-Step Authentication</button></form>`,
    );
  }
  if (wantsCode) {
    forms.push(
      `<form method="post" action="${OWNER_PATH}/email-code">${csrf}<label for="email-code">Code from LinkedIn’s e-mail</label> <input id="email-code" name="code" inputmode="numeric" maxlength="8"> <button id="submit-email-code" type="submit">Send code</button></form>`,
    );
  }
  const qr = x.qrPng
    ? `<p><img id="qr" alt="QR code of your key" width="240" height="240" src="data:image/png;base64,${x.qrPng.toString('base64')}"></p><p>Scan it with Microsoft or Google Authenticator. ${esc(x.remainingReveals)} reveal(s) left today.</p>`
    : '';
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Two-step verification</title>
<style>body{font-family:sans-serif;max-width:640px;margin:2em auto;padding:0 1em}.error{color:#b24020}.notice{color:#1a6b2f}button{padding:.4em 1em;margin:.3em 0}</style>
</head><body>
<h1>Two-step verification for ${esc(a.email ?? a.externalId)}</h1>
<p id="status" data-status="${esc(a.status)}">Connection: ${esc(a.statusMessage)}</p>
<p id="two-factor" data-state="${esc(tf.state)}">Two-step verification: ${esc(TWO_FACTOR_TEXT[tf.state] ?? tf.state)}${tf.state === 'error' && tf.message ? ` — ${esc(tf.message)}` : ''}</p>
${x.notice ? `<p class="notice" id="notice">${esc(x.notice)}</p>` : ''}${x.error ? `<p class="error" id="error" role="alert">${esc(x.error)}</p>` : ''}
${forms.join('\n')}
${qr}
<h2>Before you start</h2>
<ul>
<li>Your LinkedIn account must be connected (status active) first.</li>
<li>If two-step verification is already on in LinkedIn, turn it off there first (Settings and Privacy › Sign in &amp; security › Two-step verification).</li>
<li>Do not switch it on and off repeatedly: LinkedIn may lock the account. Changes are limited to one every 15 minutes and three a day.</li>
</ul>
<script>
(function(){var s=${JSON.stringify(tf.state)};setInterval(function(){fetch('${OWNER_PATH}/status.json',{credentials:'same-origin'}).then(function(r){return r.json()}).then(function(j){if(j.twoFactor&&j.twoFactor.state!==s){location.href='${OWNER_PATH}';}}).catch(function(){});},1500);})();
</script>
</body></html>`;
}

/** The owner page's router (mounted at OWNER_PATH, outside the bearer-token routes). */
export function ownerRouter(deps: {
  client: FleetClient;
  repos: Repositories;
  secureCookie: boolean;
}): Router {
  const router = express.Router();
  router.use(express.urlencoded({ extended: false, limit: '8kb' }));

  const sessionOf = async (req: Request): Promise<OwnerSession | null> => {
    const t = cookieOf(req);
    return t ? deps.repos.ownerSessions.session(t) : null;
  };
  const denied = (res: Response) =>
    res
      .status(401)
      .type('html')
      .send('<!DOCTYPE html><p>This link has expired or was already used. Ask for a new one.</p>');
  const render = async (res: Response, s: OwnerSession, x: PageExtras = {}) => {
    const a = await deps.repos.accounts.findById(s.accountId);
    if (!a || a.tenantId !== s.tenantId) return denied(res);
    res
      .set('Cache-Control', 'no-store')
      .type('html')
      .send(page(a, s, x));
  };
  const explain = (err: unknown): string => {
    if (!(err instanceof FleetError)) return 'Something went wrong; try again in a minute.';
    const { body } = errorResponse(err);
    const instruction =
      err instanceof NeedsHumanError && err.instruction ? ` ${err.instruction}` : '';
    const retry = typeof body['retryAfter'] === 'string' ? ` (after ${body['retryAfter']})` : '';
    return `${err.message}${retry}.${instruction}`;
  };

  router.get('/start', async (req, res) => {
    const token = typeof req.query['token'] === 'string' ? req.query['token'] : '';
    const opened = token ? await deps.repos.ownerSessions.exchange(token) : null;
    if (!opened) return denied(res);
    res.cookie(COOKIE, opened.token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: deps.secureCookie,
      path: OWNER_PATH,
      maxAge: opened.session.expiresAt.getTime() - Date.now(),
    });
    res.redirect(303, OWNER_PATH);
  });

  router.get('/', async (req, res) => {
    const s = await sessionOf(req);
    if (!s) return denied(res);
    await render(res, s);
  });

  router.get('/status.json', async (req, res) => {
    const s = await sessionOf(req);
    const a = s ? await deps.repos.accounts.findById(s.accountId) : null;
    if (!s || !a) return void res.status(401).json({ error: 'unauthorized' });
    res.set('Cache-Control', 'no-store').json({
      status: a.status,
      twoFactor: { state: a.twoFactor.state, ownerHasCopy: a.twoFactor.ownerHasCopy },
    });
  });

  const action =
    (fn: (s: OwnerSession, body: Record<string, string>) => Promise<PageExtras>) =>
    async (req: Request, res: Response) => {
      const s = await sessionOf(req);
      if (!s) return denied(res);
      const body = (req.body ?? {}) as Record<string, string>;
      if (!sameSecret(typeof body['csrf'] === 'string' ? body['csrf'] : null, s.csrf)) {
        return void res
          .status(403)
          .type('html')
          .send('<!DOCTYPE html><p>The form expired; reload the page.</p>');
      }
      let extras: PageExtras;
      try {
        extras = await fn(s, body);
      } catch (err) {
        extras = { error: explain(err) };
      }
      await render(res, s, extras);
    };

  router.post(
    '/toggle',
    action(async (s, b) => {
      if (b['desired'] === 'off') {
        await deps.client.disable(s.accountId, META);
        return { notice: 'Turning two-step verification off…' };
      }
      await deps.client.enable(s.accountId, META);
      return { notice: 'Turning two-step verification on… keep this page open.' };
    }),
  );
  router.post(
    '/email-code',
    action(async (s, b) => {
      await deps.client.submitEmailCode(s.accountId, b['code'] ?? '', META);
      return { notice: 'Thanks: the code was sent to LinkedIn.' };
    }),
  );
  router.post(
    '/qr',
    action(async (s) => {
      const qr = await deps.client.revealQr(s.accountId, META);
      return { qrPng: qr.png, remainingReveals: qr.remainingReveals };
    }),
  );
  router.post(
    '/confirm',
    action(async (s, b) => {
      await deps.client.confirmOwnerCopy(s.accountId, b['code'] ?? '', META);
      return { notice: 'Confirmed.' };
    }),
  );
  return router;
}
