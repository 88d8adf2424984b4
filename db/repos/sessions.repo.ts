import crypto from 'node:crypto';
import { type Executor, nowIso } from './executor';
import { hashToken } from './tokens.repo';

/** A signed-in browser. The cookie holds a secret; only its hash is stored. */
export interface Session {
  id: string;
  personId: string;
  createdAt: string;
  lastSeenAt: string;
  /** the absolute end, however active the session is */
  expiresAt: string;
  endedAt: string | null;
}

export type SigninLinkPurpose = 'signin' | 'invitation';

export interface SigninLink {
  id: string;
  personId: string;
  purpose: SigninLinkPurpose;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
}

function sessionFromRow(r: Record<string, unknown>): Session {
  return {
    id: String(r.id),
    personId: String(r.person_id),
    createdAt: String(r.created_at),
    lastSeenAt: String(r.last_seen_at),
    expiresAt: String(r.expires_at),
    endedAt: (r.ended_at as string | null) ?? null,
  };
}

function linkFromRow(r: Record<string, unknown>): SigninLink {
  return {
    id: String(r.id),
    personId: String(r.person_id),
    purpose: r.purpose as SigninLinkPurpose,
    createdAt: String(r.created_at),
    expiresAt: String(r.expires_at),
    usedAt: (r.used_at as string | null) ?? null,
  };
}

/** The hash under which a sign-in request is counted: the address itself is not kept. */
export function emailHash(email: string): string {
  return crypto.createHash('sha256').update(`signin:${email.trim().toLowerCase()}`).digest('hex');
}

/** Sessions, one-time sign-in links and the log of sign-in requests the rate limits count. */
export function createSessionsRepo() {
  return {
    async createSession(
      db: Executor,
      s: { id: string; secret: string; personId: string; expiresAt: string; ip: string | null; userAgent: string | null },
    ): Promise<void> {
      const now = nowIso();
      await db('sessions').insert({
        id: s.id,
        token_hash: hashToken(s.secret),
        person_id: s.personId,
        created_at: now,
        last_seen_at: now,
        expires_at: s.expiresAt,
        ip: s.ip,
        user_agent: s.userAgent?.slice(0, 500) ?? null,
      });
    },

    async sessionBySecret(db: Executor, secret: string): Promise<Session | null> {
      const r = await db('sessions')
        .where({ token_hash: hashToken(secret) })
        .first();
      return r ? sessionFromRow(r) : null;
    },

    /** Records activity, at most once a minute per session (every request would be a write). */
    async touchSession(db: Executor, id: string): Promise<void> {
      const now = new Date();
      await db('sessions')
        .where({ id })
        .where('last_seen_at', '<', new Date(now.getTime() - 60_000).toISOString())
        .update({ last_seen_at: now.toISOString() });
    },

    /** Ends a session; true when this call ended it. */
    async endSession(db: Executor, id: string): Promise<boolean> {
      return (await db('sessions').where({ id }).whereNull('ended_at').update({ ended_at: nowIso() })) > 0;
    },

    async endSessionsOf(db: Executor, personId: string): Promise<number> {
      return db('sessions').where({ person_id: personId }).whereNull('ended_at').update({ ended_at: nowIso() });
    },

    async createSigninLink(
      db: Executor,
      l: { id: string; secret: string; personId: string; purpose: SigninLinkPurpose; createdAt: string; expiresAt: string },
    ): Promise<void> {
      await db('signin_links').insert({
        id: l.id,
        token_hash: hashToken(l.secret),
        person_id: l.personId,
        purpose: l.purpose,
        created_at: l.createdAt,
        expires_at: l.expiresAt,
      });
    },

    async signinLinkBySecret(db: Executor, secret: string): Promise<SigninLink | null> {
      const r = await db('signin_links')
        .where({ token_hash: hashToken(secret) })
        .first();
      return r ? linkFromRow(r) : null;
    },

    /**
     * Uses a sign-in link once: a conditional update, so of two clicks at the same moment exactly
     * one succeeds. Otherwise says why not.
     */
    async consumeSigninLink(
      db: Executor,
      secret: string,
    ): Promise<{ link: SigninLink } | { failure: 'unknown' | 'expired' | 'used'; link: SigninLink | null }> {
      const now = nowIso();
      const used = await db('signin_links')
        .where({ token_hash: hashToken(secret) })
        .whereNull('used_at')
        .where('expires_at', '>', now)
        .update({ used_at: now });
      const link = await this.signinLinkBySecret(db, secret);
      if (used > 0 && link) return { link };
      if (!link) return { failure: 'unknown', link: null };
      return { failure: link.usedAt ? 'used' : 'expired', link };
    },

    /** Logs a request for a sign-in link and says how many were made in the window, by address and by IP. */
    async recordSigninRequest(db: Executor, r: { email: string; ip: string; windowMinutes: number }): Promise<{ byEmail: number; byIp: number }> {
      const now = new Date();
      const hash = emailHash(r.email);
      await db('signin_requests').insert({ id: crypto.randomUUID(), email_hash: hash, ip: r.ip, at: now.toISOString() });
      const since = new Date(now.getTime() - r.windowMinutes * 60_000).toISOString();
      const [byEmail, byIp] = await Promise.all([
        db('signin_requests').where({ email_hash: hash }).where('at', '>', since).count({ n: '*' }).first(),
        db('signin_requests').where({ ip: r.ip }).where('at', '>', since).count({ n: '*' }).first(),
      ]);
      return { byEmail: Number(byEmail?.n ?? 0), byIp: Number(byIp?.n ?? 0) };
    },

    /** Forgets sign-in requests older than a day: they only ever feed the rate limits. */
    async pruneSigninRequests(db: Executor): Promise<void> {
      await db('signin_requests')
        .where('at', '<', new Date(Date.now() - 86_400_000).toISOString())
        .delete();
    },
  };
}

export type SessionsRepo = ReturnType<typeof createSessionsRepo>;
