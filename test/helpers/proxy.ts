/**
 * A plain HTTP forward proxy on 127.0.0.1 for tests: it forwards absolute-form requests
 * (`GET http://host/path`) and counts them per target host, so a test can prove a browser
 * context went out through the account's proxy.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running test proxy. */
export interface TestProxy {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Requests forwarded so far, by target `host:port`. */
  readonly forwarded: Map<string, number>;
  close(): Promise<void>;
}

function forward(req: IncomingMessage, res: ServerResponse, counts: Map<string, number>): void {
  let target: URL;
  try {
    target = new URL(req.url ?? '');
  } catch {
    res.writeHead(400).end('absolute-form request expected');
    return;
  }
  counts.set(target.host, (counts.get(target.host) ?? 0) + 1);
  const headers = { ...req.headers };
  delete headers['proxy-connection'];
  const upstream = request(target, { method: req.method, headers }, (up) => {
    res.writeHead(up.statusCode ?? 502, up.headers);
    up.pipe(res);
  });
  upstream.on('error', () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  req.pipe(upstream);
}

/** Starts a proxy on a free port. */
export async function startTestProxy(): Promise<TestProxy> {
  const forwarded = new Map<string, number>();
  const server = createServer((req, res) => forward(req, res, forwarded));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    forwarded,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
