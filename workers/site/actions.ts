/**
 * Small actions shared by the page objects. Locators wait and retry; candidates are raced so
 * class-based and ARIA-based markup both work. A CSS candidate only wins once it is visible, so
 * a hidden first copy of a panel (modern login, §1.4) never takes the click.
 */
import { Locator, type Page } from 'puppeteer-core';
import { ERROR_SELECTORS } from './site-map';
import { evaluateIn } from './in-page';

/** Timeout and cancellation of one action. */
export interface ActOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

/** Attribute used to tag an element chosen in the page, so a Locator can act on it. */
const PICK = 'data-li2fa-pick';

function race(page: Page, candidates: readonly string[], timeoutMs: number): Locator<Element> {
  const locators = candidates.map((s) =>
    s.startsWith('::-p-') ? page.locator(s) : page.locator(s).setVisibility('visible'),
  );
  return Locator.race(locators).setTimeout(timeoutMs);
}

/** Clicks the first candidate that becomes actionable. */
export async function clickAny(
  page: Page,
  candidates: readonly string[],
  opts: ActOptions,
): Promise<void> {
  await race(page, candidates, opts.timeoutMs).click(opts.signal ? { signal: opts.signal } : {});
}

/** Types `value` into the first candidate that becomes actionable (clears it first). */
export async function fillAny(
  page: Page,
  candidates: readonly string[],
  value: string,
  opts: ActOptions,
): Promise<void> {
  await race(page, candidates, opts.timeoutMs).fill(
    value,
    opts.signal ? { signal: opts.signal } : {},
  );
}

/**
 * Tags the first *visible* element matching `selector` (optionally inside the visible element
 * tagged `within`) and returns a selector for it, or null when none is visible now.
 */
export async function pickVisible(
  page: Page,
  selector: string,
  tag: string,
  within?: string,
): Promise<string | null> {
  const found = await evaluateIn(
    page,
    (sel: string, t: string, attr: string, scope: string | null) => {
      const root = scope ? document.querySelector(`[${attr}="${scope}"]`) : document;
      if (!root) return false;
      document.querySelectorAll(`[${attr}="${t}"]`).forEach((el) => el.removeAttribute(attr));
      const el = Array.from(root.querySelectorAll(sel)).find((e) => {
        const r = e.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && e.checkVisibility({ visibilityProperty: true });
      });
      el?.setAttribute(attr, t);
      return Boolean(el);
    },
    selector,
    tag,
    PICK,
    within ?? null,
  );
  return found ? `[${PICK}="${tag}"]` : null;
}

/**
 * Sets a checkbox to `checked` with a real click event (the site's own handlers run); works when
 * the box itself is visually hidden behind its label. Returns false when there is no such box.
 */
export async function setChecked(page: Page, selector: string, checked: boolean): Promise<boolean> {
  return evaluateIn(
    page,
    (sel: string, want: boolean) => {
      const box = document.querySelector(sel);
      if (!(box instanceof HTMLInputElement)) return false;
      if (box.checked !== want) box.click();
      return box.checked === want;
    },
    selector,
    checked,
  );
}

/**
 * Empties the text of every *visible* error element, so an error shown after the next submit is
 * known to be fresh. Server re-renders and scripts both write the text anew.
 */
export async function clearErrors(page: Page): Promise<void> {
  await evaluateIn(
    page,
    (sel: string) => {
      for (const el of Array.from(document.querySelectorAll(sel))) {
        if (el instanceof HTMLElement && el.checkVisibility()) el.textContent = '';
      }
    },
    ERROR_SELECTORS,
  );
}

/** Joins the caller's base URL (which may carry a path prefix) and a relative path. */
export function siteUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}${path.startsWith('/') ? path : `/${path}`}`;
}
