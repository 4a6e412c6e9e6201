/**
 * Status-change webhooks, producer side: which audit events become webhooks (and under which
 * type), the enqueue of their delivery (the payload carries the event id only; the worker reads
 * the event when it delivers), and the signature scheme receivers verify.
 *
 * Signature: `X-Li2fa-Timestamp: <unix seconds>` and `X-Li2fa-Signature: v1=<hex>`, where hex
 * is HMAC-SHA256(WEBHOOK_SECRET, "<timestamp>.<raw body>"). Receivers should recompute it,
 * compare in constant time and refuse timestamps older than 5 minutes. `X-Li2fa-Event-Id` is
 * the idempotency key: a retried delivery carries the same id.
 */
import { createHmac } from 'node:crypto';
import type { Config } from '../shared/config';
import type { AuditEventRecord } from '../shared/db';
import type { Logger } from '../shared/logger';
import { JobName } from './names';
import type { Producer } from './producer';

/** Headers of a delivery. */
export const WEBHOOK_HEADERS = {
  eventId: 'X-Li2fa-Event-Id',
  timestamp: 'X-Li2fa-Timestamp',
  signature: 'X-Li2fa-Signature',
} as const;

/** The webhook type of an audit event, or null when it is not one the main app is told about. */
export function webhookTypeOf(event: Pick<AuditEventRecord, 'action' | 'details'>): string | null {
  const d = event.details;
  const text = (v: unknown): string => (typeof v === 'string' ? v : '');
  if (event.action === 'two_factor.state_changed') {
    switch (text(d['state'])) {
      case 'on':
        return 'two_factor.enabled';
      case 'off':
        return 'two_factor.disabled';
      case 'error':
        return 'two_factor.failed';
      case 'awaiting_app_approval':
      case 'awaiting_email_code':
        return 'account.needs_user_action';
      default:
        return null;
    }
  }
  if (event.action === 'account.status_changed') {
    switch (text(d['status'])) {
      case 'active':
        return 'account.connected';
      case 'needs_user_action':
        return 'account.needs_user_action';
      case 'disconnected':
        return 'account.disconnected';
      case 'restricted':
        return 'account.restricted';
      case 'rate_limited':
        return 'account.rate_limited';
      default:
        return null;
    }
  }
  if (event.action === 'session.checked' && d['result'] === 'challenge_answered') {
    return 'session.challenge_answered';
  }
  return null;
}

/** The signature header value of `body` at `timestamp` (unix seconds). */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Enqueues the delivery of `event` when it is a webhook event and its tenant has a URL (and
 * webhooks are configured); returns the job id or null. One job per event (deduplicated by id).
 */
export async function enqueueWebhook(
  deps: { config: Pick<Config, 'webhooks'>; producer: Producer; log?: Logger },
  event: AuditEventRecord,
): Promise<string | null> {
  const { urls, secret } = deps.config.webhooks;
  if (!secret || !event.accountId || !urls[event.tenantId] || !webhookTypeOf(event)) return null;
  const { jobId } = await deps.producer.enqueue(JobName.DeliverWebhook, {
    v: 1,
    accountId: event.accountId,
    requestId: `event-${event.id}`,
    eventId: event.id,
  });
  deps.log?.debug({ eventId: event.id, jobId }, 'webhook enqueued');
  return jobId;
}
