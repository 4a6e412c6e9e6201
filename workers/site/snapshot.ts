/**
 * Redacted snapshots of an unknown screen, for the operator. Masked: every query value of the
 * URL, every input's value, every element whose class/id/name/data-* suggests a key (setup key,
 * secret, recovery codes, QR, OTP), script bodies, and — as a second net over the serialised
 * HTML — base32-looking runs of 16+ characters and runs of 6+ digits. The screenshot is taken
 * while the same elements are blanked and inputs emptied; the page is restored afterwards.
 */
import type { Page } from 'puppeteer-core';
import type { RedactedSnapshot } from './errors';
import { evaluateIn } from './in-page';

const MASK = '[masked]';
/** class/id/name/data-* that suggest secret material (key text, QR of the otpauth URI, codes). */
const KEYISH =
  'authenticator-key|authenticator-qr|qrimage|qr-image|secret|setup-key|recovery|otp|totp';

/** Masks every query value (keys stay, for triage) and drops the fragment. */
export function maskUrl(href: string): string {
  try {
    const u = new URL(href);
    for (const k of [...new Set(u.searchParams.keys())]) u.searchParams.set(k, '***');
    u.hash = '';
    return u.toString().replace(/%2A%2A%2A/g, '***');
  } catch {
    return '[unparseable url]';
  }
}

const BASE32_RUN = /(?<![A-Za-z0-9])[A-Za-z2-7]{16,}(?![A-Za-z0-9])/g;
const BASE32_GROUPS =
  /(?<![A-Za-z0-9])(?:[A-Za-z2-7]{3,8}[ \u00a0-]){2,}[A-Za-z2-7]{3,8}(?![A-Za-z0-9])/g;
const DIGITS = /(?<!\d)\d{6,}(?!\d)/g;

/** True for a run that looks like base32 key material rather than a word. */
function keyLike(run: string): boolean {
  const letters = run.replace(/[ \u00a0-]/g, '');
  if (letters.length < 16) return false;
  const sameCase = letters === letters.toUpperCase() || letters === letters.toLowerCase();
  return sameCase && (/[2-7]/.test(letters) || letters === letters.toUpperCase());
}

/** Masks base32-looking runs (plain or grouped) and 6+ digit runs in any text. */
export function maskSecrets(text: string): string {
  return text
    .replace(BASE32_GROUPS, (m) => (keyLike(m) ? MASK : m))
    .replace(BASE32_RUN, (m) => (keyLike(m) ? MASK : m))
    .replace(DIGITS, MASK);
}

/**
 * Runs in the page: marks secret-bearing elements with `data-li2fa-mask`, returns the masked
 * outerHTML of a clone. Self-contained (serialised by Puppeteer).
 */
