/**
 * Page-test plumbing: one Chromium per test file (through shared/browser.ts), a fresh context
 * per test, and a fake site at http://site.test answered from test/fixtures/site/ by request
 * interception. Every other request is aborted: no test touches the network.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, HTTPRequest, Page } from 'puppeteer-core';
import { launchTestBrowser } from '../helpers/browser';

/** The fake site's origin; page objects get it as their base URL. */
export const ORIGIN = 'http://site.test';

const FIXTURES = join(__dirname, '..', 'fixtures', 'site');
const cache = new Map<string, string>();

/** A fixture's HTML, with `{{NAME}}` / `{{NAME|default}}` placeholders replaced. */
export function fixture(name: string, vars: Record<string, string> = {}): string {
  let html = cache.get(name);
  if (html === undefined) {
    html = readFileSync(join(FIXTURES, name), 'utf8');
    cache.set(name, html);
  }
  return html.replace(
    /\{\{(\w+)(?:\|([^}]*))?\}\}/g,
    (_m, k: string, d?: string) => vars[k] ?? d ?? '',
  );
}

/** One answer of the fake site. */
export interface Reply {
  readonly status?: number;
  readonly fixture?: string;
  readonly vars?: Record<string, string>;
  readonly html?: string;
  readonly json?: unknown;
  readonly body?: Buffer;
  readonly contentType?: string;
  /** 303 to this path. */
  readonly redirect?: string;
}

/** A request the fake site saw. */
export interface Seen {
  readonly method: string;
  readonly path: string;
  /** The query string, with its `?` (or ''). */
  readonly search: string;
  readonly body: string;
}

type Handler = (req: Seen) => Reply;

/** The fake site: routes by `METHOD /path` (query ignored); records every request. */
export class FakeSite {
  readonly seen: Seen[] = [];
  private readonly routes = new Map<string, Handler>();

  /** Adds a route; `reply` may be a fixture name. */
  on(route: string, reply: Reply | string | Handler): this {
    const h: Handler =
      typeof reply === 'function'
        ? reply
        : () => (typeof reply === 'string' ? { fixture: reply } : reply);
    this.routes.set(route, h);
    return this;
  }

  /** Bodies posted to `path`, parsed as form fields. */
  posted(path: string): URLSearchParams[] {
    return this.seen
      .filter((s) => s.method === 'POST' && s.path === path)
      .map((s) => new URLSearchParams(s.body));
  }

  async attach(page: Page): Promise<void> {
    await page.setRequestInterception(true);
    page.on('request', (req) => void this.handle(req));
  }

  private async handle(req: HTTPRequest): Promise<void> {
    if (req.isInterceptResolutionHandled()) return;
    const url = new URL(req.url());
    if (url.origin !== ORIGIN) return req.abort('blockedbyclient');
    const seen = {
      method: req.method(),
      path: url.pathname,
      search: url.search,
      body: req.postData() ?? '',
    };
    this.seen.push(seen);
    const h = this.routes.get(`${seen.method} ${url.pathname}`);
    if (!h)
      return req.respond({ status: 404, contentType: 'text/html', body: '<h1>Not found</h1>' });
    const r = h(seen);
    if (r.redirect)
      return req.respond({ status: 303, headers: { location: r.redirect }, body: '' });
    const body =
      r.body ??
      (r.json !== undefined
        ? JSON.stringify(r.json)
        : (r.html ?? fixture(r.fixture ?? '', r.vars)));
    const contentType =
      r.contentType ?? (r.json !== undefined ? 'application/json' : 'text/html; charset=utf-8');
    return req.respond({ status: r.status ?? 200, contentType, body });
  }
}

/** What each test of a page-test file gets: its own context and page on a fresh fake site. */
export interface PageFixture {
  readonly context: BrowserContext;
  readonly page: Page;
  readonly site: FakeSite;
}

/**
 * Registers the page-test lifecycle: one Chromium for the file, and before each test a fresh
 * incognito context whose page is wired to `makeSite()`, handed to `assign`; the context is
 * closed after each test and the browser after the file.
 */
export function usePageFixture(
  makeSite: () => FakeSite,
  assign: (fixture: PageFixture) => void,
): void {
  let browser: Browser;
  let context: BrowserContext | undefined;
  beforeAll(async () => {
    browser = await launchTestBrowser();
  });
  afterAll(async () => {
    await browser.close();
  });
  beforeEach(async () => {
    const site = makeSite();
    context = await browser.createBrowserContext();
    const page = await context.newPage();
    await site.attach(page);
    assign({ context, page, site });
  });
  afterEach(async () => {
    await context?.close();
  });
}

/** Navigates to a path of the fake site. */
export async function visit(page: Page, path: string): Promise<void> {
  await page.goto(`${ORIGIN}${path}`, { waitUntil: 'domcontentloaded' });
}

/** The PNG file signature. */
export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
