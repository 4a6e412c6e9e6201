/**
 * Status-change webhooks on real parts: a challenge worker meets LinkedIn's screens, the event
 * goes through the webhooks queue to a receiver in this test, which checks the HMAC signature,
 * the timestamp and the idempotency key; a receiver error is retried with the same event id.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFleetClient, type FleetClient } from '../../../queues/client';
import { QueueName } from '../../../queues/names';
import { systemClock } from '../../../shared/clock';
import { startWebhookWorker, type WebhookWorker } from '../../../workers/webhooks/deliver';
import { enrolledAccount, useTestFleet, type TestFleet } from '../../helpers/fleet';

const SECRET = 'whsec-0123456789abcdef0123456789abcdef';
const PASSWORD = 'webhook-test-password-27';

interface Delivery {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}
const deliveries: Delivery[] = [];
/** Accounts whose events the receiver refuses once each (500), to exercise the retry. */
const refuseFirstDelivery = new Set<string>();
let receiver: Server;
let receiverUrl = '';

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const id = String(req.headers['x-li2fa-event-id']);
      const seen = deliveries.some((d) => d.headers['x-li2fa-event-id'] === id);
      deliveries.push({ headers: req.headers, body });
      const { accountId } = JSON.parse(body) as { accountId: string };
      res.writeHead(refuseFirstDelivery.has(accountId) && !seen ? 500 : 204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
});
afterAll(() => new Promise<void>((r) => receiver.close(() => r())));

let f: TestFleet;
let client: FleetClient;
let webhooks: WebhookWorker;
useTestFleet(
  { recognizedDeviceSkips2fa: false },
  (fleet) => {
    f = fleet;
    client = createFleetClient({
      config: f.config,
      desired: f.desired,
      repos: f.repos,
      vault: f.vault,
    });
    webhooks = startWebhookWorker({
      config: f.config,
      repos: f.repos,
      clock: systemClock,
      log: f.log,
    });
  },
  {
    worker: false,
    challenge: true,
    configure: (c) => ({ ...c, webhooks: { urls: { 'tenant-w': receiverUrl }, secret: SECRET } }),
  },
);
afterAll(async () => {
  await webhooks?.close();
  await client?.close();
});

const enrolled = (tenantId: string, sim: Record<string, unknown> = {}) =>
  enrolledAccount(f, { password: PASSWORD, tenantId, tag: 'hook', sim });

async function check(id: string) {
  const { jobId } = await client.checkSession(id, { actor: 'cli' });
  return client.waitForOutcome(jobId, { queue: QueueName.SessionCheck, timeoutMs: 60_000 });
}

async function deliveriesFor(accountId: string, type: string, count = 1, timeoutMs = 30_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const found = deliveries.filter((d) => {
      const b = JSON.parse(d.body) as { accountId: string; type: string };
      return b.accountId === accountId && b.type === type;
    });
    if (found.length >= count) return found;
    if (Date.now() > end) throw new Error(`no ${type} webhook for ${accountId}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function verify(d: Delivery): void {
  const ts = Number(d.headers['x-li2fa-timestamp']);
  expect(Math.abs(Date.now() / 1000 - ts)).toBeLessThan(300);
  const expected = Buffer.from(
    `v1=${createHmac('sha256', SECRET).update(`${ts}.${d.body}`).digest('hex')}`,
  );
  const given = Buffer.from(String(d.headers['x-li2fa-signature']));
  expect(given.length === expected.length && timingSafeEqual(given, expected)).toBe(true);
  expect(d.headers['content-type']).toBe('application/json');
}

it('delivers needs_user_action with its reason, signed, with no secret in it', async () => {
  const { id, key } = await enrolled('tenant-w', { loginChallenge: 'captcha' });
  expect(await check(id)).toMatchObject({ status: 'failed', code: 'captcha' });
  const [d] = await deliveriesFor(id, 'account.needs_user_action');
  verify(d!);
  const body = JSON.parse(d!.body) as Record<string, unknown>;
  expect(body).toMatchObject({
    tenantId: 'tenant-w',
    data: { status: 'needs_user_action', reason: 'captcha', previous: 'active' },
    account: { status: 'needs_user_action', statusReason: 'captcha' },
  });
  expect(d!.headers['x-li2fa-event-id']).toBe(body['id']);
  expect(d!.body).not.toContain(PASSWORD);
  expect(d!.body).not.toContain(key);
});

it('retries a refused delivery with the same event id and body', async () => {
  const { id } = await enrolled('tenant-w');
  refuseFirstDelivery.add(id);
  expect(await check(id)).toMatchObject({ result: { detail: 'challenge_answered' } });
  const both = await deliveriesFor(id, 'session.challenge_answered', 2, 40_000);
  expect(both[0]!.headers['x-li2fa-event-id']).toBe(both[1]!.headers['x-li2fa-event-id']);
  expect(both[0]!.body).toBe(both[1]!.body);
  verify(both[1]!);
  const jobs = await f.producer.queue(QueueName.Webhooks).getJobs(['completed']);
  const job = jobs.find((j) => (j.data as { accountId: string }).accountId === id);
  expect(job?.attemptsMade).toBeGreaterThanOrEqual(1);
});

it('sends nothing for a tenant without a webhook URL', async () => {
  const { id } = await enrolled('tenant-quiet', { loginChallenge: 'captcha' });
  expect(await check(id)).toMatchObject({ status: 'failed', code: 'captcha' });
  const audit = (await f.repos.audit.list(id)).events.map((e) => e.action);
  expect(audit).toContain('account.status_changed');
  const jobs = await f.producer
    .queue(QueueName.Webhooks)
    .getJobs(['waiting', 'delayed', 'completed', 'failed', 'active']);
  expect(jobs.some((j) => (j.data as { accountId: string }).accountId === id)).toBe(false);
});
