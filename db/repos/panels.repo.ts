import { z } from 'zod';
import { type PanelCriterion, type PanelOutcome } from '../../domain/panel';
import { criteriaSchema, criterionSchema } from '../../domain/panel.schema';
import { textOf } from './columns';
import { type Executor, insertOnce, nowIso, readInChunks } from './executor';

export interface PanelMember {
  id: string;
  panelId: string;
  name: string;
  email: string;
  organisation: string;
  external: boolean;
  position: number;
  removedAt: string | null;
}

export interface Panel {
  id: string;
  programmeId: string;
  waveId: string;
  date: string;
  criteria: PanelCriterion[];
  /** current members, in the order given (members taken off the panel are left out) */
  members: PanelMember[];
}

export interface Presentation {
  id: string;
  networkId: string;
  waveId: string;
  panelId: string | null;
  documentId: string | null;
  criteria: PanelCriterion[];
  openedAt: string;
  outcome: PanelOutcome | null;
  outcomeReason: string | null;
  outcomeBy: string | null;
  outcomeAt: string | null;
  toWaveId: string | null;
  letterDocumentId: string | null;
  /** why the letter could not be sent, while no attempt since has sent it or is sending it */
  letterError: string | null;
  letterFailedAt: string | null;
}

export interface Invitation {
  presentationId: string;
  memberId: string;
  excluded: boolean;
  reason: string | null;
}

export interface PanelScore {
  id: string;
  presentationId: string;
  memberId: string;
  networkId: string;
  scores: { criterion: string; score: number; comment: string }[];
  recommendation: PanelOutcome;
  conditions: string[];
  scoredAt: string;
}

export interface Condition {
  presentationId: string;
  networkId: string;
  n: number;
  text: string;
  status: 'open' | 'closed';
  closedNote: string | null;
  evidenceDocumentId: string | null;
  closedBy: string | null;
  closedAt: string | null;
}

const scoresSchema = z.array(z.object({ criterion: z.string(), score: z.number(), comment: z.string() }));

function memberFromRow(r: Record<string, unknown>): PanelMember {
  return {
    id: String(r.id),
    panelId: String(r.panel_id),
    name: String(r.name),
    email: String(r.email),
    organisation: String(r.organisation),
    external: Boolean(r.external),
    position: Number(r.position),
    removedAt: (r.removed_at as string | null) ?? null,
  };
}

function presentationFromRow(r: Record<string, unknown>): Presentation {
  return {
    id: String(r.id),
    networkId: String(r.network_id),
    waveId: String(r.wave_id),
    panelId: (r.panel_id as string | null) ?? null,
    documentId: (r.document_id as string | null) ?? null,
    // empty when the wave had no panel when the pack went out
    criteria: z.array(criterionSchema).parse(JSON.parse(String(r.criteria))),
    openedAt: String(r.opened_at),
    outcome: (r.outcome as PanelOutcome | null) ?? null,
    outcomeReason: (r.outcome_reason as string | null) ?? null,
    outcomeBy: (r.outcome_by as string | null) ?? null,
    outcomeAt: (r.outcome_at as string | null) ?? null,
    toWaveId: (r.to_wave_id as string | null) ?? null,
    letterDocumentId: (r.letter_document_id as string | null) ?? null,
    letterError: (r.letter_error as string | null) ?? null,
    letterFailedAt: (r.letter_failed_at as string | null) ?? null,
  };
}

function scoreFromRow(r: Record<string, unknown>): PanelScore {
  return {
    ...textOf(r, ['id', 'presentationId', 'memberId', 'networkId', 'scoredAt']),
    scores: scoresSchema.parse(JSON.parse(String(r.scores))),
    recommendation: String(r.recommendation) as PanelOutcome,
    conditions: z.array(z.string()).parse(JSON.parse(String(r.conditions))),
  };
}

function conditionFromRow(r: Record<string, unknown>): Condition {
  return {
    presentationId: String(r.presentation_id),
    networkId: String(r.network_id),
    n: Number(r.n),
    text: String(r.text),
    status: String(r.status) as Condition['status'],
    closedNote: (r.closed_note as string | null) ?? null,
    evidenceDocumentId: (r.evidence_document_id as string | null) ?? null,
    closedBy: (r.closed_by as string | null) ?? null,
    closedAt: (r.closed_at as string | null) ?? null,
  };
}

