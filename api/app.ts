/**
 * The HTTP control plane as an Express 5 app: request ids and logs, bearer-token auth with
 * tenancy, the /v1 routes of routes.ts validated with their zod schemas, the OpenAPI document
 * and reference page, health and readiness, Bull Board and /metrics behind the operator token.
 */
import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import type { z } from 'zod';
import type { FleetClient } from '../queues/client';
import { QueueName } from '../queues/names';
import type { Producer } from '../queues/producer';
import type { Config } from '../shared/config';
import type { Repositories } from '../shared/db';
import { ValidationError } from '../shared/errors';
import type { Logger } from '../shared/logger';
import { metrics, registry } from '../shared/metrics';
import { bearerOf, createTokenAuth, type Caller } from './auth';
import { BOARD_PATH, boardRouter, operatorAuth } from './board';
import { errorHandler, HttpError } from './errors';
import { openApiDocument, referencePage } from './openapi';
import { OWNER_PATH, ownerRouter } from './owner';
import { ROUTES, type RouteDef } from './routes';

/** What the API runs on. */
export interface ApiDeps {
  readonly config: Config;
  readonly client: FleetClient;
  readonly repos: Repositories;
  readonly producer: Producer;
  /** For readiness: the database connection and a Redis client. */
  readonly mongo: Connection;
  readonly redis: Redis;
  readonly log: Logger;
  readonly version: string;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;
/** The queues the board and the metrics cover. */
const QUEUES = [QueueName.Enrollment, QueueName.SessionCheck, QueueName.Webhooks] as const;

type Req = Request & { log: Logger; requestId: string; caller?: Caller };

/** Parses with `schema` or throws a 400 that names the first bad field. */
function parseInput(schema: z.ZodType | undefined, value: unknown, where: string): unknown {
  if (!schema) return undefined;
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = issue.path.map(String).join('.') || where;
  const keys = (issue as { keys?: string[] }).keys;
  const message =
    issue.code === 'unrecognized_keys' && keys ? `unknown field ${keys.join(', ')}` : issue.message;
  throw new ValidationError(
    `${field}: ${message}`,
    issue.code === 'unrecognized_keys' && keys ? keys[0] : field,
  );
}

/** Readiness: Redis and the database answer, and at least one worker is connected. */
async function readiness(
  deps: ApiDeps,
): Promise<{ ready: boolean; checks: Record<string, unknown> }> {
  const timeout = <T>(p: Promise<T>) =>
    Promise.race([
      p,
      new Promise<never>((_, rej) => setTimeout(() => rej(new Error('timeout')), 2_000)),
    ]);
  const redis = await timeout(deps.redis.ping()).then(
    () => true,
    () => false,
  );
  const database = await timeout(deps.mongo.db!.admin().ping()).then(
    () => true,
    () => false,
  );
  const workers: Record<string, number> = {};
  if (redis) {
    for (const q of [QueueName.Enrollment, QueueName.SessionCheck]) {
      workers[q] = await timeout(deps.producer.queue(q).getWorkersCount()).catch(() => 0);
    }
  }
  const anyWorker = Object.values(workers).some((n) => n > 0);
  return { ready: redis && database && anyWorker, checks: { redis, database, workers } };
}

/** Refreshes the gauges read at scrape time. */
async function collect(deps: ApiDeps, queues: readonly Queue[]): Promise<void> {
  await Promise.all(
    queues.map(async (q) => {
      const counts = await q.getJobCounts(
        'waiting',
        'active',
        'delayed',
        'failed',
        'completed',
        'prioritized',
      );
      for (const [state, n] of Object.entries(counts))
        metrics.queueJobs.set({ queue: q.name, state }, n);
    }),
  );
  for (const [status, n] of Object.entries(await deps.repos.accounts.countByStatus())) {
    metrics.accounts.set({ status }, n);
  }
}

/** Builds the app (not listening; see main.ts). */
export function createApi(deps: ApiDeps): Express {
  const { config, log } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  const authenticate = createTokenAuth(config.api.tokens);
  const queues = QUEUES.map((q) => deps.producer.queue(q));

  app.use((req: Request, res: Response, next: NextFunction) => {
    const given = req.get('x-request-id');
    const requestId = given && REQUEST_ID.test(given) ? given : randomUUID();
    const r = req as Req;
    r.requestId = requestId;
    r.log = log.child({ requestId });
    res.set('X-Request-Id', requestId);
    const started = Date.now();
    res.on('finish', () =>
      r.log.info(
        { method: req.method, path: req.path, status: res.statusCode, ms: Date.now() - started },
        'request',
      ),
    );
    next();
  });

  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/readyz', async (_req, res) => {
    const r = await readiness(deps);
    res.status(r.ready ? 200 : 503).json({ status: r.ready ? 'ready' : 'not_ready', ...r.checks });
  });
  app.get('/openapi.json', (_req, res) => void res.json(openApiDocument(deps.version)));
  app.get('/docs', (_req, res) => void res.type('html').send(referencePage(deps.version)));

  if (config.api.operatorToken) {
    const guard = operatorAuth(config.api.operatorToken);
    app.get('/metrics', guard, async (_req, res) => {
      await collect(deps, queues);
      res.type(registry.contentType).send(await registry.metrics());
    });
    app.use(BOARD_PATH, guard, boardRouter(queues, config.api.boardReadOnly));
  }

  app.use(
    OWNER_PATH,
    ownerRouter({
      client: deps.client,
      repos: deps.repos,
      secureCookie: config.api.publicUrl.startsWith('https:'),
    }),
  );

  const v1 = express.Router();
  v1.use(express.json({ limit: config.api.bodyLimitBytes }));
  v1.use((req: Request, res: Response, next: NextFunction) => {
    const caller = authenticate(bearerOf(req.headers.authorization));
    if (!caller) {
      res.set('WWW-Authenticate', 'Bearer');
      next(new HttpError(401, 'unauthorized', 'a valid bearer token is required'));
      return;
    }
    (req as Req).caller = caller;
    next();
  });
  for (const route of ROUTES) mount(v1, route, deps);
  app.use(v1);

  app.use((_req: Request, _res: Response, next: NextFunction) =>
    next(new HttpError(404, 'not_found', 'no such route')),
  );
  app.use(errorHandler(log));
  return app;
}

function mount(router: express.Router, route: RouteDef, deps: ApiDeps): void {
  router[route.method](route.path, async (req: Request, res: Response) => {
    const r = req as Req;
    const body = parseInput(route.body, req.body, 'body');
    const query = parseInput(route.query, req.query, 'query');
    const caller = r.caller!;
    const result = await route.handle(
      {
        caller,
        client: deps.client,
        repos: deps.repos,
        req,
        res,
        meta: { actor: `api:${caller.name}`, requestId: r.requestId },
        publicUrl: deps.config.api.publicUrl,
      },
      { body, query },
    );
    if (result !== undefined) res.status(route.successStatus ?? 200).json(result);
  });
}
