/**
 * Request context and response helpers on plain node:http: cookie parsing and setting, form and
 * JSON bodies, redirects. Every response carries a `Date` header from the simulated clock.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SafeHtml } from './html';
import type { SimState } from './state';

/** Site request bodies above this are refused: the site's forms are tiny. */
export const MAX_BODY_BYTES = 64 * 1024;
/** Control bodies may carry bulk account lists. */
export const MAX_CONTROL_BODY_BYTES = 8 * 1024 * 1024;

/** A client error the router turns into a 400 (JSON under /__sim, HTML elsewhere). */
export class BadRequestError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'BadRequestError';
  }
}

/** Cookie attributes the simulator uses (host-only, never Secure: served over plain http). */
export interface CookieOptions {
  readonly httpOnly?: boolean;
  readonly maxAgeSec?: number;
}

/** What every route handler receives. */
export interface Ctx {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  readonly state: SimState;
  readonly cookies: ReadonlyMap<string, string>;
  /** Path parameters captured by the route pattern. */
  params: string[];
  /** Cookies to set on the response, serialized. */
  readonly setCookies: string[];
  /** Reads the body as a form (urlencoded) or JSON object of strings. */
  form(): Promise<URLSearchParams>;
  /** Reads the body as JSON; a syntax error is a 400. */
  json(): Promise<unknown>;
}

/** Parses a Cookie header; the first occurrence of a name wins. */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!out.has(name)) out.set(name, part.slice(eq + 1).trim());
  }
  return out;
}

/** Queues a Set-Cookie: Path=/, SameSite=Lax (None needs Secure), no Domain, no Secure. */
export function setCookie(ctx: Ctx, name: string, value: string, opts: CookieOptions = {}): void {
  let c = `${name}=${value}; Path=/; SameSite=Lax`;
  if (opts.maxAgeSec !== undefined) {
    c += `; Max-Age=${opts.maxAgeSec}; Expires=${new Date(ctx.state.now() + opts.maxAgeSec * 1000).toUTCString()}`;
  }
  if (opts.httpOnly) c += '; HttpOnly';
  replaceCookie(ctx, name, c);
}

/** Queues deletion of a cookie. */
export function clearCookie(ctx: Ctx, name: string): void {
  replaceCookie(ctx, name, `${name}=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT`);
}

function replaceCookie(ctx: Ctx, name: string, serialized: string): void {
  const i = ctx.setCookies.findIndex((c) => c.startsWith(`${name}=`));
  if (i >= 0) ctx.setCookies.splice(i, 1);
  ctx.setCookies.push(serialized);
}

/** Reads a request body up to `limit` bytes; beyond it the rest is drained and a 413 thrown. */
export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw new BadRequestError('body: too large', 413);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function writeHead(
  ctx: Ctx,
  status: number,
  headers: Record<string, string>,
): Record<string, string | string[]> {
  const all: Record<string, string | string[]> = {
    ...(ctx.res.getHeader('connection') === 'close' ? { connection: 'close' } : {}),
    date: new Date(ctx.state.now()).toUTCString(),
    'cache-control': 'no-store',
    ...headers,
  };
  if (ctx.setCookies.length > 0) all['set-cookie'] = ctx.setCookies;
  ctx.res.writeHead(status, all);
  return all;
}

/** Sends an HTML page. */
export function sendHtml(ctx: Ctx, page: SafeHtml, status = 200): void {
  writeHead(ctx, status, { 'content-type': 'text/html; charset=utf-8' });
  ctx.res.end(page.value);
}

/** Sends JSON. */
export function sendJson(ctx: Ctx, body: unknown, status = 200): void {
  writeHead(ctx, status, { 'content-type': 'application/json; charset=utf-8' });
  ctx.res.end(JSON.stringify(body));
}

/** Sends bytes with a content type. */
export function sendBytes(ctx: Ctx, body: Buffer, contentType: string): void {
  writeHead(ctx, 200, { 'content-type': contentType, 'content-length': String(body.length) });
  ctx.res.end(body);
}

/** Sends an empty response. */
export function sendEmpty(ctx: Ctx, status = 204): void {
  writeHead(ctx, status, {});
  ctx.res.end();
}

/** Redirects (302 by default; 303 after a POST keeps browsers on GET). */
export function redirect(ctx: Ctx, location: string, status = 302): void {
  writeHead(ctx, status, { location, 'content-type': 'text/plain; charset=utf-8' });
  ctx.res.end(`Redirecting to ${location}`);
}

/** True when `target` is a same-origin path (guards session_redirect against open redirects). */
export function isLocalPath(target: string | null | undefined): target is string {
  return !!target && target.startsWith('/') && !target.startsWith('//') && !target.includes('\\');
}
