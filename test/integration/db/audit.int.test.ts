import { createModels } from '../../../shared/db/models';
import {
  AuditDetailsRefusedError,
  assertSafeAuditDetails,
  type Repositories,
} from '../../../shared/db';
import { ValidationError } from '../../../shared/errors';
import { useTestRepositories, type TestDatabase } from '../../helpers/mongo';

let db: TestDatabase;
let repos: Repositories;

useTestRepositories('file', (opened) => {
  db = opened;
  repos = opened.repos;
});

describe('audit guard', () => {
  it.each([
    ['password', 'x'],
    ['newPassword', 'x'],
    ['totp_key', 'x'],
    ['setupKey', 'x'],
    ['code', 'x'],
    ['recoveryCodes', 'x'],
    ['cookie', 'x'],
    ['clientSecret', 'x'],
    ['apiToken', 'x'],
  ])('refuses a detail named %s', (key, value) => {
    expect(() => assertSafeAuditDetails({ [key]: value })).toThrow(AuditDetailsRefusedError);
  });

  it.each([
    ['a 6-digit code', '123456'],
    ['a spaced code', '123 456'],
    ['a base32 key', 'JBSWY3DPEHPK3PXP'],
    ['a grouped base32 key', 'JBSW Y3DP EHPK 3PXP'],
    ['a lowercase base32 key', 'jbswy3dpehpk3pxp'],
    ['an otpauth uri', 'otpauth://totp/LinkedIn:me?secret=JBSWY3DPEHPK3PXP'],
    ['a sealed value', 'sb1.s.1.AAAA'],
  ])('refuses a value that looks like %s, without echoing it', (_name, value) => {
    let message = '';
    try {
      assertSafeAuditDetails({ note: value });
    } catch (err) {
      expect(err).toBeInstanceOf(AuditDetailsRefusedError);
      message = (err as Error).message;
    }
    expect(message).toMatch(/"note" looks like/);
    expect(message).not.toContain(value);
  });

  it('accepts ordinary metadata, including a key version and an error code', () => {
    const details = {
      keyVersion: 3,
      errorCode: 'secret_tampered',
      state: 'awaiting_app_approval',
      message: 'Enrollment finished successfully',
      ownerHasCopy: true,
      attempt: 2,
      note: null,
    };
    expect(assertSafeAuditDetails(details)).toEqual(details);
  });

  it('refuses nested objects and oversized values', () => {
    expect(() => assertSafeAuditDetails({ nested: { a: 1 } })).toThrow(/string, finite number/);
    expect(() => assertSafeAuditDetails({ note: 'x'.repeat(201) })).toThrow(/longer than/);
    expect(() => assertSafeAuditDetails([1])).toThrow(/plain object/);
  });
});

describe('audit repository', () => {
  it('refuses to record secrets and writes nothing', async () => {
    const accountId = repos.accounts.newId();
    await expect(
      repos.audit.record({
        tenantId: 't1',
        accountId,
        actor: 'worker:enrollment',
        action: 'key.sealed',
        details: { setupKey: 'JBSWY3DPEHPK3PXP' },
      }),
    ).rejects.toBeInstanceOf(AuditDetailsRefusedError);
    expect((await repos.audit.list(accountId)).events).toHaveLength(0);
  });

  it('validates actor and action', async () => {
    const base = { tenantId: 't1', action: 'key.used', actor: 'cli' };
    await expect(repos.audit.record({ ...base, actor: 'someone' })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(repos.audit.record({ ...base, action: 'Key Used' })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(repos.audit.record({ ...base, actor: 'api:ops-token' })).resolves.toMatchObject({
      actor: 'api:ops-token',
      accountId: null,
    });
  });

  it('pages newest first, with ties on `at` broken by id', async () => {
    const accountId = repos.accounts.newId();
    const start = Date.parse('2024-01-01T00:00:00Z');
    // 7 events over 5 distinct milliseconds: two ties exercise the (at, _id) cursor.
    const offsets = [0, 1, 1, 2, 3, 3, 4];
    for (const [i, ms] of offsets.entries()) {
      await repos.audit.record({
        tenantId: 't1',
        accountId,
        actor: 'worker:challenge',
        action: 'key.used',
        at: new Date(start + ms),
        jobId: `job-${i}`,
        details: { attempt: i },
      });
    }
    const seen: number[] = [];
    let before: string | undefined;
    let pages = 0;
    do {
      const page = await repos.audit.list(accountId, { limit: 3, before });
      seen.push(...page.events.map((e) => e.details.attempt as number));
      before = page.nextBefore ?? undefined;
      pages++;
    } while (before);
    expect(pages).toBe(3);
    expect(seen).toEqual([6, 5, 4, 3, 2, 1, 0]);
    await expect(repos.audit.list(accountId, { before: 'junk' })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(repos.audit.list(accountId, { limit: 0 })).rejects.toBeInstanceOf(ValidationError);
  });

  it('counts one action of one account at or after a time, with the oldest of them', async () => {
    const accountId = repos.accounts.newId();
    const other = repos.accounts.newId();
    const t = (minutes: number) => new Date(Date.UTC(2024, 4, 1, 10, minutes));
    const record = (account: string, action: string, at: Date) =>
      repos.audit.record({ tenantId: 't1', accountId: account, actor: 'cli', action, at });
    await record(accountId, 'key.revealed', t(0));
    await record(accountId, 'key.revealed', t(10));
    await record(accountId, 'key.revealed', t(30));
    await record(accountId, 'key.revealed', t(20));
    await record(accountId, 'key.sealed', t(15));
    await record(other, 'key.revealed', t(5));

    expect(await repos.audit.countSince(accountId, 'key.revealed', t(10))).toEqual({
      count: 3,
      oldest: t(10),
    });
    expect(await repos.audit.countSince(accountId, 'key.revealed', t(0))).toEqual({
      count: 4,
      oldest: t(0),
    });
    expect(await repos.audit.countSince(accountId, 'key.sealed', t(0))).toEqual({
      count: 1,
      oldest: t(15),
    });
    expect(await repos.audit.countSince(accountId, 'key.revealed', t(31))).toEqual({
      count: 0,
      oldest: null,
    });
    expect(await repos.audit.countSince(other, 'key.used', t(0))).toEqual({
      count: 0,
      oldest: null,
    });
    await expect(repos.audit.countSince('nope', 'key.revealed', t(0))).rejects.toBeInstanceOf(
      ValidationError,
    );
  });

  it('is append-only through mongoose', async () => {
    const { AuditEvent } = createModels(db.connection);
    await expect(AuditEvent.updateOne({}, { $set: { actor: 'cli' } })).rejects.toThrow(
      /append-only/,
    );
    await expect(AuditEvent.deleteMany({})).rejects.toThrow(/append-only/);
  });
});
