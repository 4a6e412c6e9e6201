/**
 * Bull Board at /admin/queues for every queue, behind the operator token (HTTP basic auth, any
 * user name, the token as password), read-only unless BOARD_READ_ONLY=false. Job data and
 * return values go through formatters that keep ids and states only: payloads carry no secret
 * by contract, and the formatter makes sure the board shows nothing else even if one did.
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import type { RequestHandler, Router } from 'express';
import { basicPasswordOf, bearerOf, sameSecret } from './auth';

export const BOARD_PATH = '/admin/queues';

const DATA_FIELDS = ['v', 'accountId', 'requestId', 'reason', 'eventId'] as const;
const RESULT_FIELDS = ['status', 'detail', 'reason', 'desired', 'followUpJobId'] as const;

function pick(value: unknown, fields: readonly string[]): Record<string, unknown> | null {
  if (typeof value !== 'object' || value === null) return null;
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const v = (value as Record<string, unknown>)[f];
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[f] = v;
  }
  return out;
}

/** Only ids and states of job data and results. */
export const formatJobData = (data: unknown) => pick(data, DATA_FIELDS);
export const formatReturnValue = (value: unknown) => pick(value, RESULT_FIELDS);

/** Basic auth (or a bearer) with the operator token; 401 with a challenge otherwise. */
export function operatorAuth(token: string): RequestHandler {
  return (req, res, next) => {
    const presented =
      basicPasswordOf(req.headers.authorization) ?? bearerOf(req.headers.authorization);
    if (sameSecret(presented, token)) {
      next();
      return;
    }
    res
      .status(401)
      .set('WWW-Authenticate', 'Basic realm="operators", charset="UTF-8"')
      .json({ error: 'unauthorized', message: 'the operator token is required' });
  };
}

/** The board's router for `queues`. */
export function boardRouter(queues: readonly Queue[], readOnly: boolean): Router {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(BOARD_PATH);
  const adapters = queues.map((q) => {
    const adapter = new BullMQAdapter(q, { readOnlyMode: readOnly, allowRetries: !readOnly });
    adapter.setFormatter('data', formatJobData);
    adapter.setFormatter('returnValue', formatReturnValue);
    return adapter;
  });
  createBullBoard({ queues: adapters, serverAdapter });
  return serverAdapter.getRouter() as Router;
}
