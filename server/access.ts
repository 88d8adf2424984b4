import type { Request, Response } from 'express';
import type { Knex } from 'knex';
import { transactionRetryingContention } from '../db/knex';
import type { Repos } from '../db/repos';
import type { AccessAction, AccessScope } from '../domain/access/actions';
import { type Actor, actorLabel, type Decision, type LinkActor } from '../domain/access/policy';
import type { ActionLink } from './action-links';
import { createAuthenticator } from './auth';
import { AppError } from './errors';
import type { ScopeSpec } from './route';

/** Set on every answer the access layer refuses, so a refusal can be told from a handler's own 404. */
export const ACCESS_DECISION_HEADER = 'X-Access-Decision';

/** What each scope kind is called in a "no such …" answer. */
const NOUNS: Record<string, string> = {
  programme: 'programme',
  wave: 'wave',
  network: 'network',
  document: 'document',
  signoff: 'signing round',
  motion: 'motion',
  election: 'election',
  dispute: 'dispute',
  sealed: 'sealed document',
  grant: 'staff grant',
  apiToken: 'API token',
  personInQuery: 'person',
  programmeInBody: 'programme',
  networkInBody: 'network',
  programmesInBody: 'programme',
};

export interface ScopeInput {
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  body: unknown;
}

/** A resolved scope, or the id that named nothing. */
export type ScopeResolution = { scope: AccessScope | null } | { notFound: string };

/**
 * Refuses a request for the access layer: the status follows the decision (401, 403, 404) and the
 * answer is marked, identically whether an id is unknown or outside the caller's scope.
 */
export function refuse(res: Response, decision: Exclude<Decision, 'allow'>, message: string): never {
  res.setHeader(ACCESS_DECISION_HEADER, decision);
  const code = decision === 'unauthenticated' ? 'UNAUTHENTICATED' : decision === 'forbidden' ? 'FORBIDDEN' : 'NOT_FOUND';
  throw new AppError(code, message);
}

export function forbiddenMessage(action: AccessAction): string {
  return `Your role does not allow this here (${action}).`;
}

/** The actor an action link makes of its holder. */
export function linkActor(link: ActionLink): LinkActor {
  return {
    kind: 'link',
    linkKind: link.token.kind,
    tokenId: link.token.id,
    memberId: link.person.id,
    personId: link.person.personId ?? link.person.id,
    networkId: link.person.networkId,
    practiceId: link.person.practiceId,
    subjectId: link.token.subjectId,
    documentId: link.token.documentId,
  };
}

/**
 * The access layer of the route table and the pages: who is calling (authentication), where the
 * resource stands (the scope resolver: an entity's id → its programme and network; an unknown id is
 * a 404), and the audit of reads that must be recorded.
 */
export function createAccessLayer(deps: { db: Knex; repos: Repos; secureCookies: boolean }) {
  const { db, repos } = deps;
  const authenticator = createAuthenticator(deps);

  type Lookup = (id: string) => Promise<AccessScope | null>;
  const byId: Record<string, Lookup> = {
    programme: (id) => repos.scopes.programme(db, id),
    wave: (id) => repos.scopes.wave(db, id),
    network: (id) => repos.scopes.network(db, id),
    document: (id) => repos.scopes.document(db, id),
    signoff: (id) => repos.scopes.signoff(db, id),
    motion: (id) => repos.scopes.motion(db, id),
    election: (id) => repos.scopes.election(db, id),
    sealed: (id) => repos.scopes.sealed(db, id),
    dispute: (id) => repos.disputes.scopeOf(db, id),
    grant: (id) => repos.scopes.grant(db, id),
    apiToken: (id) => repos.scopes.apiToken(db, id),
    personInQuery: (id) => repos.scopes.person(db, id),
    programmeInBody: (id) => repos.scopes.programme(db, id),
    networkInBody: (id) => repos.scopes.network(db, id),
  };

  function kindOf(spec: ScopeSpec): { kind: string; field: string } {
    const [kind, field] = Object.entries(spec)[0] as [string, string];
    return { kind, field };
  }

  return {
    cookieName: authenticator.cookieName,

    /** The caller; the API reads the session cookie for safe methods only. */
    authenticate(req: Request, opts: { cookie?: boolean } = {}) {
      const safe = req.method === 'GET' || req.method === 'HEAD';
      return authenticator.authenticate(req, { cookie: opts.cookie ?? safe });
    },

    /** Whether a scope kind can be resolved (checked when routes are mounted, so a gap fails at start). */
    supports(spec: ScopeSpec): boolean {
      const { kind } = kindOf(spec);
      return kind === 'programmesInBody' || kind in byId;
    },

    /** Where the route's resource stands. A scope taken from the body or query is left out when absent. */
    async resolve(spec: ScopeSpec, input: ScopeInput): Promise<ScopeResolution> {
      const { kind, field } = kindOf(spec);
      const noun = NOUNS[kind] ?? kind;
      if (kind === 'programmesInBody') {
        const ids = (input.body as Record<string, unknown> | undefined)?.[field];
        if (!Array.isArray(ids) || ids.length === 0 || ids.length > 100 || !ids.every((i) => typeof i === 'string' && i.length > 0 && i.length <= 64))
          return { scope: null };
        const scope = await repos.scopes.programmes(db, ids as string[]);
        return scope ? { scope } : { notFound: `No ${noun} with id ${(ids as string[]).join(', ')}.` };
      }
      const source = kind.endsWith('InBody') ? (input.body as Record<string, unknown> | undefined) : kind.endsWith('InQuery') ? input.query : input.params;
      const id = source?.[field];
      if (typeof id !== 'string' || id.length === 0 || id.length > 64) {
        if (source === input.params) return { notFound: `No ${noun} with that id.` };
        return { scope: null };
      }
      const scope = await byId[kind](id);
      return scope ? { scope } : { notFound: `No ${noun} with id ${id}.` };
    },

    /** The "no such …" answer for a scope the caller may not see: the same words as for an unknown id. */
    notFoundMessage(spec: ScopeSpec, input: ScopeInput): string {
      const { kind, field } = kindOf(spec);
      const noun = NOUNS[kind] ?? kind;
      const source = kind.endsWith('InBody') ? (input.body as Record<string, unknown> | undefined) : kind.endsWith('InQuery') ? input.query : input.params;
      const id = source?.[field];
      return `No ${noun} with id ${Array.isArray(id) ? id.join(', ') : String(id)}.`;
    },

    /** Records a granted read of something audited (the outbox, evidence). */
    async auditRead(actor: Actor, read: { action: AccessAction; route: string; params: Record<string, string> }, networkId: string | null): Promise<void> {
      // every audited write takes the chain's head: a deadlock with another is retried, not answered
      await transactionRetryingContention(db, (trx) => repos.audit.append(trx, actorLabel(actor), { type: 'access.read', ...read }, networkId));
    },
  };
}

export type AccessLayer = ReturnType<typeof createAccessLayer>;
