/**
 * The 2025–26 login UI (spec §1.4): no <form>, no fixed ids, inputs found by `autocomplete`,
 * a `type=button` "Sign in", and two copies of the panel of which the first is hidden. A small
 * inline script posts the SDUI login action and follows the returned URL.
 */
import { html, jsonForScript, raw, type SafeHtml } from '../html';
import { layout } from './layout';
import { LOGIN_TITLE } from './login';

/** URL of the SDUI action the modern page posts to (spec §0). */
export const SDUI_LOGIN_PATH = '/flagship-web/rsc-action/actions/server-request';
/** The SDUI action name (spec §1.4). */
export const SDUI_LOGIN_ACTION = 'com.linkedin.sdui.requests.login.authenticate';

function panel(copy: number, hidden: boolean, email: string): SafeHtml {
  return html`<section
    class="sdui-login-panel"
    data-sdui-panel="${copy}"
    ${hidden ? raw(' hidden aria-hidden="true"') : null}
  >
    <h1>Sign in</h1>
    <div>
      <input
        type="email"
        autocomplete="username webauthn"
        aria-label="Email or phone"
        placeholder="Email or phone"
        value="${email}"
      />
    </div>
    <div data-sdui-error="identifier" role="alert" hidden></div>
    <div>
      <input
        type="password"
        autocomplete="current-password"
        aria-label="Password"
        placeholder="Password"
      />
      <button type="button" data-sdui-show aria-label="Show password">Show</button>
    </div>
    <div data-sdui-error="password" role="alert" hidden></div>
    <label><input type="checkbox" data-sdui-remember checked /> Keep me logged in</label>
    <button type="button" data-sdui-submit>Sign in</button>
    <div data-sdui-error="global" role="alert" hidden></div>
    <div class="sdui-social">
      <button type="button" aria-label="Sign in with Apple">Sign in with Apple</button>
      <button type="button" aria-label="Continue with Google">Continue with Google</button>
    </div>
  </section>`;
}

const SCRIPT = raw(`
document.querySelectorAll('[data-sdui-panel]').forEach(function (p) {
  var show = p.querySelector('[data-sdui-show]');
  var pw = p.querySelector('input[autocomplete=current-password]');
  show.addEventListener('click', function () {
    pw.type = pw.type === 'password' ? 'text' : 'password';
    show.textContent = pw.type === 'password' ? 'Show' : 'Hide';
  });
  p.querySelector('[data-sdui-submit]').addEventListener('click', function () {
    p.querySelectorAll('[data-sdui-error]').forEach(function (e) { e.hidden = true; e.textContent = ''; });
    var body = {
      action: CFG.action,
      identifier: p.querySelector('input[autocomplete~=username]').value,
      password: pw.value,
      rememberMeOptInCheckboxState: p.querySelector('[data-sdui-remember]').checked,
      apfc: '',
      session_redirect: CFG.redirect
    };
    fetch(CFG.path, { method: 'POST', headers: { 'content-type': 'application/json', 'csrf-token': CFG.csrf }, body: JSON.stringify(body), credentials: 'same-origin' })
      .then(function (r) { return r.json(); })
      .then(function (j) {
        if (j.redirectUrl) { location.assign(j.redirectUrl); return; }
        var e = p.querySelector('[data-sdui-error=' + (j.error && j.error.field || 'global') + ']');
        e.textContent = (j.error && j.error.message) || 'Something unexpected happened.';
        e.hidden = false;
      })
      .catch(function () { var e = p.querySelector('[data-sdui-error=global]'); e.textContent = 'Something unexpected happened.'; e.hidden = false; });
  });
});`);

/** The modern `/login` page. */
export function modernLoginPage(csrf: string, sessionRedirect: string, email = ''): SafeHtml {
  const cfg = { action: SDUI_LOGIN_ACTION, path: SDUI_LOGIN_PATH, csrf, redirect: sessionRedirect };
  return layout(
    LOGIN_TITLE,
    html`<div class="sdui-root" data-sdui-screen="login">
      ${panel(1, true, email)} ${panel(2, false, email)}
    </div>`,
    { script: html`var CFG = ${jsonForScript(cfg)};${SCRIPT}` },
  );
}
