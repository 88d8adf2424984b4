import { transactionRetryingContention } from '../../db/knex';
import { actorLabel, type PersonActor } from '../../domain/access/policy';
import { formatDate } from '../../documents/format';
import crypto from 'node:crypto';
import { stringify } from 'csv-stringify/sync';
import type { Programme, Wave } from '../../db/repos/records.repo';
import { OUTCOME_WORDS, type PanelOutcome } from '../../domain/panel';
import { assessReadiness, type NetworkReadinessInput, type Rag } from '../../domain/readiness';
import { namedInStageData, registrationChecklist, type ChecklistItem, type Evidence } from '../../domain/registration';
import { roundProgress } from '../../domain/signing';
import { STAGES, type StageKey } from '../../domain/stages';
import type { ServerDeps } from '../deps';
import { AppError } from '../errors';

export interface NetworkReadinessRow {
  networkId: string;
  name: string;
  waveId: string;
  waveNumber: number;
  formationStatus: string;
  currentStage: string | null;
  stageStatus: string | null;
  stagesCompleted: number;
  rag: Rag;
  blockers: string[];
  listSize: number;
  footprint: { minListSize: number; maxListSize: number; status: 'below' | 'within' | 'above' };
  practices: number;
  panel: { outcome: PanelOutcome | null; outcomeWords: string | null; openConditions: { n: number; text: string }[]; deferredFromWave: number | null };
  /** open dispute cases concerning the network, in words: title, step, due date, missed due dates */
  openDisputes: string[];
  checklist: (Omit<ChecklistItem, 'evidence'> & { evidence: (Evidence & { href: string }) | null })[];
  decision: { decision: 'ready' | 'not-ready'; note: string; decidedBy: string; decidedAt: string } | null;
}

const HISTORY_DAYS = 90;
const DAY_MS = 86_400_000;

/**
 * Commissioners' view of readiness, for a wave or a whole programme: each network's stage, RAG status
 * with blockers that speak per practice, footprint, panel outcome and open conditions, registration
 * checklist with its evidence, and the commissioner's decision. It reads the read model only, in a
 * handful of set queries whatever the number of networks; it never asks a workflow. Each programme
 * read also records the day's RAG of each network (a daily snapshot, rewritten while the day lasts
 * when the status changes) for the RAG-over-time chart.
 */
