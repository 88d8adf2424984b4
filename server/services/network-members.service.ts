import { transactionRetryingContention } from '../../db/knex';
import crypto from 'node:crypto';
import { isUniqueViolation } from '../../db/repos/executor';
import type { Practice } from '../../db/repos/records.repo';
import { actorLabel, type PersonActor } from '../../domain/access/policy';
import type { ServerDeps } from '../deps';
import { AppError } from '../errors';

/** What the pages and the API say about rounds already out when people change. */
export const OPEN_ROUNDS_NOTE =
  'A signing round already sent keeps the people it was sent to: someone taken off can still sign it, and someone added is asked from the next version issued. A change of list size counts from the next document.';

function partnersOf(practice: Practice, except?: { id: string; roles?: string[] }): number {
  return practice.people.filter((p) => (p.id === except?.id ? (except.roles ?? []) : p.roles).includes('partner')).length;
}

/**
 * A network's practices and people after it was created: a practice's name and list size, adding,
 * changing and taking off people. Each change is written with its audit event. Formation reads the
 * network's people when it issues a document, so a change counts from the next round; a round
 * already out keeps the signers it was sent to (its slots were fixed when it was issued).
 */
export function createNetworkMembersService({ db, repos }: Pick<ServerDeps, 'db' | 'repos'>) {
  async function practiceOf(networkId: string, practiceId: string): Promise<Practice> {
    const practice = await repos.records.getPractice(db, networkId, practiceId);
    if (!practice) throw new AppError('NOT_FOUND', 'This practice is not one of the network’s practices.');
    return practice;
  }

  async function memberOf(networkId: string, memberId: string) {
    const member = await repos.records.getPerson(db, memberId);
    if (!member || member.networkId !== networkId || member.removedAt) throw new AppError('NOT_FOUND', 'This person is not one of the network’s people.');
    return member;
  }

  function view(p: { id: string; name: string; email: string; roles: string[] }) {
    return { id: p.id, name: p.name, email: p.email, roles: p.roles };
  }

  return {
    async changePractice(actor: PersonActor, networkId: string, practiceId: string, patch: { name?: string; listSize?: number }) {
      await practiceOf(networkId, practiceId);
      await transactionRetryingContention(db, async (trx) => {
        await repos.records.updatePractice(trx, practiceId, patch);
        await repos.audit.append(trx, actorLabel(actor), { type: 'practice.changed', networkId, practiceId, ...patch }, networkId);
      });
      const practice = await practiceOf(networkId, practiceId);
      return { id: practice.id, name: practice.name, odsCode: practice.odsCode, listSize: practice.listSize, people: practice.people.map(view) };
    },

    /** Adds a person to a practice (someone taken off it earlier comes back, with these roles). */
    async addPerson(actor: PersonActor, networkId: string, practiceId: string, input: { name: string; email: string; roles: string[] }) {
      const practice = await practiceOf(networkId, practiceId);
      if (practice.people.some((p) => p.email === input.email)) {
        throw new AppError('ALREADY_EXISTS', `${input.email} is already one of the people of ${practice.name}.`, [
          { path: 'email', message: 'already in this practice' },
        ]);
      }
      try {
        const added = await transactionRetryingContention(db, async (trx) => {
          const row = await repos.records.addPerson(trx, practiceId, { id: crypto.randomUUID(), ...input });
          await repos.audit.append(
            trx,
            actorLabel(actor),
            { type: 'member.added', networkId, practiceId, memberId: row.id, roles: input.roles, restored: row.restored },
            networkId,
          );
          return row;
        });
        return view({ id: added.id, ...input });
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError('ALREADY_EXISTS', `${input.email} was being added at the same moment; look at the practice again.`);
        throw err;
      }
    },

    /** Changes a person's name or roles; a practice is never left without a partner to sign for it. */
    async changePerson(actor: PersonActor, networkId: string, memberId: string, patch: { name?: string; roles?: string[] }) {
      const member = await memberOf(networkId, memberId);
      const practice = await practiceOf(networkId, member.practiceId);
      if (
        patch.roles &&
        !patch.roles.includes('partner') &&
        member.roles.includes('partner') &&
        partnersOf(practice, { id: memberId, roles: patch.roles }) === 0
      ) {
        throw new AppError('LAST_PARTNER', `${member.name} is the only partner of ${practice.name}: add another partner before changing their roles.`, [
          { path: 'roles', message: 'the practice needs a partner to sign for it' },
        ]);
      }
      await transactionRetryingContention(db, async (trx) => {
        await repos.records.updatePerson(trx, memberId, patch);
        await repos.audit.append(trx, actorLabel(actor), { type: 'member.changed', networkId, practiceId: member.practiceId, memberId, ...patch }, networkId);
      });
      return view({ id: memberId, name: patch.name ?? member.name, email: member.email, roles: patch.roles ?? member.roles });
    },

    /** Takes a person off their practice; a practice is never left without a partner to sign for it. */
    async removePerson(actor: PersonActor, networkId: string, memberId: string): Promise<void> {
      const member = await memberOf(networkId, memberId);
      const practice = await practiceOf(networkId, member.practiceId);
      if (member.roles.includes('partner') && partnersOf(practice, { id: memberId, roles: [] }) === 0) {
        throw new AppError('LAST_PARTNER', `${member.name} is the only partner of ${practice.name}: add another partner before taking them off.`, [
          { path: 'personId', message: 'the practice needs a partner to sign for it' },
        ]);
      }
      await transactionRetryingContention(db, async (trx) => {
        if (await repos.records.removePerson(trx, memberId)) {
          await repos.audit.append(trx, actorLabel(actor), { type: 'member.removed', networkId, practiceId: member.practiceId, memberId }, networkId);
        }
      });
    },
  };
}

export type NetworkMembersService = ReturnType<typeof createNetworkMembersService>;
