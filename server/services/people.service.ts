import { transactionRetryingContention } from '../../db/knex';
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { isUniqueViolation } from '../../db/repos/executor';
import { newTokenSecret } from '../../db/repos/tokens.repo';
import { officeKey } from '../../db/repos/offices.repo';
import { actorLabel, type PersonActor, scopeFilter, type StaffRole } from '../../domain/access/policy';
import type { Outbox } from '../../mail/outbox';
import { loadPersonActor } from '../auth';
import type { ServerDeps } from '../deps';
import { AppError } from '../errors';
import type { SigninService } from './signin.service';

/** A personal API token lasts this long unless asked otherwise… */
export const TOKEN_DEFAULT_DAYS = 90;
/** …and never longer than this: a token that outlives its purpose is a standing risk. */
export const TOKEN_MAX_DAYS = 365;

/** Offices one person holds at a time: appointing a new holder ends the current one's term. */
const SINGLE_HOLDER = new Set(['chair', 'vice-chair', 'secretary', 'treasurer', 'clinical-director']);

const ROLE_WORDS: Record<StaffRole, string> = { facilitator: 'facilitator', commissioner: 'commissioner', 'panel-member': 'panel member' };

function addMonths(isoDate: string, months: number): string {
  const d = new Date(`${isoDate}T00:00:00.000Z`);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString().slice(0, 10);
}

function dayBefore(isoDate: string): string {
  return new Date(Date.parse(`${isoDate}T00:00:00.000Z`) - 86_400_000).toISOString().slice(0, 10);
}

/**
 * People and access: who I am, inviting and revoking staff, personal API tokens, and appointing a
 * network's officers. The route layer has already asked the policy; these operations keep the
 * lists to what the caller may see and write every change with its audit event.
 */