/** Wave panels, their members, and each network's presentation to the panel (invitations, scores, outcome, conditions). */
export function createPanelsRepo() {
  async function membersOf(db: Executor, panelId: string): Promise<PanelMember[]> {
    const rows = await db('panel_members').where({ panel_id: panelId }).whereNull('removed_at').orderBy('position');
    return rows.map(memberFromRow);
  }

  return {
    async byWave(db: Executor, waveId: string): Promise<Panel | null> {
      const r = await db('panels').where({ wave_id: waveId }).first();
      if (!r) return null;
      return {
        id: r.id,
        programmeId: r.programme_id,
        waveId: r.wave_id,
        date: r.date,
        criteria: criteriaSchema.parse(JSON.parse(r.criteria)),
        members: await membersOf(db, r.id),
      };
    },

    /**
     * Sets a wave's panel. Members are matched by email: one who stays keeps their id (and the links
     * and scores that name it); one left out is marked removed rather than deleted.
     */
    async upsert(
      db: Executor,
      p: {
        id: string;
        programmeId: string;
        waveId: string;
        date: string;
        criteria: PanelCriterion[];
        members: { id: string; name: string; email: string; organisation: string; external: boolean }[];
      },
    ): Promise<string> {
      const now = nowIso();
      const existing = await db('panels').where({ wave_id: p.waveId }).first();
      const panelId: string = existing ? existing.id : p.id;
      if (existing)
        await db('panels')
          .where({ id: panelId })
          .update({ date: p.date, criteria: JSON.stringify(p.criteria), updated_at: now });
      else
        await db('panels').insert({
          id: panelId,
          programme_id: p.programmeId,
          wave_id: p.waveId,
          date: p.date,
          criteria: JSON.stringify(p.criteria),
          created_at: now,
          updated_at: now,
        });
      const current = (await db('panel_members').where({ panel_id: panelId })).map(memberFromRow);
      const byEmail = new Map(current.map((m) => [m.email, m]));
      for (const [position, m] of p.members.entries()) {
        const email = m.email.toLowerCase();
        const found = byEmail.get(email);
        const row = { name: m.name, organisation: m.organisation, external: m.external, position, removed_at: null };
        if (found) await db('panel_members').where({ id: found.id }).update(row);
        else await db('panel_members').insert({ id: m.id, panel_id: panelId, email, ...row });
      }
      const kept = new Set(p.members.map((m) => m.email.toLowerCase()));
      const gone = current.filter((m) => !kept.has(m.email) && !m.removedAt).map((m) => m.id);
      if (gone.length) await db('panel_members').whereIn('id', gone).update({ removed_at: now });
      return panelId;
    },

    async member(db: Executor, id: string): Promise<(PanelMember & { waveId: string; programmeId: string }) | null> {
      const r = await db('panel_members')
        .join('panels', 'panels.id', 'panel_members.panel_id')
        .where('panel_members.id', id)
        .select('panel_members.*', 'panels.wave_id as wave_id', 'panels.programme_id as programme_id')
        .first();
      return r ? { ...memberFromRow(r), waveId: r.wave_id, programmeId: r.programme_id } : null;
    },

    /** The panel seats (not removed) of whoever has this email, with each panel's wave and programme. */
    async seatsByEmail(db: Executor, email: string): Promise<(PanelMember & { waveId: string; programmeId: string; panelDate: string })[]> {
      const rows = await db('panel_members')
        .join('panels', 'panels.id', 'panel_members.panel_id')
        .where('panel_members.email', email.toLowerCase())
        .whereNull('panel_members.removed_at')
        .select('panel_members.*', 'panels.wave_id as wave_id', 'panels.programme_id as programme_id', 'panels.date as panel_date');
      return rows.map((r) => ({ ...memberFromRow(r), waveId: r.wave_id, programmeId: r.programme_id, panelDate: r.panel_date }));
    },

    /** The presentations made to these waves' panels. */
    async presentationsForWaves(db: Executor, waveIds: readonly string[]): Promise<Presentation[]> {
      return (await readInChunks(waveIds, (chunk) => db('panel_presentations').whereIn('wave_id', chunk).orderBy('opened_at'))).map(presentationFromRow);
    },

    async membersByIds(db: Executor, ids: readonly string[]): Promise<PanelMember[]> {
      return (await readInChunks(ids, (chunk) => db('panel_members').whereIn('id', chunk))).map(memberFromRow);
    },

    async presentation(db: Executor, id: string): Promise<Presentation | null> {
      const r = await db('panel_presentations').where({ id }).first();
      return r ? presentationFromRow(r) : null;
    },

    async presentationFor(db: Executor, networkId: string, waveId: string): Promise<Presentation | null> {
      const r = await db('panel_presentations').where({ network_id: networkId, wave_id: waveId }).first();
      return r ? presentationFromRow(r) : null;
    },

    async insertPresentation(
      db: Executor,
      p: { id: string; networkId: string; waveId: string; panelId: string | null; documentId: string; criteria: PanelCriterion[] },
    ): Promise<void> {
      await db('panel_presentations').insert({
        id: p.id,
        network_id: p.networkId,
        wave_id: p.waveId,
        panel_id: p.panelId,
        document_id: p.documentId,
        criteria: JSON.stringify(p.criteria),
        opened_at: nowIso(),
      });
    },

    /** The latest version of the pack that the panel reads. */
    async setPresentationDocument(db: Executor, id: string, documentId: string): Promise<void> {
      await db('panel_presentations').where({ id }).update({ document_id: documentId });
    },

    /** Every presentation of the networks, oldest first (dashboards, the panel view). */
    async presentationsForNetworks(db: Executor, networkIds: readonly string[]): Promise<Presentation[]> {
      const rows = await readInChunks(networkIds, (chunk) => db('panel_presentations').whereIn('network_id', chunk).orderBy('opened_at'));
      return rows.map(presentationFromRow);
    },

    /** Records the outcome once; false when one was already recorded. */
    async setOutcome(db: Executor, id: string, o: { outcome: PanelOutcome; reason: string; by: string; toWaveId: string | null }): Promise<boolean> {
      const n = await db('panel_presentations')
        .where({ id })
        .whereNull('outcome')
        .update({ outcome: o.outcome, outcome_reason: o.reason, outcome_by: o.by, outcome_at: nowIso(), to_wave_id: o.toWaveId });
      return n > 0;
    },

    async setLetter(db: Executor, id: string, documentId: string): Promise<void> {
      await db('panel_presentations').where({ id }).update({ letter_document_id: documentId, letter_error: null, letter_failed_at: null });
    },

    /** Records why the letter could not be sent; false when it was sent after all, or this was recorded. */
    async setLetterFailure(db: Executor, id: string, error: string): Promise<boolean> {
      const n = await db('panel_presentations')
        .where({ id })
        .whereNull('letter_document_id')
        .whereNull('letter_error')
        .update({ letter_error: error, letter_failed_at: nowIso() });
      return n > 0;
    },

    /** Clears a recorded failure as a new attempt starts; false when there was none. */
    async clearLetterFailure(db: Executor, id: string): Promise<boolean> {
      const n = await db('panel_presentations').where({ id }).whereNotNull('letter_error').update({ letter_error: null, letter_failed_at: null });
      return n > 0;
    },

    async invitations(db: Executor, presentationId: string): Promise<Invitation[]> {
      const rows = await db('panel_invitations').where({ presentation_id: presentationId }).orderBy('created_at');
      return rows.map((r) => ({ presentationId: r.presentation_id, memberId: r.member_id, excluded: Boolean(r.excluded), reason: r.reason ?? null }));
    },

    /** Records that a member was asked to score, or excluded; true when this call recorded it. */
    async insertInvitation(db: Executor, i: Invitation): Promise<boolean> {
      return insertOnce(
        db,
        'panel_invitations',
        { presentation_id: i.presentationId, member_id: i.memberId },
        { excluded: i.excluded, reason: i.reason, created_at: nowIso() },
      );
    },

    async insertScore(db: Executor, s: PanelScore): Promise<void> {
      await db('panel_scores').insert({
        id: s.id,
        presentation_id: s.presentationId,
        member_id: s.memberId,
        network_id: s.networkId,
        scores: JSON.stringify(s.scores),
        recommendation: s.recommendation,
        conditions: JSON.stringify(s.conditions),
        scored_at: s.scoredAt,
      });
    },

    async scoreOf(db: Executor, presentationId: string, memberId: string): Promise<PanelScore | null> {
      const r = await db('panel_scores').where({ presentation_id: presentationId, member_id: memberId }).first();
      return r ? scoreFromRow(r) : null;
    },

    async scores(db: Executor, presentationId: string): Promise<PanelScore[]> {
      const rows = await db('panel_scores').where({ presentation_id: presentationId }).orderBy('scored_at');
      return rows.map(scoreFromRow);
    },

    async insertConditions(db: Executor, presentationId: string, networkId: string, texts: readonly string[]): Promise<void> {
      for (const [i, text] of texts.entries())
        await db('panel_conditions').insert({ presentation_id: presentationId, n: i + 1, network_id: networkId, text, status: 'open' });
    },

    async conditions(db: Executor, presentationId: string): Promise<Condition[]> {
      const rows = await db('panel_conditions').where({ presentation_id: presentationId }).orderBy('n');
      return rows.map(conditionFromRow);
    },

    async conditionsForNetworks(db: Executor, networkIds: readonly string[]): Promise<Condition[]> {
      const rows = await readInChunks(networkIds, (chunk) => db('panel_conditions').whereIn('network_id', chunk).orderBy(['network_id', 'n']));
      return rows.map(conditionFromRow);
    },

    /** Closes a condition once; false when it was already closed. */
    async closeCondition(
      db: Executor,
      presentationId: string,
      n: number,
      c: { note: string; evidenceDocumentId: string | null; by: string },
    ): Promise<boolean> {
      const changed = await db('panel_conditions')
        .where({ presentation_id: presentationId, n, status: 'open' })
        .update({ status: 'closed', closed_note: c.note, evidence_document_id: c.evidenceDocumentId, closed_by: c.by, closed_at: nowIso() });
      return changed > 0;
    },
  };
}

export type PanelsRepo = ReturnType<typeof createPanelsRepo>;
