import { transactionRetryingContention } from '../../db/knex';
import crypto from 'node:crypto';
import type { Executor } from '../../db/repos';
import { newTokenSecret } from '../../db/repos/tokens.repo';
import type { SigninLinkPurpose } from '../../db/repos/sessions.repo';
import { actorLabel, landingFor, type PersonActor } from '../../domain/access/policy';
import type { Outbox } from '../../mail/outbox';
import { loadPersonActor, SESSION_ABSOLUTE_MS } from '../auth';
import type { ServerDeps } from '../deps';
import type { RequestMeta } from './actions.service';

/** A link asked for at /signin works for 15 minutes… */
export const SIGNIN_LINK_MINUTES = 15;
/** …one in an invitation for 7 days (people do not read invitations within minutes). */
export const INVITATION_LINK_DAYS = 7;
/** Requests for a link in 15 minutes, per address and per IP, before we stop sending. */
const SIGNIN_WINDOW_MINUTES = 15;
const DEFAULT_LIMITS = { perEmail: 5, perIp: 30 };

export type SigninFailure = 'unknown' | 'expired' | 'used' | 'no-standing';

export interface SignedIn {
  /** the secret of the new session, for the cookie (only its hash is stored) */
  sessionSecret: string;
  sessionId: string;
  person: PersonActor & { name: string };
  /** where the person lands: the page of their strongest role */
  landing: string;
}

/**
 * Signing in to the pages. A person asks for a link by email (the answer is the same whether or
 * not we know the address, and requests are counted per address and per IP in the database, so the
 * limits hold across every server process and a restart); the link works once, briefly, and is
 * stored hashed. Using it starts a new session (rotated: any session the browser had is ended).
 * Every sign-in and every failed one is audited.
 */
