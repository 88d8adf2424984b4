import { TemplateContextError, textDiff, validateTemplateSource } from '../../documents';
import { STAGES, isStageKey, type StageKey } from '../../domain/stages';
import { overrideVersionLabel } from '../../db/repos/templates.repo';
import { actorLabel, type PersonActor } from '../../domain/access/policy';
import { renderTemplate, STAGE_TEMPLATES, type NetworkFacts } from '../../templates';
import type { ServerDeps } from '../deps';
import { AppError } from '../errors';

/** Stand-in facts for checking a programme's template before it has any network. */
const SAMPLE_FACTS: NetworkFacts = {
  programme: { name: 'Sample programme', sponsor: 'Sample commissioner', footprint: { minListSize: 30000, maxListSize: 50000 } },
  wave: { number: 1, panelDate: '2027-01-15' },
  network: { id: 'sample-network', name: 'Sample Network' },
  practices: [1, 2, 3].map((n) => ({
    id: `sample-practice-${n}`,
    name: `Sample Practice ${n}`,
    odsCode: `S0000${n}`,
    listSize: 10000 + n * 1000,
    people: [
      { id: `sample-partner-${n}`, name: `Dr Sample Partner ${n}`, email: `partner${n}@example.org`, roles: ['partner', 'board-member', 'caldicott-guardian'] },
      { id: `sample-manager-${n}`, name: `Sample Manager ${n}`, email: `manager${n}@example.org`, roles: ['practice-manager'] },
    ],
  })),
};

/**
 * Per-programme template overrides (validated before use), the facilitator's preview of a stage's
 * document before issuing it, and the text diff between two versions of a document.
 */
export function createTemplatesService(deps: ServerDeps) {
  const { db, repos } = deps;

  function stageFor(documentType: string): StageKey {
    const stage = STAGES.find((s) => STAGE_TEMPLATES[s.key].documentType === documentType);
    if (!stage) {
      throw new AppError('NOT_FOUND', `Templates of type ${documentType} cannot be overridden. Types: ${STAGES.map((s) => STAGE_TEMPLATES[s.key].documentType).join(', ')}.`);
    }
    return stage.key;
  }

  async function render(stage: StageKey, facts: NetworkFacts, data: unknown, override: { source: string; version: string } | undefined, meta: { documentId: string; version: number }) {
    const template = STAGE_TEMPLATES[stage];
    try {
      return await renderTemplate(template.documentType, template.buildContext(facts, data ?? {}), { ...meta, networkName: facts.network.name, issuedOn: new Date().toISOString().slice(0, 10) }, override);
    } catch (err) {
      if (err instanceof TemplateContextError) throw new AppError('TEMPLATE_CONTEXT_INVALID', 'The document cannot be rendered: some fields are missing or invalid.', err.issues);
      throw err;
    }
  }

  return {
    async upload(actor: PersonActor, programmeId: string, documentType: string, source: string) {
      if (!(await repos.records.getProgramme(db, programmeId))) throw new AppError('NOT_FOUND', `No programme with id ${programmeId}.`);
      const stage = stageFor(documentType);
      try {
        validateTemplateSource(source);
      } catch (err) {
        const issues = err instanceof TemplateContextError ? err.issues : [{ path: 'source', message: (err as Error).message }];
        throw new AppError('TEMPLATE_CONTEXT_INVALID', 'The template does not compile.', issues);
      }
      // render it against a real network of the programme if there is one, else against sample facts
      const [first] = await repos.records.listNetworks(db, { programmeId });
      const facts = (first ? (await repos.records.networkFacts(db, first.id))?.facts : null) ?? SAMPLE_FACTS;
      await render(stage, facts, {}, { source, version: 'candidate' }, { documentId: 'template-check', version: 1 });
      const stored = await db.transaction(async (trx) => {
        const row = await repos.templates.insert(trx, { programmeId, documentType, source, createdBy: actorLabel(actor) });
        await repos.audit.append(trx, actorLabel(actor), { type: 'template.uploaded', programmeId, documentType, version: row.version });
        return row;
      });
      return { documentType, version: stored.version, templateVersion: overrideVersionLabel(stored), createdAt: stored.createdAt };
    },

    async list(programmeId: string) {
      if (!(await repos.records.getProgramme(db, programmeId))) throw new AppError('NOT_FOUND', `No programme with id ${programmeId}.`);
      return (await repos.templates.list(db, programmeId)).map((t) => ({ documentType: t.documentType, version: t.version, templateVersion: overrideVersionLabel(t), createdBy: t.createdBy, createdAt: t.createdAt }));
    },

    /** The stage's document as it would be issued now, from the stage data submitted so far. */
    async preview(networkId: string, stageParam: string) {
      if (!isStageKey(stageParam)) throw new AppError('UNKNOWN_STAGE', `No stage called ${stageParam}.`);
      const found = await repos.records.networkFacts(db, networkId);
      if (!found) throw new AppError('NOT_FOUND', `No network with id ${networkId}.`);
      const stageRow = (await repos.stages.list(db, networkId)).find((s) => s.stageKey === stageParam);
      const template = STAGE_TEMPLATES[stageParam];
      const override = await repos.templates.latest(db, found.programmeId, template.documentType);
      const next = (await repos.documents.latestVersion(db, networkId, template.documentType)) + 1;
      const rendered = await render(stageParam, found.facts, stageRow?.data ?? {}, override ? { source: override.source, version: overrideVersionLabel(override) } : undefined, { documentId: 'preview', version: next });
      return { title: rendered.title, version: next, templateVersion: rendered.templateVersion, html: rendered.html, markdown: rendered.markdown };
    },

    /** What changed between two versions of a document (default: the version before). */
    async diff(documentId: string, againstId?: string) {
      const doc = await repos.documents.get(db, documentId);
      if (!doc) throw new AppError('NOT_FOUND', `No document with id ${documentId}.`);
      let against = againstId ? await repos.documents.get(db, againstId) : null;
      if (againstId && !against) throw new AppError('NOT_FOUND', `No document with id ${againstId}.`);
      if (!against) against = (await repos.documents.versions(db, doc.networkId, doc.type)).filter((v) => v.version < doc.version).at(-1) ?? null;
      if (!against) throw new AppError('NOT_FOUND', 'This is the first version; there is nothing to compare it with.');
      if (against.networkId !== doc.networkId || against.type !== doc.type) throw new AppError('VALIDATION_FAILED', 'Compare versions of the same document of the same network.', [{ path: 'against', message: 'another document' }]);
      const [from, to] = [await repos.documents.text(db, against.id), await repos.documents.text(db, doc.id)];
      const parts = textDiff(from?.markdown ?? '', to?.markdown ?? '');
      return {
        from: { id: against.id, version: against.version },
        to: { id: doc.id, version: doc.version },
        changed: parts.some((p) => p.op !== 'equal'),
        parts,
      };
    },
  };
}
