/**
 * What the classifier may know about a page: one `page.evaluate` gathers it, so a decision is
 * made on a single consistent view of the DOM. Facts hold site texts (headings, errors), never
 * input values.
 */
import type { Page } from 'puppeteer-core';
import { PROBES, type ProbeName } from './site-map';
import { evaluateIn } from './in-page';

/** Presence, visibility and first visible text of one probe. */
export interface ProbeFact {
  /** Matching elements. */
  readonly n: number;
  /** Matching elements that are rendered. */
  readonly vis: number;
  /** Rendered text (or alt text) of the first visible match, trimmed, ≤ 300 chars. */
  readonly text: string;
}

/** One snapshot of the page, as the classifier sees it. */
export interface PageFacts {
  /** `pathname + search` of the top document. */
  readonly path: string;
  readonly title: string;
  /** Rendered body text, ≤ 6000 chars. */
  readonly text: string;
  /** No rendered text and no rendered control, image or frame: an interim page. */
  readonly blank: boolean;
  /** `src` of every iframe (CAPTCHA provider). */
  readonly frames: readonly string[];
  /** Visible h1–h3 texts. */
  readonly headings: readonly string[];
  /** Accessible names of visible buttons and links. */
  readonly controls: readonly string[];
  readonly probes: Readonly<Record<ProbeName, ProbeFact>>;
}

/**
 * Runs inside the page. Self-contained on purpose: Puppeteer serialises it with toString().
 * Visibility follows `checkVisibility()` plus a non-empty box; `type=hidden` is never visible.
 */
function collect(probes: Record<string, string>): Omit<PageFacts, 'path'> & { href: string } {
  const clip = (s: string, n: number): string => s.replace(/\s+/g, ' ').trim().slice(0, n);
  const visible = (el: Element): boolean => {
    if (el instanceof HTMLInputElement && el.type === 'hidden') return false;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) return false;
    return typeof el.checkVisibility === 'function'
      ? el.checkVisibility({ visibilityProperty: true })
      : true;
  };
  const textOf = (el: Element): string =>
    el instanceof HTMLImageElement ? el.alt : el instanceof HTMLElement ? el.innerText : '';
  const out: Record<string, { n: number; vis: number; text: string }> = {};
  for (const [name, selector] of Object.entries(probes)) {
    const all = Array.from(document.querySelectorAll(selector));
    const shown = all.filter(visible);
    out[name] = {
      n: all.length,
      vis: shown.length,
      text: shown[0] ? clip(textOf(shown[0]), 300) : '',
    };
  }
  const shownTexts = (selector: string, limit: number): string[] =>
    Array.from(document.querySelectorAll(selector))
      .filter(visible)
      .map((el) =>
        clip(
          el.getAttribute('aria-label') || textOf(el) || (el as HTMLInputElement).value || '',
          120,
        ),
      )
      .filter((t) => t.length > 0)
      .slice(0, limit);
  const text = document.body ? clip(document.body.innerText, 6000) : '';
  const rendered = Array.from(
    document.querySelectorAll('input, button, select, textarea, img, iframe, canvas, svg, video'),
  ).some(visible);
  return {
    href: location.href,
    title: document.title,
    text,
    blank: text.length === 0 && !rendered,
    frames: Array.from(document.querySelectorAll('iframe')).map((el) => el.src.slice(0, 300)),
    headings: shownTexts('h1, h2, h3', 20),
    controls: shownTexts(
      'button, a[href], [role=button], [role=link], input[type=submit], input[type=button]',
      80,
    ),
    probes: out as PageFacts['probes'],
  };
}

/** Gathers the facts of the page's current document. */
export async function collectFacts(page: Page): Promise<PageFacts> {
  const { href, ...facts } = await evaluateIn(page, collect, PROBES as Record<string, string>);
  const u = new URL(href);
  return { ...facts, path: u.pathname + u.search };
}
