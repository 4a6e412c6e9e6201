/** Unknown screens: UnknownScreenError with a redacted snapshot (no input value, no key). */
import type { Page } from 'puppeteer-core';
import { UnexpectedScreenError } from '../../shared/errors';
import {
  UnknownScreenError,
  detectScreen,
  maskSecrets,
  maskUrl,
  redactedSnapshot,
} from '../../workers/site';
import { FakeSite, PNG_SIGNATURE, usePageFixture, visit } from './helpers';

let page: Page;

usePageFixture(
  () => new FakeSite().on('GET /settings/passkeys', 'unknown.html'),
  (f) => ({ page } = f),
);
beforeEach(async () => {
  await visit(page, '/settings/passkeys?ut=opaque-token-99&trk=abc');
  await page.type('#new-password', '-typed-hunter2');
  await page.type('#note', 'typed-note-777');
});

const SECRETS = [
  'JBSWY3DPEHPK3PXPJBSWY3DP',
  'jbswy3dpehpk3pxpjbswy3dp',
  'JBSW Y3DP EHPK 3PXP',
  '48151623',
  'prefilled-pw-1',
  'hunter2',
  'typed-note-777',
  'opaque-token-99',
  'iVBORw0KGgo',
];

describe('unknown screen', () => {
  it('throws UnknownScreenError (an UnexpectedScreenError) with a redacted snapshot', async () => {
    const err = await detectScreen(page, { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnknownScreenError);
    expect(err).toBeInstanceOf(UnexpectedScreenError);
    const e = err as UnknownScreenError;
    expect(e.code).toBe('unknown_screen');
    expect(e.message).toContain('/settings/passkeys');
    expect(JSON.stringify(e)).not.toContain('snapshot');
    const snap = e.snapshot!;
    expect(snap.url).toBe('http://site.test/settings/passkeys?ut=***&trk=***');
    expect(snap.title).toBe('Something new');
    expect(snap.html).toContain('Protect your account with a passkey');
    for (const s of SECRETS) {
      expect(snap.html).not.toContain(s);
      expect(e.message).not.toContain(s);
    }
    expect(snap.screenshot!.subarray(0, 8)).toEqual(PNG_SIGNATURE);
  });

  it('restores the page after the masked screenshot', async () => {
    const before = await page.$eval('#new-password', (el) => (el as HTMLInputElement).value);
    expect(before).toContain('hunter2');
    const snap = await redactedSnapshot(page);
    expect(snap.screenshot).not.toBeNull();
    const state = await page.evaluate(() => ({
      pw: (document.querySelector('#new-password') as HTMLInputElement).value,
      marks: document.querySelectorAll('[data-li2fa-mask]').length,
      style: document.getElementById('li2fa-mask-style') !== null,
    }));
    expect(state).toEqual({ pw: before, marks: 0, style: false });
  });

  it('blanks secrets in the screenshot', async () => {
    const masked = await redactedSnapshot(page);
    const plain = Buffer.from(await page.screenshot({ type: 'png' }));
    expect(masked.screenshot!.equals(plain)).toBe(false);
  });
});

describe('maskSecrets / maskUrl', () => {
  it('masks base32 runs (plain, grouped, lowercase) and digit runs, not words', () => {
    const out = maskSecrets(
      'key JBSWY3DPEHPK3PXP / jbsw y3dp ehpk 3pxp / code 123456 / Enter the code you see on your authenticator app',
    );
    expect(out).toBe(
      'key [masked] / [masked] / code [masked] / Enter the code you see on your authenticator app',
    );
  });

  it('masks query values and drops the fragment', () => {
    expect(maskUrl('http://h/p?a=1&b=secret#frag')).toBe('http://h/p?a=***&b=***');
  });
});
