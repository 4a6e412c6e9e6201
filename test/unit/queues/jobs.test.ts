import {
  JOB_NAMES,
  JobName,
  QueueName,
  payloadSchemas,
  Reconcile2faPayload,
  DeliverWebhookPayload,
  secretLookingReason,
} from '../../../queues';
import { DEFAULT_JOB_OPTIONS, JOB_QUEUE } from '../../../queues/registry';
import { deduplicationIdOf } from '../../../queues/producer';
import { parseFailedReason } from '../../../queues/client';

const accountId = '65f0c0ffee0123456789abcd';
const valid = { v: 1, accountId, requestId: 'req-1' } as const;

function issuesOf(data: unknown): string {
  const r = Reconcile2faPayload.safeParse(data);
  return r.success ? '' : r.error.issues.map((i) => i.message).join(' | ');
}

describe('payload schemas', () => {
  it('accepts v1 with ids only, with or without a reason', () => {
    expect(Reconcile2faPayload.parse(valid)).toEqual(valid);
    expect(Reconcile2faPayload.parse({ ...valid, reason: 'owner_request' }).reason).toBe(
      'owner_request',
    );
    expect(
      DeliverWebhookPayload.parse({ ...valid, eventId: '65f0c0ffee0123456789abce' }).eventId,
    ).toBe('65f0c0ffee0123456789abce');
  });

  it('refuses other versions, missing ids, malformed ids and unknown reasons', () => {
    expect(issuesOf({ ...valid, v: 2 })).not.toBe('');
    expect(issuesOf({ v: 1, requestId: 'r' })).not.toBe('');
    expect(issuesOf({ v: 1, accountId })).not.toBe('');
    expect(issuesOf({ ...valid, accountId: 'acct-1' })).toMatch(/24-character hex id/);
    expect(issuesOf({ ...valid, requestId: 'has space' })).toMatch(/URL-safe/);
    expect(issuesOf({ ...valid, reason: 'because' })).not.toBe('');
  });

  it('refuses extra keys (strict)', () => {
    expect(issuesOf({ ...valid, desired: 'on' })).toMatch(/Unrecognized key/);
  });

  it.each([
    ['password', { password: 'hunter2' }],
    ['setupKey', { setupKey: 'x' }],
    ['code', { code: 'x' }],
    ['sessionCookies', { sessionCookies: 'x' }],
    ['otpauthUri', { otpauthUri: 'x' }],
  ])('refuses a key named like a secret: %s', (key, extra) => {
    expect(issuesOf({ ...valid, ...extra })).toContain(`secret-looking payload: key "${key}"`);
  });

  it.each([
    ['a 6-digit code', '123456'],
    ['a grouped code', '123 456'],
    ['a base32 key', 'JBSWY3DPEHPK3PXP'],
    ['a grouped base32 key', 'JBSW Y3DP EHPK 3PXP'],
    ['a lowercase base32 key', 'jbswy3dpehpk3pxp'],
    ['an otpauth URI', 'otpauth://totp/LinkedIn:a?secret=JBSWY3DPEHPK3PXP'],
    ['a sealed value', 'sb1.abc.def'],
  ])('refuses a value shaped like %s, naming the key but not the value', (_what, value) => {
    const message = issuesOf({ ...valid, requestId: value });
    expect(message).toContain('key "requestId" holds what looks like');
    expect(message).not.toContain(value);
  });

  it('passes ordinary ids', () => {
    expect(secretLookingReason(valid)).toBeNull();
    expect(secretLookingReason({ requestId: '0b6f1c2e-4a5b-4c3d-9e8f-7a6b5c4d3e2f' })).toBeNull();
  });
});

describe('registry', () => {
  it('routes every job name to a queue and has a schema for each', () => {
    for (const name of JOB_NAMES) {
      expect(Object.values(QueueName)).toContain(JOB_QUEUE[name]);
      expect(payloadSchemas[name]).toBeDefined();
    }
    expect(JOB_QUEUE[JobName.Reconcile2fa]).toBe(QueueName.Enrollment);
    expect(JOB_QUEUE[JobName.VerifyImportedKey]).toBe(QueueName.Enrollment);
  });

  it('retries every queue a bounded number of times with jittered exponential backoff', () => {
    for (const queue of Object.values(QueueName)) {
      const opts = DEFAULT_JOB_OPTIONS[queue];
      expect(opts.attempts).toBeGreaterThan(1);
      expect(opts.attempts).toBeLessThanOrEqual(10);
      const backoff = opts.backoff as { type: string; jitter?: number };
      expect(backoff.type).toBe('exponential');
      expect(backoff.jitter).toBeGreaterThan(0);
      expect((opts.removeOnComplete as { age: number }).age).toBeGreaterThan(0);
      expect((opts.removeOnFail as { age: number }).age).toBeGreaterThan(0);
    }
  });
});

describe('deduplication ids', () => {
  it('are <job>_<accountId> per operation, per event for webhooks, and never contain ":"', () => {
    expect(deduplicationIdOf(JobName.Reconcile2fa, valid)).toBe(`reconcile-2fa_${accountId}`);
    expect(deduplicationIdOf(JobName.VerifyImportedKey, valid)).toBe(
      `verify-imported-key_${accountId}`,
    );
    const eventId = '65f0c0ffee0123456789abce';
    expect(deduplicationIdOf(JobName.DeliverWebhook, { ...valid, eventId })).toBe(
      `deliver-webhook_${eventId}`,
    );
    for (const name of JOB_NAMES) {
      expect(deduplicationIdOf(name, { ...valid, eventId })).not.toContain(':');
    }
  });
});

describe('parseFailedReason', () => {
  it('splits "<code>: <message>" and falls back to internal_error', () => {
    expect(parseFailedReason('account_not_found: no account a1: really')).toEqual({
      code: 'account_not_found',
      message: 'no account a1: really',
    });
    expect(parseFailedReason('socket hang up')).toEqual({
      code: 'internal_error',
      message: 'socket hang up',
    });
    expect(parseFailedReason(undefined)).toEqual({ code: 'internal_error', message: '' });
  });
});
