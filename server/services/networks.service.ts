import { transactionRetryingContention } from '../../db/knex';
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { z } from 'zod';
import { isUniqueViolation } from '../../db/repos/executor';
import { DEFAULT_PROGRAMME_SETTINGS, type ProgrammeSettings } from '../../db/repos/records.repo';
import { actorLabel, inFilter, type PersonActor, scopeFilter } from '../../domain/access/policy';
import type { ServerDeps } from '../deps';
import { AppError } from '../errors';
import type { createNetworkBody, createProgrammeBody, createWaveBody } from '../schemas';

/** Writes a new network with its practices and people, and its audit event, in the caller's transaction. */
export async function writeNetwork(
  repos: ServerDeps['repos'],
  trx: Knex.Transaction,
  actor: PersonActor,
  input: z.infer<typeof createNetworkBody>,
): Promise<string> {
  const id = crypto.randomUUID();
  const practices = input.practices.map((p) => ({ ...p, id: crypto.randomUUID(), people: p.people.map((person) => ({ ...person, id: crypto.randomUUID() })) }));
  await repos.records.insertNetwork(trx, { id, programmeId: input.programmeId, waveId: input.waveId, name: input.name, practices });
  await repos.audit.append(trx, actorLabel(actor), { type: 'network.created', networkId: id, name: input.name, practiceIds: practices.map((p) => p.id) }, id);
  return id;
}

/**
 * Programmes, waves and networks: the records a facilitator sets up before formation starts. Lists
 * hold only what the caller may read (the same policy that guards each item).
 */
