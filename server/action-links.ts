import type { Knex } from 'knex';
import type { Repos } from '../db/repos';
import type { ActionToken } from '../db/repos/tokens.repo';
import type { ActionKind } from '../domain/action-kinds';
import { AppError } from './errors';
import { tokenParam } from './schemas';

/** An action link as a route receives it: the token, the person it was sent to, and whether it is still live. */
export interface ActionLink {
  /** the secret as presented (needed to build the person's own URLs, never logged) */
  secret: string;
  token: ActionToken & { kind: ActionKind };
  /**
   * Who the link was sent to. A `score` link is held by a panel member, who belongs to no practice:
   * there `person` carries the member's id, name and email with empty practice fields, and
   * `panelMember` says who they are.
   */
  person: { id: string; name: string; email: string; roles: string[]; practiceId: string; practiceName: string; networkId: string };
  panelMember: { id: string; name: string; email: string; organisation: string; external: boolean; waveId: string } | null;
  /** past the link's own expiry (the round or vote it serves may have its own deadline too) */
  expired: boolean;
}

export type LinkResolver = (secret: unknown, kinds: readonly ActionKind[]) => Promise<ActionLink>;

const UNKNOWN_LINK = 'This link is not valid. Check that you copied all of it, or ask the facilitator for a new one.';

/**
 * The one place an action link is resolved: the route table (and the page kit) names the kinds a
 * route accepts, and this turns the presented secret into the link, or a 404 that says nothing
 * about whether some other link exists.
 */
export function createLinkResolver(deps: { db: Knex; repos: Repos }): LinkResolver {
  const { db, repos } = deps;
  return async (secret, kinds) => {
    const parsed = tokenParam.shape.token.safeParse(secret);
    if (!parsed.success) throw new AppError('NOT_FOUND', UNKNOWN_LINK);
    const token = await repos.tokens.actionTokenBySecret(db, parsed.data);
    if (!token || !(kinds as readonly string[]).includes(token.kind)) throw new AppError('NOT_FOUND', UNKNOWN_LINK);
    const expired = Date.parse(token.expiresAt) <= Date.now();
    if (token.kind === 'score') {
      const member = await repos.panels.member(db, token.personId);
      if (!member) throw new AppError('NOT_FOUND', UNKNOWN_LINK);
      const { id, name, email, organisation, external, waveId } = member;
      return { secret: parsed.data, token: token as ActionLink['token'], person: { id, name, email, roles: ['panel-member'], practiceId: '', practiceName: '', networkId: '' }, panelMember: { id, name, email, organisation, external, waveId }, expired };
    }
    const person = await repos.records.getPerson(db, token.personId);
    if (!person) throw new AppError('NOT_FOUND', UNKNOWN_LINK);
    return {
      secret: parsed.data,
      token: token as ActionLink['token'],
      person: { id: person.id, name: person.name, email: person.email, roles: person.roles, practiceId: person.practiceId, practiceName: person.practiceName, networkId: person.networkId },
      panelMember: null,
      expired,
    };
  };
}

/** Refuses a link past its own expiry: for routes that act, not for those that only say what happened. */
export function requireLive(link: ActionLink): ActionLink {
  if (link.expired) throw new AppError('TOKEN_EXPIRED', 'This link has expired. Ask the facilitator to extend the round or send a new link.');
  return link;
}
