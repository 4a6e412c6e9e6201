/**
 * Proxy URLs are stored split: the credential-free URL (`scheme://host:port`) in plain text, so
 * operators can see where an account egresses, and the `user:pass` part sealed under the
 * credential ring with purpose `proxy_auth`, because a proxy password is a credential.
 */
import { ValidationError } from '../errors';

/** Schemes the browser layer can use for an upstream proxy. */
const PROXY_SCHEMES = ['http:', 'https:', 'socks4:', 'socks5:'];

/** A proxy URL taken apart for storage. */
export interface SplitProxy {
  /** `scheme://host:port`, no credentials, path or query. */
  readonly url: string;
  /** `user:pass` exactly as written in the URL (still percent-encoded), or null. */
  readonly auth: string | null;
}

/** Splits `scheme://user:pass@host:port` into its plain and secret halves. */
export function splitProxyUrl(raw: string): SplitProxy {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ValidationError('proxy must be a URL like http://user:pass@host:port', 'proxy');
  }
  if (!PROXY_SCHEMES.includes(parsed.protocol)) {
    throw new ValidationError(`proxy scheme must be one of ${PROXY_SCHEMES.join(' ')}`, 'proxy');
  }
  if (!parsed.hostname || (parsed.pathname !== '' && parsed.pathname !== '/') || parsed.search) {
    throw new ValidationError('proxy must be scheme://host:port with no path or query', 'proxy');
  }
  const auth = parsed.username || parsed.password ? `${parsed.username}:${parsed.password}` : null;
  return { url: `${parsed.protocol}//${parsed.host}`, auth };
}

/** Rebuilds the full proxy URL from its stored halves (auth already opened by the vault). */
export function joinProxyUrl(url: string, auth: string | null): string {
  if (!auth) return url;
  const [scheme, rest] = url.split('//') as [string, string];
  return `${scheme}//${auth}@${rest}`;
}
