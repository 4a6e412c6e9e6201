/**
 * Runs a function inside the page. Puppeteer ships functions as their source text; bundlers
 * that keep names (esbuild under tsx: `keepNames`) rewrite inner functions to call a
 * module-level `__name` helper that does not exist in the page, so every in-page function goes
 * through here, which defines a no-op `__name` around it. Arguments must be JSON-serialisable.
 */
import type { Page } from 'puppeteer-core';

/** `page.evaluate(fn, ...args)`, safe for transpilers that inject helpers. */
export function evaluateIn<A extends unknown[], R>(
  page: Page,
  fn: (...args: A) => R,
  ...args: A
): Promise<Awaited<R>> {
  const source = `(() => { const __name = (f) => f; return (${fn.toString()}).apply(null, ${JSON.stringify(args)}); })()`;
  return page.evaluate(source) as Promise<Awaited<R>>;
}
