import crypto from 'node:crypto';
import type { z } from 'zod';
import { isUniqueViolation } from '../../db/repos/executor';
import { DEFAULT_PROGRAMME_SETTINGS, type ProgrammeSettings } from '../../db/repos/records.repo';
import type { ServerDeps } from '../deps';
import { AppError } from '../errors';
import type { createNetworkBody, createProgrammeBody, createWaveBody } from '../schemas';

/** Programmes, waves and networks: the records a facilitator sets up before formation starts. */
export function createNetworksService({ db, repos }: Pick<ServerDeps, 'db' | 'repos'>) {
  return {
    async createProgramme(actor: string, input: z.infer<typeof createProgrammeBody>) {
      return db.transaction(async (trx) => {
        const programme = await repos.records.insertProgramme(trx, { id: crypto.randomUUID(), ...input, settings: { ...DEFAULT_PROGRAMME_SETTINGS, ...input.settings } });
        await repos.audit.append(trx, actor, { type: 'programme.created', programmeId: programme.id, name: programme.name });
        return programme;
      });
    },

    async setProgrammeSettings(id: string, settings: Partial<ProgrammeSettings>) {
      const programme = await repos.records.getProgramme(db, id);
      if (!programme) throw new AppError('NOT_FOUND', `No programme with id ${id}.`);
      await repos.records.setProgrammeSettings(db, id, { ...programme.settings, ...settings });
      return this.getProgramme(id);
    },

    async getProgramme(id: string) {
      const programme = await repos.records.getProgramme(db, id);
      if (!programme) throw new AppError('NOT_FOUND', `No programme with id ${id}.`);
      return { ...programme, waves: await repos.records.listWaves(db, id) };
    },

    async createWave(actor: string, programmeId: string, input: z.infer<typeof createWaveBody>) {
      if (!(await repos.records.getProgramme(db, programmeId))) throw new AppError('NOT_FOUND', `No programme with id ${programmeId}.`);
      try {
        return await db.transaction(async (trx) => {
          const wave = await repos.records.insertWave(trx, { id: crypto.randomUUID(), programmeId, ...input });
          await repos.audit.append(trx, actor, { type: 'wave.created', programmeId, waveId: wave.id, number: wave.number });
          return wave;
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError('ALREADY_EXISTS', `Wave ${input.number} already exists in this programme.`);
        throw err;
      }
    },

    async createNetwork(actor: string, input: z.infer<typeof createNetworkBody>) {
      const wave = await repos.records.getWave(db, input.waveId);
      if (!(await repos.records.getProgramme(db, input.programmeId))) throw new AppError('NOT_FOUND', `No programme with id ${input.programmeId}.`);
      if (!wave) throw new AppError('NOT_FOUND', `No wave with id ${input.waveId}.`);
      if (wave.programmeId !== input.programmeId) throw new AppError('VALIDATION_FAILED', 'The wave belongs to another programme.', [{ path: 'waveId', message: 'not a wave of this programme' }]);
      const id = crypto.randomUUID();
      const practices = input.practices.map((p) => ({ ...p, id: crypto.randomUUID(), people: p.people.map((person) => ({ ...person, id: crypto.randomUUID() })) }));
      try {
        await db.transaction(async (trx) => {
          await repos.records.insertNetwork(trx, { id, programmeId: input.programmeId, waveId: input.waveId, name: input.name, practices });
          await repos.audit.append(trx, actor, { type: 'network.created', networkId: id, name: input.name, practiceIds: practices.map((p) => p.id) }, id);
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError('ALREADY_EXISTS', `A network called "${input.name}" already exists in this programme.`);
        throw err;
      }
      return this.getNetwork(id);
    },

    async getNetwork(id: string) {
      const network = await repos.records.getNetwork(db, id);
      if (!network) throw new AppError('NOT_FOUND', `No network with id ${id}.`);
      return {
        ...network,
        practices: network.practices.map((p) => ({ id: p.id, name: p.name, odsCode: p.odsCode, listSize: p.listSize, people: p.people.map(({ id: pid, name, email, roles }) => ({ id: pid, name, email, roles })) })),
      };
    },

    async listNetworks(filter: { waveId?: string; programmeId?: string }) {
      return repos.records.listNetworks(db, filter);
    },

    listProgrammes() {
      return repos.records.listProgrammes(db);
    },

    /** Programmes with their waves, for the staff home page. */
    async programmesWithWaves() {
      const programmes = [];
      for (const p of await repos.records.listProgrammes(db)) programmes.push({ ...p, waves: await repos.records.listWaves(db, p.id) });
      return programmes;
    },

    /** The mail log, newest first. */
    async outbox(filter: { to?: string; limit?: number }) {
      return (await repos.outbox.list(db, filter)).map((m) => ({ id: m.id, to: m.to, subject: m.subject, text: m.text, links: m.links, sentAt: m.deliveredAt ?? m.createdAt, delivery: m.delivery }));
    },
  };
}

export type NetworksService = ReturnType<typeof createNetworksService>;
