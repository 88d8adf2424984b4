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
   * The membership (`people` row) the link was sent to, and the person (`persons.id`) it belongs to.
   * For someone outside the practices — the LMC officer, mediator or arbitrator of a dispute step
   * (kind `dispute-external`), or a panel member scoring a presentation (kind `score`) — `practiceId`
   * is empty, `practiceName` names their organisation, `roles` holds their role (`panel-member` for a
   * panel member) and `personId` is null; a panel member's `networkId` is empty too.
   */
  person: { id: string; personId: string | null; name: string; email: string; roles: string[]; practiceId: string; practiceName: string; networkId: string };
  /** past the link's own expiry (the round or vote it serves may have its own deadline too) */
  expired: boolean;
  /** a signing link whose round was voided by a newer version of the document */
  superseded: boolean;
  /** the programme of the practice member it was sent to asks for an emailed code beside the link */
  signingCodeByEmail: boolean;
}

/** The link's holder as an action page shows them: who they are and the practice they act for. */
export function linkHolder(link: ActionLink) {
  const { person } = link;
  return { person: { id: person.id, name: person.name, email: person.email }, practice: { id: person.practiceId, name: person.practiceName } };
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
  /** The LMC officer, mediator or arbitrator a dispute link was sent to, in the shape of a person. */
  async function externalPerson(externalId: string, disputeId: string) {
    const external = await repos.disputes.getExternal(db, externalId);
    const dispute = external?.disputeId === disputeId ? await repos.disputes.get(db, disputeId) : null;
    if (!external || !dispute) return null;
    return {
      id: external.id,
      personId: null,
      name: external.name,
      email: external.email,
      roles: [external.role],
      practiceId: '',
      practiceName: external.organisation,
      networkId: dispute.networkId,
    };
  }

  /** The panel member a score link was sent to, in the shape of a person. */
  async function panelMember(memberId: string) {
    const member = await repos.panels.member(db, memberId);
    return member
      ? {
          id: member.id,
          personId: null,
          name: member.name,
          email: member.email,
          roles: ['panel-member'],
          practiceId: '',
          practiceName: member.organisation,
          networkId: '',
        }
      : null;
  }
  return async (secret, kinds) => {
    const parsed = tokenParam.shape.token.safeParse(secret);
    if (!parsed.success) throw new AppError('NOT_FOUND', UNKNOWN_LINK);
    // one read for the common case, a link sent to a practice member (every signature resolves one)
    const found = await repos.tokens.actionLinkBySecret(db, parsed.data);
    if (!found || !(kinds as readonly string[]).includes(found.token.kind)) throw new AppError('NOT_FOUND', UNKNOWN_LINK);
    const { token, roundStatus } = found;
    const person =
      token.kind === 'dispute-external'
        ? await externalPerson(token.personId, token.subjectId)
        : token.kind === 'score'
          ? await panelMember(token.personId)
          : found.member;
    if (!person) throw new AppError('NOT_FOUND', UNKNOWN_LINK);
    return {
      secret: parsed.data,
      token: token as ActionLink['token'],
      person: {
        id: person.id,
        personId: person.personId,
        name: person.name,
        email: person.email,
        roles: person.roles,
        practiceId: person.practiceId,
        practiceName: person.practiceName,
        networkId: person.networkId,
      },
      expired: Date.parse(token.expiresAt) <= Date.now(),
      superseded: token.kind === 'sign' && roundStatus === 'voided',
      signingCodeByEmail: found.member !== null && found.signingCodeByEmail,
    };
  };
}

/** Refuses a link past its own expiry: for routes that act, not for those that only say what happened. */
export function requireLive(link: ActionLink): ActionLink {
  if (link.expired) throw new AppError('TOKEN_EXPIRED', 'This link has expired. Ask the facilitator to extend the round or send a new link.');
  return link;
}

/**
 * Refuses a link whose document may no longer be served: past its expiry, or its round voided by a
 * newer version (the document it points to is then not the one to read or sign).
 */
export function requireCurrent(link: ActionLink): ActionLink {
  requireLive(link);
  if (link.superseded) throw new AppError('TOKEN_SUPERSEDED', 'A newer version of this document has been issued; use the link in the newer email.');
  return link;
}