export function createReadinessService(deps: Pick<ServerDeps, 'db' | 'repos' | 'publicUrl'>) {
  const { db, repos, publicUrl } = deps;

  function evidenceHref(networkId: string, e: Evidence): string {
    if (e.kind === 'sealed-pdf') return `${publicUrl}/api/v1/sealed/${e.sealedId}/pdf`;
    if (e.kind === 'stage-data') return `${publicUrl}/api/v1/networks/${networkId}/stages/${e.stage}/preview`;
    return `${publicUrl}/api/v1/networks/${networkId}`;
  }

  type Summary = Awaited<ReturnType<typeof repos.records.listNetworks>>[number];

  /**
   * What a network's row is made of, read from its records: everything but the day. The status and
   * blockers depend on the days to the panel too, so they are assessed from `input` for the day.
   */
  interface Gathered {
    input: Omit<NetworkReadinessInput, 'daysToPanel'>;
    panelDate: string | null;
    row: Omit<NetworkReadinessRow, 'stagesCompleted' | 'rag' | 'blockers' | 'footprint'>;
  }

  /** A gathered network's row on the given day (a pure computation: no reads). */
  function rowOn(gathered: Gathered, today: number): NetworkReadinessRow {
    const daysToPanel = gathered.panelDate ? Math.round((Date.parse(gathered.panelDate) - today) / DAY_MS) : 0;
    const { stagesCompleted, rag, blockers, footprint } = assessReadiness({ ...gathered.input, daysToPanel });
    return { ...gathered.row, stagesCompleted, rag, blockers, footprint: { ...gathered.input.footprint, status: footprint } };
  }

  /**
   * Each network's records as last gathered, with what they were gathered from: the network's
   * record and its readiness number (raised by the database whenever a record the row reads
   * changes), the programme's footprint and its waves; and its row as assessed on the day it was
   * last read. A read gathers only the networks whose key moved, so a dashboard of 1,250 networks
   * of which a few changed reads those few; on a new day the kept networks are only assessed again,
   * without reading anything. The rows are shared by every answer that uses them: nothing may
   * change one.
   */
  const built = new Map<string, { key: string; gathered: Gathered; day: number; row: NetworkReadinessRow }>();
  // eight national programmes' rows (1,250 networks each); past that the kept rows start again from none
  const MAX_KEPT = 10_000;

  function keyOf(n: Summary, context: string): string {
    return JSON.stringify([n.readinessRev, n.waveId, n.formationStatus, n.currentStage, n.name, context]);
  }

  /** Every row of the given networks: the kept rows of those unchanged, the others gathered anew. */
  async function assemble(programme: Programme, waves: readonly Wave[], summaries: readonly Summary[], today: number): Promise<NetworkReadinessRow[]> {
    const context = `${programme.footprint.minListSize}-${programme.footprint.maxListSize}|${waves.map((w) => `${w.id}:${w.number}:${w.panelDate}`).join(',')}`;
    const rows = new Map<string, NetworkReadinessRow>();
    const stale: { summary: Summary; key: string }[] = [];
    for (const summary of summaries) {
      const key = keyOf(summary, context);
      const kept = built.get(summary.id);
      if (kept?.key !== key) stale.push({ summary, key });
      else if (kept.day === today) rows.set(summary.id, kept.row);
      else {
        const row = rowOn(kept.gathered, today);
        built.set(summary.id, { ...kept, day: today, row });
        rows.set(summary.id, row);
      }
    }
    if (stale.length) {
      const fresh = await gather(
        programme,
        waves,
        stale.map((s) => s.summary),
      );
      if (built.size + fresh.length > MAX_KEPT) built.clear();
      fresh.forEach((gathered, i) => {
        const row = rowOn(gathered, today);
        rows.set(row.networkId, row);
        built.set(row.networkId, { key: stale[i].key, gathered, day: today, row });
      });
    }
    return summaries.map((n) => rows.get(n.id)!);
  }

  /**
   * What the rows of the given networks are made of, from set queries over all of them at once.
   * Every table read here raises the network's readiness number when it changes (db/README.md,
   * triggers): a table added here needs those triggers, or its changes would not reach kept rows.
   */
  async function gather(programme: Programme, waves: readonly Wave[], summaries: readonly Summary[]): Promise<Gathered[]> {
    const ids = summaries.map((n) => n.id);
    const [practices, stages, rounds, sealed, presentations, conditions, decisions, disputes] = await Promise.all([
      repos.records.practiceRowsOfNetworks(db, ids),
      repos.stages.listForNetworks(db, ids),
      repos.signoffs.latestOfCurrentStages(db, ids),
      repos.readiness.sealedForNetworks(db, ids, ['terms-of-reference', 'data-sharing-agreement']),
      repos.panels.presentationsForNetworks(db, ids),
      repos.panels.conditionsForNetworks(db, ids),
      repos.readiness.decisionsForNetworks(db, ids),
      repos.disputes.openCasesOf(db, ids),
    ]);
    const stageOfNetwork = new Map(summaries.map((n) => [n.id, n.currentStage]));
    const current = rounds.filter((r) => stageOfNetwork.get(r.networkId) === r.stageKey && !['signed', 'declined', 'voided'].includes(r.status));
    const signatures = await repos.signoffs.progressOfSignoffs(
      db,
      current.map((r) => r.id),
    );
    const group = <T>(rows: readonly T[], key: (row: T) => string = (row) => (row as { networkId: string }).networkId) => {
      const map = new Map<string, T[]>();
      for (const r of rows) {
        const list = map.get(key(r));
        if (list) list.push(r);
        else map.set(key(r), [r]);
      }
      return map;
    };
    const practicesBy = group(practices);
    const stagesBy = group(stages);
    const sealedBy = group(sealed);
    const presentationsBy = group(presentations);
    const conditionsBy = group(conditions);
    const decisionsBy = group(decisions);
    const roundBy = new Map(current.map((r) => [r.networkId, r]));
    const signaturesBy = group(signatures, (x) => x.signoffId);
    const waveById = new Map(waves.map((w) => [w.id, w]));
    // open dispute cases, in words: "title" at its step, when it is due, and any due dates missed
    const openDisputesBy = group(
      disputes.map((c) => {
        const due = c.clock === 'paused' ? 'its clock paused' : c.dueOn ? `due ${formatDate(c.dueOn)}` : 'no time limit';
        const missed = c.breaches > 0 ? `; ${c.breaches} due ${c.breaches === 1 ? 'date' : 'dates'} missed` : '';
        return { networkId: c.networkId, text: `"${c.title}" at the ${c.stepName.toLowerCase()} step (${due}${missed})`, breached: c.breaches > 0 };
      }),
    );

    return summaries.map((summary): Gathered => {
      const wave = waveById.get(summary.waveId);
      const own = practicesBy.get(summary.id) ?? [];
      const listSize = own.reduce((sum, p) => sum + p.listSize, 0);
      const ownStages = stagesBy.get(summary.id) ?? [];
      const stage = summary.currentStage ? ownStages.find((s) => s.stageKey === summary.currentStage) : undefined;
      const round = roundBy.get(summary.id);
      let owedBy: string[] = [];
      if (round) {
        const progress = roundProgress(round.slots, signaturesBy.get(round.id) ?? []);
        owedBy = [
          ...own.flatMap((p) => {
            const party = progress.practices.get(p.id);
            return party && !party.signed ? [`${p.name}: ${party.owedInWords}`] : [];
          }),
          ...progress.officers.filter((o) => !o.signed).map((o) => `the network's ${o.capacity.replace(/-/g, ' ')}: ${o.owedInWords}`),
        ];
      }
      const ownPresentations = presentationsBy.get(summary.id) ?? [];
      const presentation = ownPresentations.find((p) => p.waveId === summary.waveId);
      const deferral = ownPresentations.filter((p) => p.outcome === 'defer').at(-1);
      const openConditions = (conditionsBy.get(summary.id) ?? [])
        .filter((c) => c.presentationId === presentation?.id && c.status === 'open')
        .map((c) => ({ n: c.n, text: c.text }));
      const outcome = presentation?.outcome ?? null;
      const openDisputes = openDisputesBy.get(summary.id) ?? [];
      const input: Gathered['input'] = {
        formationStatus: summary.formationStatus,
        currentStage: summary.currentStage as StageKey | null,
        listSize,
        footprint: programme.footprint,
        stageStatus: stage?.status ?? null,
        round: round ? { status: round.status, owedBy } : null,
        lastOutcome: stage?.lastOutcome ?? null,
        panel: {
          outcome,
          openConditions: openConditions.map((c) => `${c.n}. ${c.text}`),
          awaitingOutcome: stage?.status === 'awaiting-outcome',
          deferredFromWave: deferral ? (waveById.get(deferral.waveId)?.number ?? null) : null,
        },
        openDisputes,
      };
      const stageData = ownStages.map((s) => ({ stage: s.stageKey, data: s.data }));
      const payee = namedInStageData(stageData, [
        { stage: 'panel-presentation', field: 'nominatedPayee' },
        { stage: 'financial-framework', field: 'payee' },
      ]);
      const payeePractice = payee ? own.find((p) => p.id === payee.value || p.odsCode === payee.value) : undefined;
      const lastSealed = (stageKey: string) => {
        const s = (sealedBy.get(summary.id) ?? []).filter((x) => x.stageKey === stageKey).at(-1);
        return s ? { sealedId: s.id, version: s.version } : null;
      };
      const checklist = registrationChecklist({
        practices: own,
        listSize,
        footprint: programme.footprint,
        clinicalDirector: namedInStageData(stageData, [
          { stage: 'panel-presentation', field: 'clinicalDirector' },
          { stage: 'terms-of-reference', field: 'clinicalDirector' },
        ]),
        nominatedPayee: payee && payeePractice ? { ...payee, value: `${payeePractice.name} (${payeePractice.odsCode})` } : payee,
        termsOfReference: lastSealed('terms-of-reference'),
        dataSharing: lastSealed('data-sharing-agreement'),
      }).map((item) => ({ ...item, evidence: item.evidence ? { ...item.evidence, href: evidenceHref(summary.id, item.evidence) } : null }));
      const decision = (decisionsBy.get(summary.id) ?? []).at(-1);
      const row: Gathered['row'] = {
        networkId: summary.id,
        name: summary.name,
        waveId: summary.waveId,
        waveNumber: wave?.number ?? 0,
        formationStatus: summary.formationStatus,
        currentStage: summary.currentStage,
        stageStatus: stage?.status ?? null,
        listSize,
        practices: own.length,
        panel: {
          outcome,
          outcomeWords: outcome ? OUTCOME_WORDS[outcome] : null,
          openConditions,
          deferredFromWave: deferral ? (waveById.get(deferral.waveId)?.number ?? null) : null,
        },
        openDisputes: openDisputes.map((d) => d.text),
        checklist,
        decision: decision ? { decision: decision.decision, note: decision.note, decidedBy: decision.decidedBy, decidedAt: decision.decidedAt } : null,
      };
      return { input, panelDate: wave?.panelDate ?? null, row };
    });
  }

  const ragCount = (rows: readonly { rag: Rag }[]) => ({
    red: rows.filter((n) => n.rag === 'red').length,
    amber: rows.filter((n) => n.rag === 'amber').length,
    green: rows.filter((n) => n.rag === 'green').length,
  });

  /** How many networks of a wave have started formation, and have completed each stage. */
  function funnel(rows: readonly NetworkReadinessRow[]) {
    return [
      { key: 'started', title: 'Formation started', networks: rows.filter((n) => n.formationStatus !== 'not-started').length },
      ...STAGES.map((s) => ({ key: s.key, title: s.title, networks: rows.filter((n) => n.stagesCompleted >= s.position).length })),
    ];
  }

  function startOfToday(): number {
    return Date.parse(new Date().toISOString().slice(0, 10));
  }

  /**
   * The chart's earlier days, counted by the database once a day per programme: a day's snapshots
   * are only ever written on that day, so once it is over its counts never change. Counting 90 days
   * of 1,250 networks' snapshots was the largest single read of a dashboard's answer (60-100 ms).
   */
  type DayCounts = Awaited<ReturnType<typeof repos.readiness.ragCountsByDay>>;
  let pastCounts: { day: string; byProgramme: Map<string, Promise<DayCounts>> } = { day: '', byProgramme: new Map() };
  function pastRagCounts(programmeId: string, day: string, today: number): Promise<DayCounts> {
    if (pastCounts.day !== day) pastCounts = { day, byProgramme: new Map() };
    const kept = pastCounts.byProgramme;
    let counted = kept.get(programmeId);
    if (!counted) {
      counted = repos.readiness.ragCountsByDay(db, programmeId, new Date(today - HISTORY_DAYS * DAY_MS).toISOString().slice(0, 10), day);
      kept.set(programmeId, counted);
      // a failed read is not kept: the next dashboard read tries again
      counted.catch(() => kept.delete(programmeId));
    }
    return counted;
  }

  async function requireProgramme(id: string) {
    const programme = await repos.records.getProgramme(db, id);
    if (!programme) throw new AppError('NOT_FOUND', `No programme with id ${id}.`);
    return programme;
  }

  /**
   * Every programme's rows gathered and kept, as a start's first read would: run once in the
   * background when a server starts. Reads that arrive meanwhile wait for it rather than gather the
   * same rows a second time. Reads only; a failure leaves the rows to be built by the next read.
   */
  let warming: Promise<unknown> | null = null;
  function warm(): Promise<number> {
    const run = (async () => {
      let networks = 0;
      const today = startOfToday();
      for (const found of await repos.records.listProgrammes(db)) {
        const [waves, summaries] = await Promise.all([repos.records.listWaves(db, found.id), repos.records.listNetworks(db, { programmeId: found.id })]);
        networks += (await assemble(found, waves, summaries, today)).length;
      }
      return networks;
    })();
    warming = run.catch(() => undefined).finally(() => (warming = null));
    return run;
  }

  async function programme(programmeId: string) {
    if (warming) await warming;
    const found = await requireProgramme(programmeId);
    const today = startOfToday();
    const day = new Date(today).toISOString().slice(0, 10);
    const [waves, summaries, todays, earlier] = await Promise.all([
      repos.records.listWaves(db, programmeId),
      repos.records.listNetworks(db, { programmeId }),
      repos.readiness.snapshotsOfDay(db, programmeId, day),
      pastRagCounts(programmeId, day, today),
    ]);
    const rows = await assemble(found, waves, summaries, today);

    // today's snapshot: only the networks whose status differs from what was recorded today
    const recorded = new Map(todays.map((s) => [s.networkId, s]));
    const changed = rows
      .filter((r) => {
        const was = recorded.get(r.networkId);
        return !was || was.rag !== r.rag || was.stagesCompleted !== r.stagesCompleted || was.waveId !== r.waveId;
      })
      .map((r) => ({ networkId: r.networkId, day, programmeId, waveId: r.waveId, rag: r.rag, stagesCompleted: r.stagesCompleted }));
    if (changed.length) await repos.readiness.upsertSnapshots(db, changed);
    // earlier days as recorded, today as it is now
    const history = rows.length ? [...earlier, { day, ...ragCount(rows) }] : earlier;

    return {
      programme: { id: found.id, name: found.name, sponsor: found.sponsor, footprint: found.footprint },
      today: day,
      summary: {
        networks: rows.length,
        ...ragCount(rows),
        decidedReady: rows.filter((r) => r.decision?.decision === 'ready').length,
        openConditions: rows.reduce((n, r) => n + r.panel.openConditions.length, 0),
      },
      waves: waves.map((w) => {
        const own = rows.filter((r) => r.waveId === w.id);
        return {
          id: w.id,
          number: w.number,
          panelDate: w.panelDate,
          daysToPanel: Math.round((Date.parse(w.panelDate) - today) / DAY_MS),
          summary: ragCount(own),
          funnel: funnel(own),
          networks: own,
        };
      }),
      history,
    };
  }

  return {
    /** One wave: the programme's readiness restricted to the networks now in the wave. */
    async wave(waveId: string) {
      if (warming) await warming;
      const wave = await repos.records.getWave(db, waveId);
      if (!wave) throw new AppError('NOT_FOUND', `No wave with id ${waveId}.`);
      const found = await requireProgramme(wave.programmeId);
      const today = startOfToday();
      const waves = await repos.records.listWaves(db, wave.programmeId);
      const networks = await assemble(found, waves, await repos.records.listNetworks(db, { waveId }), today);
      const daysToPanel = Math.round((Date.parse(wave.panelDate) - today) / DAY_MS);
      return {
        waveId: wave.id,
        number: wave.number,
        panelDate: wave.panelDate,
        daysToPanel,
        programme: { id: found.id, name: found.name },
        summary: ragCount(networks),
        networks,
      };
    },

    programme,
    warm,

    /** The programme's readiness as a spreadsheet: one row per network, the checklist as yes/no columns. */
    async csv(programmeId: string): Promise<string> {
      const view = await programme(programmeId);
      const records = view.waves.flatMap((w) =>
        w.networks.map((n) => ({
          wave: w.number,
          panelDate: w.panelDate,
          network: n.name,
          rag: n.rag,
          stage: n.currentStage ?? (n.formationStatus === 'completed' ? 'all stages complete' : 'not started'),
          stageStatus: n.stageStatus ?? '',
          stagesCompleted: n.stagesCompleted,
          practices: n.practices,
          listSize: n.listSize,
          footprint: `${n.footprint.minListSize}-${n.footprint.maxListSize}`,
          footprintStatus: n.footprint.status,
          panelOutcome: n.panel.outcome ?? '',
          deferredFromWave: n.panel.deferredFromWave ?? '',
          openConditions: n.panel.openConditions.map((c) => `${c.n}. ${c.text}`).join('\n'),
          openDisputes: n.openDisputes.join('\n'),
          blockers: n.blockers.join('\n'),
          ...Object.fromEntries(n.checklist.map((c) => [c.key, c.met ? 'yes' : 'no'])),
          decision: n.decision?.decision ?? '',
          decisionNote: n.decision?.note ?? '',
          decidedBy: n.decision?.decidedBy ?? '',
          decidedAt: n.decision?.decidedAt ?? '',
        })),
      );
      const checklistKeys =
        view.waves
          .flatMap((w) => w.networks)
          .at(0)
          ?.checklist.map((c) => c.key) ?? [];
      const columns = [
        'wave',
        'panelDate',
        'network',
        'rag',
        'stage',
        'stageStatus',
        'stagesCompleted',
        'practices',
        'listSize',
        'footprint',
        'footprintStatus',
        'panelOutcome',
        'deferredFromWave',
        'openConditions',
        'openDisputes',
        'blockers',
        ...checklistKeys,
        'decision',
        'decisionNote',
        'decidedBy',
        'decidedAt',
      ];
      return stringify(records, { header: true, columns, bom: true });
    },

    /** One network's row, with every decision taken on it (newest first): the network's readiness page. */
    async network(networkId: string) {
      const network = await repos.records.getNetwork(db, networkId);
      if (!network) throw new AppError('NOT_FOUND', `No network with id ${networkId}.`);
      const found = await requireProgramme(network.programmeId);
      const waves = await repos.records.listWaves(db, network.programmeId);
      const summaries = (await repos.records.listNetworks(db, { waveId: network.waveId })).filter((n) => n.id === network.id);
      const [row] = await assemble(found, waves, summaries, startOfToday());
      const decisions = (await repos.readiness.decisionsForNetworks(db, [network.id])).reverse();
      return { programme: { id: found.id, name: found.name }, row, decisions };
    },

    /** A commissioner's decision on a network: recorded, audited, shown on the dashboard. */
    /** A commissioner's decision, shown under their name and audited with their credential. */
    async decide(person: PersonActor, networkId: string, body: { decision: 'ready' | 'not-ready'; note: string }) {
      const network = await repos.records.getNetwork(db, networkId);
      if (!network) throw new AppError('NOT_FOUND', `No network with id ${networkId}.`);
      const name = (await repos.persons.get(db, person.personId))?.name ?? 'A commissioner';
      return transactionRetryingContention(db, async (trx) => {
        const decision = await repos.readiness.insertDecision(trx, {
          id: crypto.randomUUID(),
          networkId: network.id,
          decision: body.decision,
          note: body.note,
          decidedBy: name,
        });
        await repos.audit.append(
          trx,
          actorLabel(person),
          { type: 'readiness.decided', networkId: network.id, decisionId: decision.id, decision: body.decision, note: body.note },
          network.id,
        );
        return decision;
      });
    },
  };
}

export type ReadinessService = ReturnType<typeof createReadinessService>;