function markAndSerialise(keyish: string, runs: string[]): string {
  const keyRe = new RegExp(keyish, 'i');
  const runRes = runs.map((r) => new RegExp(r, 'g'));
  // Same rule as keyLike() in Node (duplicated: this function runs in the page).
  const keyLike = (run: string): boolean => {
    const letters = run.replace(/[ \u00a0-]/g, '');
    if (/^\d+$/.test(letters)) return true;
    if (letters.length < 16) return false;
    const upper = letters === letters.toUpperCase();
    return (upper || letters === letters.toLowerCase()) && (/[2-7]/.test(letters) || upper);
  };
  const secret = (text: string): boolean =>
    runRes.some((re) => Array.from(text.matchAll(re)).some((m) => keyLike(m[0])));
  const attrsOf = (el: Element): string =>
    Array.from(el.attributes)
      .filter(
        (a) =>
          a.name === 'class' || a.name === 'id' || a.name === 'name' || a.name.startsWith('data-'),
      )
      .map((a) => `${a.name} ${a.value}`)
      .join(' ');
  for (const el of Array.from(document.body ? document.body.querySelectorAll('*') : [])) {
    if (keyRe.test(attrsOf(el))) el.setAttribute('data-li2fa-mask', '1');
  }
  const walker = document.createTreeWalker(
    document.body ?? document.documentElement,
    NodeFilter.SHOW_TEXT,
  );
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const parent = n.parentElement;
    const text = n.nodeValue ?? '';
    if (parent && parent !== document.body && secret(text)) {
      parent.setAttribute('data-li2fa-mask', '1');
    }
  }
  const clone = document.documentElement.cloneNode(true) as HTMLElement;
  for (const el of Array.from(clone.querySelectorAll('input'))) {
    if (el.hasAttribute('value')) el.setAttribute('value', '[masked]');
  }
  for (const el of Array.from(clone.querySelectorAll('textarea, script, noscript')))
    el.textContent = '';
  for (const el of Array.from(clone.querySelectorAll('[data-li2fa-mask]'))) {
    if (el instanceof HTMLImageElement || el.tagName === 'IMG' || el.tagName === 'CANVAS') {
      el.removeAttribute('src');
      el.removeAttribute('srcset');
    } else if (el.tagName !== 'INPUT') {
      el.textContent = '[masked]';
    }
    for (const a of Array.from(el.attributes)) {
      if (a.name.startsWith('data-') && a.name !== 'data-li2fa-mask')
        el.setAttribute(a.name, '[masked]');
    }
  }
  for (const el of Array.from(clone.querySelectorAll('[href], [src], [action]'))) {
    for (const name of ['href', 'src', 'action']) {
      const v = el.getAttribute(name);
      if (v && v.includes('?') && !v.startsWith('data:'))
        el.setAttribute(name, `${v.split('?')[0]}?[masked]`);
    }
  }
  return clone.outerHTML;
}

/** Runs in the page: blanks marked elements and empties inputs (values kept for restore). */
function blank(): void {
  const style = document.createElement('style');
  style.id = 'li2fa-mask-style';
  style.textContent =
    '[data-li2fa-mask]{color:transparent!important;background:#000!important;text-shadow:none!important}' +
    'img[data-li2fa-mask],canvas[data-li2fa-mask]{visibility:hidden!important}';
  document.head.appendChild(style);
  const saved: Array<[HTMLInputElement | HTMLTextAreaElement, string]> = [];
  for (const el of Array.from(
    document.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>('input, textarea'),
  )) {
    if (['checkbox', 'radio', 'submit', 'button', 'hidden'].includes(el.type)) continue;
    saved.push([el, el.value]);
    el.value = '';
  }
  (window as unknown as { __li2faSaved: typeof saved }).__li2faSaved = saved;
}

/** Runs in the page: undoes blank() and the marks. */
function restore(): void {
  const w = window as unknown as { __li2faSaved?: Array<[HTMLInputElement, string]> };
  for (const [el, v] of w.__li2faSaved ?? []) el.value = v;
  delete w.__li2faSaved;
  document.getElementById('li2fa-mask-style')?.remove();
  for (const el of Array.from(document.querySelectorAll('[data-li2fa-mask]')))
    el.removeAttribute('data-li2fa-mask');
}

/** Takes a redacted snapshot (URL, title, HTML, screenshot) of the current page. */
export async function redactedSnapshot(page: Page): Promise<RedactedSnapshot> {
  const url = maskUrl(page.url());
  const title = maskSecrets(await page.title().catch(() => ''));
  const runs = [BASE32_GROUPS.source, BASE32_RUN.source, DIGITS.source];
  const raw = await evaluateIn(page, markAndSerialise, KEYISH, runs);
  let screenshot: Buffer | null = null;
  try {
    await evaluateIn(page, blank);
    screenshot = Buffer.from(await page.screenshot({ type: 'png' }));
  } catch {
    screenshot = null;
  } finally {
    await evaluateIn(page, restore).catch(() => undefined);
  }
  return { url, title, html: maskSecrets(raw.replace(/ data-li2fa-mask="1"/g, '')), screenshot };
}