export function createPeopleService(deps: ServerDeps & { outbox: Outbox; signin: SigninService }) {
  const { db, repos, outbox, signin, publicUrl, log } = deps;

  function tokenView(t: { id: string; label: string; createdAt: string; expiresAt: string | null; lastUsedAt: string | null; revokedAt: string | null }) {
    const status = t.revokedAt ? 'revoked' : t.expiresAt && Date.parse(t.expiresAt) <= Date.now() ? 'expired' : 'active';
    return { id: t.id, label: t.label, createdAt: t.createdAt, expiresAt: t.expiresAt, lastUsedAt: t.lastUsedAt, revokedAt: t.revokedAt, status };
  }

  /** Ends every credential of a person who no longer stands anywhere; true when it did. */
  async function endCredentialsIfUnknown(trx: Knex.Transaction, personId: string): Promise<boolean> {
    if (await loadPersonActor({ db: trx, repos }, personId, { kind: 'token', id: 'check' })) return false;
    await repos.tokens.revokeApiTokensOf(trx, personId);
    await repos.sessions.endSessionsOf(trx, personId);
    return true;
  }

  async function mintToken(actor: PersonActor, personId: string, input: { label: string; expiresInDays?: number }) {
    const id = crypto.randomUUID();
    const token = newTokenSecret();
    const expiresAt = new Date(Date.now() + (input.expiresInDays ?? TOKEN_DEFAULT_DAYS) * 86_400_000).toISOString();
    await transactionRetryingContention(db, async (trx) => {
      await repos.tokens.insertApiToken(trx, { id, secret: token, personId, label: input.label, expiresAt });
      await repos.audit.append(trx, actorLabel(actor), { type: 'token.created', tokenId: id, personId, label: input.label, expiresAt });
    });
    return { id, token, label: input.label, expiresAt };
  }

  return {
    /** Who the caller is, and every power they hold now. */
    async me(actor: PersonActor) {
      const person = await repos.persons.get(db, actor.personId);
      if (!person) throw new AppError('NOT_FOUND', 'No such person.');
      return {
        person: { id: person.id, name: person.name, email: person.email },
        administrator: actor.isAdmin,
        grants: actor.grants.map((g) => ({ id: g.id, role: g.role, programmeIds: [...g.programmeIds] })),
        offices: actor.offices.map((o) => ({ networkId: o.networkId, office: o.office })),
        practiceRoles: actor.memberships.map((m) => ({ practiceId: m.practiceId, networkId: m.networkId, roles: [...m.roles] })),
        credential: { kind: actor.credential.kind },
      };
    },

    /**
     * Grants a staff role over programmes, adding the person when their email is new; the same
     * person and role again adds programmes to that grant. An invitation with a one-time sign-in
     * link is emailed.
     */
    async invite(actor: PersonActor & { name?: string }, input: { name: string; email: string; role: StaffRole; programmeIds: string[] }) {
      const inviter = (await repos.persons.get(db, actor.personId))?.name ?? 'The administrator';
      const programmes: string[] = [];
      for (const id of input.programmeIds) programmes.push((await repos.records.getProgramme(db, id))?.name ?? id);
      let result;
      try {
        result = await transactionRetryingContention(db, async (trx) => {
          const person = await repos.persons.ensure(trx, { email: input.email, name: input.name });
          const { grantId, created } = await repos.persons.grant(trx, { personId: person.id, role: input.role, programmeIds: input.programmeIds });
          await repos.audit.append(trx, actorLabel(actor), {
            type: 'staff.invited',
            grantId,
            personId: person.id,
            role: input.role,
            programmeIds: [...input.programmeIds].sort(),
          });
          const link = await signin.mintLink(trx, person.id, 'invitation');
          const key = await outbox.queue(trx, {
            key: `invitation:${link.id}`,
            to: person.email,
            networkId: null,
            template: 'staff-invitation',
            data: {
              name: person.name,
              role: ROLE_WORDS[input.role],
              programmes,
              invitedBy: inviter,
              link: link.url,
              expiresAt: link.expiresAt,
              signinUrl: `${publicUrl}/signin`,
            },
            links: [link.url],
          });
          return { grantId, created, personId: person.id, key };
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError('CONFLICT', 'This person was being invited at the same moment; try again.');
        throw err;
      }
      await outbox.deliver([result.key]).catch((err: Error) => log.warn({ err: err.message }, 'invitation not delivered yet'));
      const grant = await repos.persons.getGrant(db, result.grantId);
      return {
        id: result.grantId,
        personId: result.personId,
        role: input.role,
        programmeIds: grant?.programmeIds ?? input.programmeIds,
        created: result.created,
      };
    },

    /** Live staff grants: all for the administrator, those touching their programmes for a facilitator. */
    async listStaff(actor: PersonActor) {
      const managed = scopeFilter(actor, 'staff.manage');
      const grants = await repos.persons.listGrants(db, managed.all ? {} : { programmeIds: managed.programmeIds });
      return grants.map((g) => ({
        id: g.id,
        person: { id: g.personId, name: g.personName, email: g.personEmail },
        role: g.role,
        // a facilitator sees which of their own programmes the grant covers
        programmeIds: managed.all ? [...g.programmeIds] : g.programmeIds.filter((p) => managed.programmeIds.includes(p)),
        createdAt: g.createdAt,
      }));
    },

    /**
     * Revokes a grant. A person left with no standing (no grant, office or practice, and not the
     * administrator) can no longer use their tokens or sessions: they are revoked and ended too.
     */
    async revoke(actor: PersonActor, grantId: string): Promise<void> {
      const grant = await repos.persons.getGrant(db, grantId);
      if (!grant) throw new AppError('NOT_FOUND', `No staff grant with id ${grantId}.`);
      await transactionRetryingContention(db, async (trx) => {
        if (!(await repos.persons.revokeGrant(trx, grantId))) return;
        const credentialsEnded = await endCredentialsIfUnknown(trx, grant.personId);
        await repos.audit.append(trx, actorLabel(actor), { type: 'staff.revoked', grantId, personId: grant.personId, role: grant.role, credentialsEnded });
      });
    },

    /** A personal API token for the caller (the secret is in this answer only). */
    createToken(actor: PersonActor, input: { label: string; expiresInDays?: number }) {
      return mintToken(actor, actor.personId, input);
    },

    /** A token for the person of a grant (the administrator onboarding someone, or their script). */
    async createTokenForGrant(actor: PersonActor, grantId: string, input: { label: string; expiresInDays?: number }) {
      const grant = await repos.persons.getGrant(db, grantId);
      if (!grant) throw new AppError('NOT_FOUND', `No staff grant with id ${grantId}.`);
      if (grant.revokedAt) throw new AppError('CONFLICT', 'This grant has been revoked; invite the person again first.');
      return { ...(await mintToken(actor, grant.personId, input)), personId: grant.personId };
    },

    /** The caller's tokens (the administrator may name another person). Never a secret. */
    async listTokens(actor: PersonActor, personId?: string) {
      return (await repos.tokens.apiTokensOf(db, personId ?? actor.personId)).map(tokenView);
    },

    /** Revokes a token: from now on it answers 401. */
    async revokeToken(actor: PersonActor, tokenId: string): Promise<void> {
      const token = await repos.tokens.getApiToken(db, tokenId);
      if (!token) throw new AppError('NOT_FOUND', `No API token with id ${tokenId}.`);
      await transactionRetryingContention(db, async (trx) => {
        if (await repos.tokens.revokeApiToken(trx, tokenId))
          await repos.audit.append(trx, actorLabel(actor), { type: 'token.revoked', tokenId, personId: token.personId });
      });
    },

    /**
     * Appoints a person of the network to an office (a chair or secretary opens motions, elections
     * and disputes for the network). A new holder of a one-person office ends the current holder's term.
     */
    async appoint(actor: PersonActor, networkId: string, input: { personId: string; office: string; startsOn?: string; endsOn?: string }) {
      const member = await repos.records.getPerson(db, input.personId);
      if (!member || member.networkId !== networkId)
        throw new AppError('VALIDATION_FAILED', 'Appoint a person of one of the network’s practices.', [
          { path: 'personId', message: 'not a person of this network' },
        ]);
      const office = officeKey(input.office);
      const startsOn = input.startsOn ?? new Date().toISOString().slice(0, 10);
      const endsOn = input.endsOn ?? addMonths(startsOn, 24);
      if (endsOn < startsOn) throw new AppError('VALIDATION_FAILED', 'The term must end after it starts.', [{ path: 'endsOn', message: 'before startsOn' }]);
      const current = (await repos.offices.ofNetwork(db, networkId)).filter((o) => o.office === office && o.source !== 'practice-role');
      if (current.some((o) => o.memberId === member.id)) throw new AppError('ALREADY_APPOINTED', `${member.name} already holds this office.`);
      const id = crypto.randomUUID();
      await transactionRetryingContention(db, async (trx) => {
        if (SINGLE_HOLDER.has(office)) {
          // the current holder's term ends the day before the new one starts (a term that began the
          // same day thus ends before it began: it is kept, as history, and is never current)
          for (const o of current) if (o.appointmentId) await repos.offices.endAppointment(trx, o.appointmentId, dayBefore(startsOn));
        }
        await repos.offices.appoint(trx, { id, networkId, memberId: member.id, office, startsOn, endsOn });
        await repos.audit.append(
          trx,
          actorLabel(actor),
          { type: 'appointment.made', appointmentId: id, networkId, personId: member.id, office, startsOn, endsOn },
          networkId,
        );
      });
      return { id, networkId, office, memberId: member.id, personId: member.personId, name: member.name, startsOn, endsOn };
    },
  };
}

export type PeopleService = ReturnType<typeof createPeopleService>;
