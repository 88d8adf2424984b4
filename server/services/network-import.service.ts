import { transactionRetryingContention } from '../../db/knex';
import { isUniqueViolation } from '../../db/repos/executor';
import { STAGED_UPLOAD_MINUTES } from '../../db/repos/staged-uploads.repo';
import type { PersonActor } from '../../domain/access/policy';
import type { ServerDeps } from '../deps';
import { AppError } from '../errors';
import { type CsvProblem, type ParsedNetwork, parseNetworkCsv } from './network-csv';
import { writeNetwork } from './networks.service';

/** What waits for the facilitator's confirmation: the wave and the networks read from their file. */
interface StagedNetworks {
  waveId: string;
  networks: ParsedNetwork[];
}

/**
 * Networks from a CSV upload, in two steps. `stage` reads and checks the file (every row, the file
 * as a whole, and against the programme's networks: a network name, ODS code or email already
 * there is refused with its row) and, when all is well, keeps the parsed networks server-side under
 * a random id for the person who uploaded it. Nothing of the programme is written until `confirm`,
 * which checks again (the programme may have changed meanwhile) and creates every network of the
 * file in one transaction, or none.
 */
export function createNetworkImportService({ db, repos }: Pick<ServerDeps, 'db' | 'repos'>) {
  async function requireWave(programmeId: string, waveId: string) {
    if (!(await repos.records.getProgramme(db, programmeId))) throw new AppError('NOT_FOUND', `No programme with id ${programmeId}.`);
    const wave = await repos.records.getWave(db, waveId);
    if (!wave || wave.programmeId !== programmeId)
      throw new AppError('VALIDATION_FAILED', 'Choose a wave of this programme.', [{ path: 'waveId', message: 'not a wave of this programme' }]);
    return wave;
  }

  /** Rows that clash with what the programme already has. */
  async function clashes(programmeId: string, networks: ParsedNetwork[]): Promise<CsvProblem[]> {
    const existing = await repos.records.listNetworks(db, { programmeId });
    const practices = await repos.records.practicesOfNetworks(
      db,
      existing.map((n) => n.id),
    );
    const networkName = new Map(existing.map((n) => [n.id, n.name]));
    const names = new Set(existing.map((n) => n.name.toLowerCase()));
    const ods = new Map(practices.map((p) => [p.odsCode, networkName.get(p.networkId) ?? 'another network']));
    const emails = new Map(
      practices.flatMap((p) => p.people.map((x) => [x.email.toLowerCase(), `${p.name}, ${networkName.get(p.networkId) ?? 'another network'}`] as const)),
    );
    const problems: CsvProblem[] = [];
    for (const network of networks) {
      if (names.has(network.name.toLowerCase()))
        problems.push({ row: network.rows.practices[0], column: 'Network', message: `The programme already has a network called ${network.name}.` });
      network.practices.forEach((practice, i) => {
        const where = ods.get(practice.odsCode);
        if (where)
          problems.push({
            row: network.rows.practices[i],
            column: 'ODS code',
            message: `ODS code ${practice.odsCode} is already a practice of ${where} in this programme.`,
          });
        practice.people.forEach((person, j) => {
          const at = emails.get(person.email);
          if (at)
            problems.push({
              row: network.rows.people[i][j],
              column: 'Email',
              message: `${person.email} is already one of the people of ${at} in this programme.`,
            });
        });
      });
    }
    return problems.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
  }

  return {
    /** How long a checked upload waits for its confirmation. */
    stagedMinutes: STAGED_UPLOAD_MINUTES,

    async stage(actor: PersonActor, programmeId: string, waveId: string, text: string) {
      const wave = await requireWave(programmeId, waveId);
      const parsed = parseNetworkCsv(text);
      const problems = parsed.problems.length ? parsed.problems : await clashes(programmeId, parsed.networks);
      if (problems.length) return { problems, rows: parsed.rows, upload: null };
      const payload: StagedNetworks = { waveId, networks: parsed.networks };
      const upload = await repos.stagedUploads.insert(db, { kind: 'network-csv', programmeId, personId: actor.personId, payload });
      return {
        problems: [],
        rows: parsed.rows,
        upload: { id: upload.id, expiresAt: upload.expiresAt, wave: { id: wave.id, number: wave.number }, networks: parsed.networks },
      };
    },

    /** Creates the networks of a checked upload, all or none; the upload is used up. */
    async confirm(actor: PersonActor, programmeId: string, uploadId: string) {
      const staged = (await repos.stagedUploads.get(db, uploadId, { kind: 'network-csv', programmeId, personId: actor.personId })) as StagedNetworks | null;
      if (!staged) throw new AppError('NOT_FOUND', `This upload has been used or is more than ${STAGED_UPLOAD_MINUTES} minutes old. Upload the file again.`);
      await requireWave(programmeId, staged.waveId);
      const problems = await clashes(programmeId, staged.networks);
      if (problems.length)
        throw new AppError(
          'VALIDATION_FAILED',
          'The programme changed since the file was checked. Upload it again to see what clashes.',
          problems.map((p) => ({ path: `row ${p.row}`, message: p.message })),
        );
      try {
        return await transactionRetryingContention(db, async (trx) => {
          if (!(await repos.stagedUploads.take(trx, uploadId))) throw new AppError('CONFLICT', 'This upload has just been used.');
          const created = [];
          for (const n of staged.networks) {
            const id = await writeNetwork(repos, trx, actor, { programmeId, waveId: staged.waveId, name: n.name, practices: n.practices });
            created.push({ id, name: n.name, practices: n.practices.length, people: n.practices.reduce((s, p) => s + p.people.length, 0) });
          }
          return created;
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError('CONFLICT', 'A network of this file was created at the same moment; upload the file again.');
        throw err;
      }
    },
  };
}

export type NetworkImportService = ReturnType<typeof createNetworkImportService>;
