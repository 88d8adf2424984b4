import { transactionRetryingContention } from '../../db/knex';
import { describeChanges, listAnd, TemplateContextError, textDiff, validateTemplateSource } from '../../documents';
import { STAGES, isStageKey, type StageKey } from '../../domain/stages';
import { overrideVersionLabel } from '../../db/repos/templates.repo';
import { actorLabel, type PersonActor } from '../../domain/access/policy';
import {
  builtinTemplateVersion,
  documentTitle,
  isDocumentType,
  loadBuiltinSource,
  missingParts,
  renderTemplate,
  REQUIRED_SECTIONS,
  STAGE_TEMPLATES,
  type NetworkFacts,
} from '../../templates';
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
 * Per-programme template overrides (checked before use: they compile, render against the
 * programme's facts, and keep every required section and signature block), going back to the
 * built-in template, the facilitator's preview of a stage's document before issuing it, and the
 * text diff between two versions of a document.
 */
export function createTemplatesService(deps: ServerDeps) {
  const { db, repos } = deps;

  function stageFor(documentType: string): StageKey {
    const stage = STAGES.find((s) => STAGE_TEMPLATES[s.key].documentType === documentType);
    if (!stage) {
      throw new AppError(
        'NOT_FOUND',
        `Templates of type ${documentType} cannot be overridden. Types: ${STAGES.map((s) => STAGE_TEMPLATES[s.key].documentType).join(', ')}.`,
      );
    }
    return stage.key;
  }

  async function render(
    stage: StageKey,
    facts: NetworkFacts,
    data: unknown,
    override: { source: string; version: string } | undefined,
    meta: { documentId: string; version: number },
  ) {
    const template = STAGE_TEMPLATES[stage];
    try {
      return await renderTemplate(
        template.documentType,
        template.buildContext(facts, data ?? {}),
        { ...meta, networkName: facts.network.name, issuedOn: new Date().toISOString().slice(0, 10) },
        override,
      );
    } catch (err) {
      if (err instanceof TemplateContextError)
        throw new AppError('TEMPLATE_CONTEXT_INVALID', 'The document cannot be rendered: some fields are missing or invalid.', err.issues);
      throw err;
    }
  }

  async function requireProgramme(programmeId: string) {
    const programme = await repos.records.getProgramme(db, programmeId);
    if (!programme) throw new AppError('NOT_FOUND', `No programme with id ${programmeId}.`);
    return programme;
  }

  /**
   * Renders a candidate source against the programme's first network (or sample facts before it has
   * one) and refuses it, naming what is wrong, if it does not compile, cannot be filled in, or leaves
   * out a required section or a practice's signature block. Writes nothing.
   */
  async function check(programmeId: string, documentType: string, source: string) {
    await requireProgramme(programmeId);
    const stage = stageFor(documentType);
    try {
      validateTemplateSource(source);
    } catch (err) {
      const issues = err instanceof TemplateContextError ? err.issues : [{ path: 'source', message: (err as Error).message }];
      throw new AppError('TEMPLATE_CONTEXT_INVALID', 'The template does not compile.', issues);
    }
    const [first] = await repos.records.listNetworks(db, { programmeId });
    const found = first ? await repos.records.networkFacts(db, first.id) : null;
    const facts = found?.facts ?? SAMPLE_FACTS;
    const rendered = await render(stage, facts, {}, { source, version: 'candidate' }, { documentId: 'template-check', version: 1 });
    const missing = missingParts(
      STAGE_TEMPLATES[stage].documentType,
      rendered.markdown,
      facts.practices.map((p) => p.name),
    );
    const issues = [
      ...missing.sections.map((title) => ({ path: 'section', message: `the section “${title}” is missing` })),
      ...(missing.signaturesFor.length ? [{ path: 'signatures', message: `the signature block is missing for ${listAnd(missing.signaturesFor)}` }] : []),
    ];
    if (issues.length) {
      throw new AppError(
        'TEMPLATE_INCOMPLETE',
        `The template leaves out what a ${documentTitle(STAGE_TEMPLATES[stage].documentType).toLowerCase()} must have: ${issues.map((i) => i.message).join('; ')}.`,
        issues,
      );
    }
    return {
      title: rendered.title,
      html: rendered.html,
      markdown: rendered.markdown,
      renderedWith: found ? { kind: 'network' as const, name: facts.network.name } : { kind: 'sample' as const, name: facts.network.name },
    };
  }

  function versionView(t: { documentType: string; version: number; builtin: boolean; programmeId: string; createdBy: string; createdAt: string }) {
    return {
      documentType: t.documentType,
      version: t.version,
      builtin: t.builtin,
      templateVersion: t.builtin && isDocumentType(t.documentType) ? builtinTemplateVersion(t.documentType) : overrideVersionLabel(t),
      createdBy: t.createdBy,
      createdAt: t.createdAt,
    };
  }

  return {
    /** Checks a programme's own version of a stage template and, when it passes, puts it in use. */
    async upload(actor: PersonActor, programmeId: string, documentType: string, source: string) {
      await check(programmeId, documentType, source);
      const stored = await transactionRetryingContention(db, async (trx) => {
        const row = await repos.templates.insert(trx, { programmeId, documentType, source, createdBy: actorLabel(actor) });
        await repos.audit.append(trx, actorLabel(actor), { type: 'template.uploaded', programmeId, documentType, version: row.version });
        return row;
      });
      return { documentType, version: stored.version, templateVersion: overrideVersionLabel(stored), createdAt: stored.createdAt };
    },

    /** The candidate rendered as it would be used (HTML), refused as `upload` would refuse it; nothing is stored. */
    previewCandidate(programmeId: string, documentType: string, source: string) {
      return check(programmeId, documentType, source);
    },

    /**
     * The page's preview step: checks and renders a candidate, and keeps it server-side under a
     * random id for the person who uploaded it, until they choose to use it (`useStaged`).
     */
    async stageCandidate(actor: PersonActor, programmeId: string, documentType: string, source: string) {
      const preview = await check(programmeId, documentType, source);
      const upload = await repos.stagedUploads.insert(db, { kind: 'template', programmeId, personId: actor.personId, payload: { documentType, source } });
      return { ...preview, uploadId: upload.id, expiresAt: upload.expiresAt };
    },

    /** Uses a candidate the person previewed: checked again, stored, and the staged copy used up. */
    async useStaged(actor: PersonActor, programmeId: string, documentType: string, uploadId: string) {
      const staged = (await repos.stagedUploads.get(db, uploadId, { kind: 'template', programmeId, personId: actor.personId })) as {
        documentType: string;
        source: string;
      } | null;
      if (!staged || staged.documentType !== documentType)
        throw new AppError('NOT_FOUND', 'This preview has been used or is more than 30 minutes old. Upload the template again.');
      // used up first, so two presses of "use this version" store it once
      if (!(await repos.stagedUploads.take(db, uploadId))) throw new AppError('CONFLICT', 'This version has just been used.');
      return this.upload(actor, programmeId, documentType, staged.source);
    },

    /**
     * Puts the programme back on the built-in template of this type. The change is a version of its
     * own (documents issued with earlier versions keep naming them); nothing is written when the
     * built-in one is already in use.
     */
    async revert(actor: PersonActor, programmeId: string, documentType: string) {
      await requireProgramme(programmeId);
      const type = STAGE_TEMPLATES[stageFor(documentType)].documentType;
      const reverted = await transactionRetryingContention(db, async (trx) => {
        if (!(await repos.templates.latest(trx, programmeId, documentType))) return null;
        const row = await repos.templates.insert(trx, { programmeId, documentType, source: '', builtin: true, createdBy: actorLabel(actor) });
        await repos.audit.append(trx, actorLabel(actor), { type: 'template.reverted', programmeId, documentType, version: row.version });
        return row;
      });
      return {
        documentType,
        usesBuiltin: true,
        templateVersion: builtinTemplateVersion(type),
        reverted: reverted !== null,
        version: reverted?.version ?? null,
      };
    },

    async list(programmeId: string) {
      await requireProgramme(programmeId);
      return (await repos.templates.list(db, programmeId)).map(versionView);
    },

    /**
     * Every stage's template for a programme, as its set-up page shows it: in use (built-in or the
     * programme's version), the versions so far, and the sections it must have.
     */
    async overview(programmeId: string) {
      await requireProgramme(programmeId);
      const versions = (await repos.templates.list(db, programmeId)).map(versionView);
      // the audit label names a person by id; pages name them by name
      const names = new Map<string, string>();
      for (const v of versions) {
        const personId = /^person:(\S+)/.exec(v.createdBy)?.[1];
        if (personId && !names.has(v.createdBy)) names.set(v.createdBy, (await repos.persons.get(db, personId))?.name ?? 'a facilitator');
      }
      const named = versions.map((v) => ({ ...v, createdByName: names.get(v.createdBy) ?? 'a facilitator' }));
      return STAGES.map((stage) => {
        const documentType = STAGE_TEMPLATES[stage.key].documentType;
        const mine = named.filter((v) => v.documentType === documentType);
        const latest = mine.at(-1);
        return {
          stage: stage.key,
          stageName: stage.title,
          documentType,
          title: documentTitle(documentType),
          inUse: latest && !latest.builtin ? { builtin: false, version: latest.version } : { builtin: true, version: null },
          versions: mine,
          requiredSections: (REQUIRED_SECTIONS[documentType] ?? []).map((s) => s.title),
        };
      });
    },

    /** The source of the built-in template, or of a programme's version, to start a new version from. */
    async source(programmeId: string, documentType: string, version?: number) {
      await requireProgramme(programmeId);
      const stage = stageFor(documentType);
      const type = STAGE_TEMPLATES[stage].documentType;
      if (version === undefined) return { fileName: `${type}-built-in.md.hbs`, source: loadBuiltinSource(type) };
      const row = (await repos.templates.list(db, programmeId)).find((t) => t.documentType === documentType && t.version === version && !t.builtin);
      if (!row) throw new AppError('NOT_FOUND', `No version ${version} of this programme's ${documentType} template.`);
      return { fileName: `${type}-version-${version}.md.hbs`, source: row.source };
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
      const rendered = await render(
        stageParam,
        found.facts,
        stageRow?.data ?? {},
        override ? { source: override.source, version: overrideVersionLabel(override) } : undefined,
        { documentId: 'preview', version: next },
      );
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
      if (against.networkId !== doc.networkId || against.type !== doc.type)
        throw new AppError('VALIDATION_FAILED', 'Compare versions of the same document of the same network.', [
          { path: 'against', message: 'another document' },
        ]);
      const [from, to] = [await repos.documents.text(db, against.id), await repos.documents.text(db, doc.id)];
      const parts = textDiff(from?.markdown ?? '', to?.markdown ?? '');
      return {
        from: { id: against.id, version: against.version },
        to: { id: doc.id, version: doc.version },
        changed: parts.some((p) => p.op !== 'equal'),
        parts,
        /** what changed as a reader sees it, as partners are shown it on their signing page */
        blocks: describeChanges(from?.markdown ?? '', to?.markdown ?? ''),
      };
    },
  };
}
