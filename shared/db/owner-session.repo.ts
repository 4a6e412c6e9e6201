/**
 * Owner-page access: the main app asks for a one-time link (valid 24 h); opening it exchanges
 * the link for a session (valid 1 h) and the link is gone. Tokens are 32 random bytes
 * (base64url); only their SHA-256 digests are stored, so a database read yields no usable token.
 */
import { createHash, randomBytes } from 'node:crypto';
import { toObjectId } from './ids';
import type { Models } from './models';
import type { OwnerSessionDoc } from './owner-session.model';

export const OWNER_LINK_TTL_MS = 24 * 3_600_000;
export const OWNER_SESSION_TTL_MS = 3_600_000;

const token = (): string => randomBytes(32).toString('base64url');
const hash = (t: string): string => createHash('sha256').update(t).digest('hex');

/** An open owner session. */
export interface OwnerSession {
  readonly accountId: string;
  readonly tenantId: string;
  readonly csrf: string;
  readonly expiresAt: Date;
}

export function createOwnerSessionRepo({ OwnerSession: Sessions }: Models) {
  const prune = (now: Date) => Sessions.deleteMany({ expiresAt: { $lt: now } });
  return {
    /** A one-time link token for the account's owner page. */
    async createLink(
      accountId: string,
      tenantId: string,
      now = new Date(),
    ): Promise<{ token: string; expiresAt: Date }> {
      await prune(now);
      const t = token();
      const expiresAt = new Date(now.getTime() + OWNER_LINK_TTL_MS);
      await Sessions.create({
        kind: 'link',
        tokenHash: hash(t),
        accountId: toObjectId(accountId, 'accountId'),
        tenantId,
        expiresAt,
      });
      return { token: t, expiresAt };
    },

    /**
     * Exchanges a link token for a session token, once: the link is deleted (a second use, or
     * an expired or unknown link, returns null).
     */
    async exchange(
      linkToken: string,
      now = new Date(),
    ): Promise<{ token: string; session: OwnerSession } | null> {
      const link = await Sessions.findOne({
        kind: 'link',
        tokenHash: hash(linkToken),
      }).lean<OwnerSessionDoc>();
      if (!link) return null;
      const { deletedCount } = await Sessions.deleteOne({ _id: link._id });
      if (deletedCount !== 1 || link.expiresAt <= now) return null;
      const t = token();
      const csrf = token();
      const expiresAt = new Date(now.getTime() + OWNER_SESSION_TTL_MS);
      await Sessions.create({
        kind: 'session',
        tokenHash: hash(t),
        accountId: link.accountId,
        tenantId: link.tenantId,
        csrf,
        expiresAt,
      });
      return {
        token: t,
        session: {
          accountId: link.accountId.toHexString(),
          tenantId: link.tenantId,
          csrf,
          expiresAt,
        },
      };
    },

    /** The session of a session token, or null when unknown or expired. */
    async session(sessionToken: string, now = new Date()): Promise<OwnerSession | null> {
      const s = await Sessions.findOne({
        kind: 'session',
        tokenHash: hash(sessionToken),
      }).lean<OwnerSessionDoc>();
      if (!s || s.expiresAt <= now || !s.csrf) return null;
      return {
        accountId: s.accountId.toHexString(),
        tenantId: s.tenantId,
        csrf: s.csrf,
        expiresAt: s.expiresAt,
      };
    },
  };
}

export type OwnerSessionRepo = ReturnType<typeof createOwnerSessionRepo>;