export function createSigninService(deps: ServerDeps & { outbox: Outbox }) {
  const { db, repos, outbox, publicUrl, log } = deps;
  const limits = { perEmail: deps.rateLimit?.signinPerEmail ?? DEFAULT_LIMITS.perEmail, perIp: deps.rateLimit?.signinPerIp ?? DEFAULT_LIMITS.perIp };

  async function landingPath(person: PersonActor): Promise<string> {
    const landing = landingFor(person);
    switch (landing.page) {
      case 'home':
        return '/';
      case 'network':
        return `/networks/${landing.networkId}`;
      case 'panel':
        return '/panel';
      case 'my-actions':
        return '/me/actions';
      case 'readiness': {
        // the first of their programmes (oldest first) that has a wave: its readiness page
        for (const programme of await repos.records.listProgrammes(db)) {
          if (!landing.programmeIds.includes(programme.id)) continue;
          const [wave] = await repos.records.listWaves(db, programme.id);
          if (wave) return `/waves/${wave.id}`;
        }
        return '/';
      }
    }
  }

  async function failed(method: 'email-link' | 'api-token', reason: SigninFailure, meta: RequestMeta, personId?: string): Promise<{ failure: SigninFailure }> {
    await transactionRetryingContention(db, (trx) =>
      repos.audit.append(trx, 'anonymous', { type: 'person.sign-in-failed', method, reason, ...(personId ? { personId } : {}), ip: meta.ip }),
    );
    return { failure: reason };
  }

  /** Starts a session for a person who has just proved who they are, ending the browser's previous one. */
  async function startSession(
    personId: string,
    method: 'email-link' | 'api-token',
    meta: RequestMeta,
    previousSession: string | undefined,
  ): Promise<SignedIn | { failure: SigninFailure }> {
    const sessionId = crypto.randomUUID();
    const person = await loadPersonActor(deps, personId, { kind: 'session', id: sessionId });
    if (!person) return failed(method, 'no-standing', meta, personId);
    const sessionSecret = newTokenSecret();
    const previous = previousSession ? await repos.sessions.sessionBySecret(db, previousSession) : null;
    await transactionRetryingContention(db, async (trx) => {
      if (previous) await repos.sessions.endSession(trx, previous.id);
      await repos.sessions.createSession(trx, {
        id: sessionId,
        secret: sessionSecret,
        personId,
        expiresAt: new Date(Date.now() + SESSION_ABSOLUTE_MS).toISOString(),
        ip: meta.ip,
        userAgent: meta.userAgent,
      });
      await repos.audit.append(trx, actorLabel(person), { type: 'person.signed-in', personId, method, sessionId });
    });
    return { sessionSecret, sessionId, person, landing: await landingPath(person) };
  }

  return {
    landingPath,

    /**
     * Mints a one-time sign-in link for a person in the caller's transaction (a request at
     * /signin, or an invitation). Only the hash of its secret is stored.
     */
    async mintLink(trx: Executor, personId: string, purpose: SigninLinkPurpose): Promise<{ id: string; url: string; expiresAt: string }> {
      const id = crypto.randomUUID();
      const secret = newTokenSecret();
      const ttl = purpose === 'invitation' ? INVITATION_LINK_DAYS * 86_400_000 : SIGNIN_LINK_MINUTES * 60_000;
      const createdAt = Date.now();
      const expiresAt = new Date(createdAt + ttl).toISOString();
      await repos.sessions.createSigninLink(trx, { id, secret, personId, purpose, createdAt: new Date(createdAt).toISOString(), expiresAt });
      return { id, url: `${publicUrl}/signin/${secret}`, expiresAt };
    },

    /**
     * A request for a sign-in link. Known or not, the caller is told the same; a known person with
     * any standing is sent a link. Mail goes out after the answer, so how long the answer takes
     * does not tell known addresses from unknown ones either.
     */
    async requestLink(email: string, meta: RequestMeta): Promise<'accepted' | 'rate-limited'> {
      const counts = await repos.sessions.recordSigninRequest(db, { email, ip: meta.ip ?? 'unknown', windowMinutes: SIGNIN_WINDOW_MINUTES });
      if (counts.byEmail > limits.perEmail || counts.byIp > limits.perIp) return 'rate-limited';
      const found = await repos.persons.byEmail(db, email);
      const person = found ? await loadPersonActor(deps, found.id, { kind: 'session', id: 'pending' }) : null;
      if (!found || !person) return 'accepted';
      const key = await transactionRetryingContention(db, async (trx) => {
        const link = await this.mintLink(trx, found.id, 'signin');
        await repos.audit.append(trx, 'anonymous', { type: 'person.sign-in-link-sent', personId: found.id, linkId: link.id });
        return outbox.queue(trx, {
          key: `signin:${link.id}`,
          to: found.email,
          networkId: null,
          template: 'signin-link',
          data: { name: found.name, link: link.url, expiresAt: link.expiresAt },
          links: [link.url],
        });
      });
      void outbox.deliver([key]).catch((err: Error) => log.warn({ err: err.message }, 'sign-in link not delivered yet'));
      void repos.sessions.pruneSigninRequests(db).catch(() => undefined);
      return 'accepted';
    },

    /** Whether a sign-in link can still be used (the page that shows the button asks; it uses nothing). */
    async linkState(secret: string): Promise<'usable' | 'expired' | 'used' | 'unknown'> {
      const link = await repos.sessions.signinLinkBySecret(db, secret);
      if (!link) return 'unknown';
      if (link.usedAt) return 'used';
      return Date.parse(link.expiresAt) <= Date.now() ? 'expired' : 'usable';
    },

    /** Uses a sign-in link (once) and starts a session. */
    async signInWithLink(secret: string, meta: RequestMeta, previousSession?: string): Promise<SignedIn | { failure: SigninFailure }> {
      const used = await repos.sessions.consumeSigninLink(db, secret);
      if ('failure' in used) return failed('email-link', used.failure, meta, used.link?.personId);
      return startSession(used.link.personId, 'email-link', meta, previousSession);
    },

    /** Signs in with one's API token (the administrator's first visit); the session, not the token, goes in the cookie. */
    async signInWithToken(token: string, meta: RequestMeta, previousSession?: string): Promise<SignedIn | { failure: SigninFailure }> {
      const found = token ? await repos.tokens.apiTokenBySecret(db, token) : null;
      const live = found && !found.revokedAt && (!found.expiresAt || Date.parse(found.expiresAt) > Date.now());
      if (!found || !live) return failed('api-token', found ? 'expired' : 'unknown', meta, found?.personId);
      return startSession(found.personId, 'api-token', meta, previousSession);
    },

    /** Ends the browser's session. */
    async signOut(sessionSecret: string | undefined): Promise<void> {
      const session = sessionSecret ? await repos.sessions.sessionBySecret(db, sessionSecret) : null;
      if (!session) return;
      await transactionRetryingContention(db, async (trx) => {
        if (await repos.sessions.endSession(trx, session.id)) {
          await repos.audit.append(trx, `person:${session.personId} session:${session.id}`, {
            type: 'person.signed-out',
            personId: session.personId,
            sessionId: session.id,
          });
        }
      });
    },
  };
}

export type SigninService = ReturnType<typeof createSigninService>;
