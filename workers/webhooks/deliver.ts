/**
 * `deliver-webhook`: POSTs one status-change event to its tenant's URL, signed (see
 * queues/webhooks.ts for the scheme). The payload carries the event id only; the event is read
 * from the audit trail when the job runs, so a retry sends the same body with the same
 * idempotency key. 2xx is delivered; 410 Gone stops (the receiver is gone); anything else,
 * a timeout included, is retried with the queue's exponential backoff (registry.ts).
 */
import type { Worker } from 'bullmq';
import type { Outcome } from '../../queues/jobs';
import { JobName, QueueName } from '../../queues/names';
import { signWebhook, WEBHOOK_HEADERS, webhookTypeOf } from '../../queues/webhooks';
import type { Clock } from '../../shared/clock';
import type { Config } from '../../shared/config';
import type { Repositories } from '../../shared/db';
import { PermanentError, TransientError } from '../../shared/errors';
import type { Logger } from '../../shared/logger';
import { createWorker, gracefulShutdown, routeByName, toProcessor, type Handler } from '../runtime';

/** What delivery needs. */
export interface WebhookDeps {
  readonly config: Pick<Config, 'webhooks' | 'redis'>;
  readonly repos: Repositories;
  readonly clock: Clock;
}

/** A receiver gets this long to answer. */
const TIMEOUT_MS = 10_000;

/** `deliver-webhook`. */
export function deliverWebhookHandler(deps: WebhookDeps): Handler<typeof JobName.DeliverWebhook> {
  return async (payload, ctx) => {
    const event = await deps.repos.audit.get(payload.eventId);
    const type = event ? webhookTypeOf(event) : null;
    if (!event || !type) return { status: 'skipped', reason: 'not_a_webhook_event' };
    const url = deps.config.webhooks.urls[event.tenantId];
    const secret = deps.config.webhooks.secret;
    if (!url || !secret) return { status: 'skipped', reason: 'no_webhook_url' };
    const account = event.accountId ? await deps.repos.accounts.findById(event.accountId) : null;
    const body = JSON.stringify({
      id: event.id,
      type,
      at: event.at.toISOString(),
      tenantId: event.tenantId,
      accountId: event.accountId,
      externalId: account?.externalId ?? null,
      data: event.details,
      account: account && {
        status: account.status,
        statusReason: account.statusReason,
        statusMessage: account.statusMessage,
        twoFactor: { state: account.twoFactor.state, reason: account.twoFactor.reason },
      },
    });
    const timestamp = Math.floor(deps.clock.nowMs() / 1000);
    let status: number;
    try {
      const res = await fetch(url, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'linkedin-2fa-keeper-webhooks',
          [WEBHOOK_HEADERS.eventId]: event.id,
          [WEBHOOK_HEADERS.timestamp]: String(timestamp),
          [WEBHOOK_HEADERS.signature]: signWebhook(secret, timestamp, body),
        },
        body,
        signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(TIMEOUT_MS)]),
      });
      status = res.status;
      await res.body?.cancel();
    } catch (err) {
      throw new TransientError('webhook_unreachable', `the webhook receiver did not answer`, {
        cause: err,
      });
    }
    if (status >= 200 && status < 300) return { status: 'done', detail: `delivered_${status}` };
    if (status === 410) throw new PermanentError('webhook_gone', 'the receiver answered 410 Gone');
    throw new TransientError('webhook_refused', `the webhook receiver answered ${status}`);
  };
}

/** A running webhook worker. */
export interface WebhookWorker {
  readonly worker: Worker<unknown, Outcome>;
  close(): Promise<void>;
}

/** Starts delivering webhooks (no browser: it runs beside the API). */
export function startWebhookWorker(opts: {
  config: Pick<Config, 'webhooks' | 'redis'>;
  repos: Repositories;
  clock: Clock;
  log: Logger;
}): WebhookWorker {
  const processor = routeByName({
    [JobName.DeliverWebhook]: toProcessor(JobName.DeliverWebhook, deliverWebhookHandler(opts), {
      log: opts.log,
      onFatal: () => undefined,
    }),
  });
  const worker = createWorker(QueueName.Webhooks, processor, {
    config: opts.config,
    concurrency: 4,
    log: opts.log,
  });
  return { worker, close: gracefulShutdown(worker) };
}
