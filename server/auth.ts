import type { Request } from 'express';
import type { Knex } from 'knex';
import type { Repos } from '../db/repos';
import { type Actor, hasStanding, type PersonActor } from '../domain/access/policy';

/** A session ends after this long without a request… */
export const SESSION_IDLE_MS = 12 * 3600_000;
/** …and after this long in any case. */
export const SESSION_ABSOLUTE_MS = 7 * 86_400_000;

/** The session cookie: `__Host-` (Secure, path /, no Domain) when served over HTTPS. */
export function sessionCookieName(secure: boolean): string {
  return secure ? '__Host-fw_session' : 'fw_session';
}

export interface Authentication {
  actor: Actor;
  /** why a credential that was presented did not authenticate (said in the 401) */
  problem: string | null;
}

const ANONYMOUS: Actor = { kind: 'anonymous' };

/**
 * A person with their powers as they are now: grants, offices and places in practices. Null when
 * the person is unknown or no longer stands anywhere (their last grant was revoked), so their
 * tokens and sessions stop working.
 */
export async function loadPersonActor(
  deps: { db: Knex; repos: Repos },
  personId: string,
  credential: PersonActor['credential'],
): Promise<(PersonActor & { name: string; email: string }) | null> {
  const { db, repos } = deps;
  const [person, grants, memberships] = await Promise.all([
    repos.persons.get(db, personId),
    repos.persons.liveGrants(db, personId),
    repos.persons.memberships(db, personId),
  ]);
  if (!person) return null;
  const offices = await repos.offices.ofPerson(db, personId, memberships);
  const actor = {
    kind: 'person' as const,
    personId,
    name: person.name,
    email: person.email,
    isAdmin: person.isAdmin,
    grants: grants.map((g) => ({ id: g.id, role: g.role, programmeIds: g.programmeIds })),
    offices,
    memberships,
    credential,
  };
  return hasStanding(actor) ? actor : null;
}

/** How often a credential's last use is written: the repositories refuse more often anyway. */
const TOUCH_EVERY_MS = 60_000;

/**
 * Whether a credential read with this last use is due a new one: the row was just read, so a use
 * written within the minute needs no write (the repository's own condition would match no row,
 * but only after a round trip on every request).
 */
function due(lastUsedAt: string | null): boolean {
  return !lastUsedAt || Date.parse(lastUsedAt) <= Date.now() - TOUCH_EVERY_MS;
}

function bearer(req: Request): string | null | 'malformed' {
  const header = req.get('authorization');
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : 'malformed';
}

/**
 * Who is calling: a person by API token (`Authorization: Bearer …`, scripts) or by session cookie
 * (pages), else anonymous. The API reads the cookie for safe methods only, so a page elsewhere
 * cannot make a signed-in browser change anything through the API; forms have their own CSRF check.
 */
export function createAuthenticator(deps: { db: Knex; repos: Repos; secureCookies: boolean }) {
  const { db, repos } = deps;
  const cookieName = sessionCookieName(deps.secureCookies);

  async function byToken(secret: string): Promise<Authentication> {
    const token = await repos.tokens.apiTokenBySecret(db, secret);
    const live = token && !token.revokedAt && (!token.expiresAt || Date.parse(token.expiresAt) > Date.now());
    const actor = live ? await loadPersonActor(deps, token.personId, { kind: 'token', id: token.id }) : null;
    if (!token || !actor) return { actor: ANONYMOUS, problem: 'The API token is not valid, has expired or was revoked.' };
    if (due(token.lastUsedAt)) await repos.tokens.touchApiToken(db, token.id);
    return { actor, problem: null };
  }

  async function bySession(secret: string): Promise<Authentication> {
    const session = await repos.sessions.sessionBySecret(db, secret);
    const now = Date.now();
    const live = session && !session.endedAt && Date.parse(session.expiresAt) > now && Date.parse(session.lastSeenAt) + SESSION_IDLE_MS > now;
    const actor = live ? await loadPersonActor(deps, session.personId, { kind: 'session', id: session.id }) : null;
    if (!session || !actor) return { actor: ANONYMOUS, problem: 'Your session has ended. Sign in again.' };
    if (due(session.lastSeenAt)) await repos.sessions.touchSession(db, session.id);
    return { actor, problem: null };
  }

  return {
    cookieName,
    async authenticate(req: Request, opts: { cookie: boolean }): Promise<Authentication> {
      const token = bearer(req);
      if (token === 'malformed') return { actor: ANONYMOUS, problem: 'The Authorization header must be "Bearer <token>".' };
      if (token) return byToken(token);
      const cookie = (req.cookies as Record<string, string> | undefined)?.[cookieName];
      if (!cookie) return { actor: ANONYMOUS, problem: null };
      if (!opts.cookie)
        return {
          actor: ANONYMOUS,
          problem: 'The sign-in cookie is accepted by the API for reading only; send "Authorization: Bearer <token>" (create one at /me).',
        };
      return bySession(cookie);
    },
  };
}

export type Authenticator = ReturnType<typeof createAuthenticator>;
