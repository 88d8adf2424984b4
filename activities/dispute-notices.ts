import type { Knex } from 'knex';
import type { DisputeRow } from '../db/repos/disputes.repo';
import type { Network } from '../db/repos/records.repo';
import type { CaseActor } from '../domain/disputes/case';
import { ladderStep } from '../domain/disputes/ladder';
import type { MailData } from '../mail/compose';
import type { ActivityDeps } from './formation.activities';

type CaseTemplate = 'dispute-opened' | 'dispute-reminder' | 'dispute-escalated' | 'dispute-closed';

export interface Concerned {
  personId: string;
  name: string;
  email: string;
}

/**
 * Everyone concerned by a case at a step: every person of the parties' practices, the network's
 * chair, and at the board step the board members hearing it (those of other practices: board members
 * of the parties' practices stand aside, and hear of it as people of a party).
 */
export function concernedPeople(network: Network, parties: readonly string[], stepKind: string): Concerned[] {
  const out = new Map<string, Concerned>();
  for (const practice of network.practices) {
    for (const person of practice.people) {
      const party = parties.includes(practice.id);
      const office = person.roles.includes('chair');
      const hearing = stepKind === 'board' && person.roles.includes('board-member');
      if (party || office || hearing) out.set(person.id, { personId: person.id, name: person.name, email: person.email });
    }
  }
  return [...out.values()];
}

/** "Dr Ann Ali (Jubilee Street)", "Facilitator", "Ms Lee (LMC officer)": who did it, as the history shows it. */
export function actorWords(actor: CaseActor | null, network: Network | null, external?: { role: string } | null): { audit: string; display: string } {
  if (!actor) return { audit: 'system', display: 'Formwork' };
  if (actor.kind === 'staff') return { audit: actor.audit ?? actor.name, display: actor.name };
  if (actor.kind === 'external')
    return {
      audit: `external:${actor.externalId}`,
      display: external ? `${actor.name} (${external.role.replace(/-/g, ' ').replace(/^lmc/, 'LMC')})` : actor.name,
    };
  const practice = network?.practices.find((p) => p.id === actor.practiceId);
  return { audit: actor.audit ?? `person:${actor.personId}`, display: practice ? `${actor.name} (${practice.name})` : actor.name };
}

/**
 * Writes one message to everyone concerned, in the caller's transaction: people of the network get a
 * personal link to the case page (kind `dispute-case`), facilitators the staff page. Once per
 * recipient per event (`seq`), however often the activity is retried. Returns the keys to deliver.
 */
export async function queueCaseNotices<T extends CaseTemplate>(
  deps: ActivityDeps,
  trx: Knex.Transaction,
  input: { caseRow: DisputeRow; network: Network; seq: number; stepNumber: number; template: T; data: (name: string, link: string) => MailData[T] },
): Promise<string[]> {
  const { repos, outbox, publicUrl, actionTokenTtlDays } = deps;
  const { caseRow, network, seq } = input;
  const step = ladderStep(caseRow.ladder, input.stepNumber);
  const expiresAt = new Date(Date.now() + actionTokenTtlDays * 86_400_000).toISOString();
  const keys: string[] = [];
  for (const person of concernedPeople(network, caseRow.parties, step.kind)) {
    keys.push(
      await outbox.queueWithLink(trx, {
        key: `${caseRow.workflowId}:${seq}:${person.personId}`,
        to: person.email,
        networkId: network.id,
        template: input.template,
        link: { kind: 'dispute-case', personId: person.personId, subjectId: caseRow.id, workflowId: caseRow.workflowId, expiresAt },
        data: (link) => input.data(person.name, link),
      }),
    );
  }
  const staffPage = `${publicUrl}/disputes/${caseRow.id}`;
  for (const email of await repos.tokens.facilitatorEmails(trx, network.id)) {
    keys.push(
      await outbox.queue(trx, {
        key: `${caseRow.workflowId}:${seq}:${email}`,
        to: email,
        networkId: network.id,
        template: input.template,
        data: input.data('facilitator', staffPage),
        links: [staffPage],
      }),
    );
  }
  return keys;
}