export function createNetworksService({ db, repos, mailer }: Pick<ServerDeps, 'db' | 'repos' | 'mailer'>) {
  return {
    /** A new programme; its creator is granted facilitator of it. */
    async createProgramme(actor: PersonActor, input: z.infer<typeof createProgrammeBody>) {
      return transactionRetryingContention(db, async (trx) => {
        const programme = await repos.records.insertProgramme(trx, {
          id: crypto.randomUUID(),
          ...input,
          settings: { ...DEFAULT_PROGRAMME_SETTINGS, ...input.settings },
        });
        await repos.audit.append(trx, actorLabel(actor), { type: 'programme.created', programmeId: programme.id, name: programme.name });
        const { grantId } = await repos.persons.grant(trx, { personId: actor.personId, role: 'facilitator', programmeIds: [programme.id] });
        await repos.audit.append(trx, actorLabel(actor), {
          type: 'staff.invited',
          grantId,
          personId: actor.personId,
          role: 'facilitator',
          programmeIds: [programme.id],
        });
        return programme;
      });
    },

    async setProgrammeSettings(actor: PersonActor, id: string, settings: Partial<ProgrammeSettings>) {
      const programme = await repos.records.getProgramme(db, id);
      if (!programme) throw new AppError('NOT_FOUND', `No programme with id ${id}.`);
      const next = { ...programme.settings, ...settings };
      await transactionRetryingContention(db, async (trx) => {
        await repos.records.setProgrammeSettings(trx, id, next);
        await repos.audit.append(trx, actorLabel(actor), { type: 'programme.settings-changed', programmeId: id, settings: { ...next } });
      });
      return this.getProgramme(id);
    },

    async getProgramme(id: string) {
      const programme = await repos.records.getProgramme(db, id);
      if (!programme) throw new AppError('NOT_FOUND', `No programme with id ${id}.`);
      return { ...programme, waves: await repos.records.listWaves(db, id) };
    },

    async createWave(actor: PersonActor, programmeId: string, input: z.infer<typeof createWaveBody>) {
      if (!(await repos.records.getProgramme(db, programmeId))) throw new AppError('NOT_FOUND', `No programme with id ${programmeId}.`);
      try {
        return await transactionRetryingContention(db, async (trx) => {
          const wave = await repos.records.insertWave(trx, { id: crypto.randomUUID(), programmeId, ...input });
          await repos.audit.append(trx, actorLabel(actor), { type: 'wave.created', programmeId, waveId: wave.id, number: wave.number });
          return wave;
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError('ALREADY_EXISTS', `Wave ${input.number} already exists in this programme.`);
        throw err;
      }
    },

    async createNetwork(actor: PersonActor, input: z.infer<typeof createNetworkBody>) {
      const wave = await repos.records.getWave(db, input.waveId);
      if (!(await repos.records.getProgramme(db, input.programmeId))) throw new AppError('NOT_FOUND', `No programme with id ${input.programmeId}.`);
      if (!wave) throw new AppError('NOT_FOUND', `No wave with id ${input.waveId}.`);
      if (wave.programmeId !== input.programmeId)
        throw new AppError('VALIDATION_FAILED', 'The wave belongs to another programme.', [{ path: 'waveId', message: 'not a wave of this programme' }]);
      let id: string;
      try {
        id = await transactionRetryingContention(db, (trx) => writeNetwork(repos, trx, actor, input));
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError('ALREADY_EXISTS', `A network called "${input.name}" already exists in this programme.`);
        throw err;
      }
      return this.getNetwork(id);
    },

    /** A network, its practices and people, and who holds its offices now. */
    async getNetwork(id: string) {
      const network = await repos.records.getNetwork(db, id);
      if (!network) throw new AppError('NOT_FOUND', `No network with id ${id}.`);
      const offices = await repos.offices.ofNetwork(db, id);
      return {
        ...network,
        practices: network.practices.map((p) => ({
          id: p.id,
          name: p.name,
          odsCode: p.odsCode,
          listSize: p.listSize,
          people: p.people.map(({ id: pid, name, email, roles }) => ({ id: pid, name, email, roles })),
        })),
        offices: offices.map((o) => ({ office: o.office, memberId: o.memberId, name: o.name, startsOn: o.startsOn, endsOn: o.endsOn, source: o.source })),
      };
    },

    /** The networks the caller may read, optionally of one wave or programme. */
    async listNetworks(actor: PersonActor, filter: { waveId?: string; programmeId?: string }) {
      const readable = scopeFilter(actor, 'network.read');
      const rows = await repos.records.listNetworks(db, filter);
      return rows
        .filter((n) => inFilter(readable, { programmeId: n.programmeId, networkId: n.id }))
        .map(({ id, name, programmeId, waveId, formationStatus, currentStage }) => ({ id, name, programmeId, waveId, formationStatus, currentStage }));
    },

    async listProgrammes(actor: PersonActor) {
      const readable = scopeFilter(actor, 'programme.read');
      return (await repos.records.listProgrammes(db)).filter((p) => inFilter(readable, { programmeId: p.id }));
    },

    /** Programmes the caller may read, with their waves, for the home and panel pages. */
    async programmesWithWaves(actor: PersonActor, action: 'programme.read' | 'readiness.read' | 'panel.read' = 'programme.read') {
      const readable = scopeFilter(actor, action);
      const programmes = [];
      for (const p of await repos.records.listProgrammes(db)) {
        if (inFilter(readable, { programmeId: p.id })) programmes.push({ ...p, waves: await repos.records.listWaves(db, p.id) });
      }
      return programmes;
    },

    /**
     * The mail log, newest first, of the networks the caller may read it for. Links and codes are
     * secrets: with SMTP configured the log says who was sent what and whether it went, never the
     * text; without SMTP (the embedded demo, where the outbox is the only way mail is seen) the
     * administrator alone sees text and live links.
     */
    async outbox(actor: PersonActor, filter: { to?: string; networkId?: string; limit?: number }) {
      const readable = scopeFilter(actor, 'outbox.read');
      const messages = await repos.outbox.list(db, {
        ...filter,
        within: readable.all ? undefined : { programmeIds: readable.programmeIds, networkIds: readable.networkIds },
      });
      const reveal = actor.isAdmin && !mailer;
      return messages.map((m) => ({
        id: m.id,
        to: m.to,
        subject: m.subject,
        ...(reveal ? { text: m.text, links: m.links } : {}),
        sentAt: m.deliveredAt ?? m.createdAt,
        delivery: m.delivery,
      }));
    },
  };
}

export type NetworksService = ReturnType<typeof createNetworksService>;
