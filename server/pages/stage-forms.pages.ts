import { type Request, type Response, Router } from 'express';
import { actorLabel } from '../../domain/access/policy';
import { defaultSigningRule, type SigningRule, whoSigns } from '../../domain/signing';
import { signingRuleSchema } from '../../domain/signing.schema';
import { isStageKey, stageDefinition, type StageKey } from '../../domain/stages';
import { STAGE_TEMPLATES } from '../../templates';
import type { AccessLayer } from '../access';
import { AppError } from '../errors';
import type { Services } from '../services';
import { fieldErrors } from './form-errors';
import { dataFromState, type FormState, stateFromBody, stateFromData } from './form-values';
import { formView } from './form-view';
import { createPageKit } from './page-kit';
import { formFields } from './schema-form';

/** Signing-rule choices in words, for the issue form. */
const PARTNERS = [
  { value: 'any-partner', label: 'One partner of each practice (any one of them)' },
  { value: 'all-partners', label: 'Every partner of each practice' },
];
const PRACTICE_ROLES = [
  { value: 'caldicott-guardian', label: 'Each practice’s Caldicott guardian' },
  { value: 'practice-manager', label: 'Each practice’s practice manager' },
  { value: 'dpo', label: 'Each practice’s data protection officer' },
];
const OFFICERS = [
  { value: 'chair', label: 'The network’s chair' },
  { value: 'clinical-director', label: 'The network’s Clinical Director' },
  { value: 'network-manager', label: 'The network’s manager' },
];
const ORDER = [
  { value: 'parallel', label: 'Everyone at once' },
  { value: 'practices-then-officers', label: 'The practices first, then the officers' },
];

/** State codes a facilitator might meet when saving or issuing, as what to do about them. */
const REFUSALS = new Set([
  'FORMATION_NOT_STARTED',
  'STAGE_NOT_CURRENT',
  'STAGE_COMPLETED',
  'STAGE_LOCKED',
  'CONDITIONS_OPEN',
  'PANEL_NOT_OPEN',
  'PANEL_CLOSED',
  'TEMPLATE_CONTEXT_INVALID',
  'OUTCOME_RECORDED',
]);

/**
 * The forms of a stage: its details, generated from the stage's own zod schema (schema-form.ts),
 * saved as a draft exactly as PUT /networks/:id/stages/:stage saves them, with NHS-style field
 * errors and nothing typed lost; the preview of the document as it would be issued now; and issuing
 * it under a signing rule chosen in words.
 */
export function stageFormsPagesRouter(s: Services, access: AccessLayer): Router {
  const router = Router();
  const { guard, page, personOf, form, doubleCsrfProtection } = createPageKit(s, access);

  async function context(req: Request) {
    const id = String(req.params.id).slice(0, 64);
    const stage = String(req.params.stage).slice(0, 64);
    if (!isStageKey(stage)) throw new AppError('NOT_FOUND', 'If you typed the web address, check it is correct.');
    const network = await s.networks.getNetwork(id);
    const def = stageDefinition(stage);
    return {
      id,
      stage: stage as StageKey,
      network,
      title: def.title,
      breadcrumbs: [
        { href: '/', text: 'Home' },
        { href: `/networks/${id}`, text: network.name },
        { href: `/networks/${id}/stages/${stage}`, text: def.title },
      ],
    };
  }

  function fieldsOf(ctx: Awaited<ReturnType<typeof context>>) {
    return formFields(STAGE_TEMPLATES[ctx.stage].stageDataSchema, { practices: ctx.network.practices.map((p) => ({ value: p.id, label: p.name })) });
  }

  async function dataPage(
    req: Request,
    res: Response,
    state: FormState | null,
    extra: { errors?: { href: string; message: string; name?: string }[]; extraRows?: Record<string, number> } = {},
    status = 200,
  ) {
    const ctx = await context(req);
    const fields = fieldsOf(ctx);
    const current = state ?? stateFromData(fields, (await s.stageConsole.stageData(ctx.id, ctx.stage)).data ?? {});
    const errors = extra.errors ?? [];
    await page(
      req,
      res,
      'stage-data',
      `${ctx.title}: details`,
      {
        breadcrumbs: ctx.breadcrumbs,
        network: ctx.network,
        title: ctx.title,
        action: `/networks/${ctx.id}/stages/${ctx.stage}/data`,
        fields: formView(
          fields,
          current,
          errors.map((e) => ({ name: e.name ?? '', message: e.message })),
          extra.extraRows,
        ),
        extraRows: Object.entries(extra.extraRows ?? {}).map(([name, n]) => ({ name, n })),
        errors,
      },
      status,
    );
  }

  router.get('/networks/:id/stages/:stage/data', guard('formation.manage', { network: 'id' }), (req, res) => dataPage(req, res, null));

  router.post('/networks/:id/stages/:stage/data', guard('formation.manage', { network: 'id' }), form, doubleCsrfProtection, async (req, res) => {
    const ctx = await context(req);
    const fields = fieldsOf(ctx);
    const body = req.body as Record<string, unknown>;
    const state = stateFromBody(fields, body);
    // blank rows asked for earlier stay on the page until they are filled in or the form is saved
    const extraRows: Record<string, number> = {};
    for (const [k, v] of Object.entries(body)) if (k.startsWith('_extra.') && /^\d{1,2}$/.test(String(v))) extraRows[k.slice(7)] = Number(v);
    if (typeof body._add === 'string' && body._add) {
      extraRows[body._add] = (extraRows[body._add] ?? 0) + 1;
      return dataPage(req, res, state, { extraRows });
    }
    const data = dataFromState(fields, state);
    const schema = STAGE_TEMPLATES[ctx.stage].stageDataSchema;
    const parsed = schema.safeParse(data);
    if (!parsed.success) {
      const errors = fieldErrors(fields, parsed.error, data);
      return dataPage(req, res, state, { errors: errors.map((e) => ({ href: e.href, message: e.message, name: e.name })), extraRows }, 422);
    }
    try {
      await s.formation.submitStageData(actorLabel(personOf(res)), ctx.id, ctx.stage, data);
    } catch (err) {
      if (err instanceof AppError && REFUSALS.has(err.code))
        return dataPage(req, res, state, { errors: [{ href: 'save-button', message: err.message }], extraRows }, 409);
      throw err;
    }
    res.redirect(303, `/networks/${ctx.id}/stages/${ctx.stage}?done=saved`);
  });

  router.get('/networks/:id/stages/:stage/preview', guard('network.read', { network: 'id' }), async (req, res) => {
    const ctx = await context(req);
    let preview: Awaited<ReturnType<Services['templates']['preview']>> | null = null;
    let problem: string | null = null;
    try {
      preview = await s.templates.preview(ctx.id, ctx.stage);
    } catch (err) {
      if (!(err instanceof AppError && err.code === 'TEMPLATE_CONTEXT_INVALID')) throw err;
      const issues = (err.details as { path?: string; message: string }[] | undefined) ?? [];
      problem = `${err.message} ${issues.map((i) => `${i.path ? `${i.path}: ` : ''}${i.message}`).join('; ')}`.trim();
    }
    await page(req, res, 'stage-preview', `${ctx.title}: preview`, {
      breadcrumbs: ctx.breadcrumbs,
      network: ctx.network,
      title: ctx.title,
      preview,
      problem,
      base: `/networks/${ctx.id}/stages/${ctx.stage}`,
    });
  });

  async function issuePage(req: Request, res: Response, chosen: SigningRule | null, errors: { href: string; message: string }[] = [], status = 200) {
    const ctx = await context(req);
    const rule = chosen ?? defaultSigningRule(STAGE_TEMPLATES[ctx.stage].documentType);
    const view = await s.stageConsole.stage(ctx.id, ctx.stage);
    const mark = (options: { value: string; label: string }[], picked: readonly string[], name: string) =>
      options.map((o) => ({ ...o, id: `${name}-${o.value}`, checked: picked.includes(o.value) }));
    await page(
      req,
      res,
      'stage-issue',
      `${ctx.title}: issue`,
      {
        breadcrumbs: ctx.breadcrumbs,
        network: ctx.network,
        title: ctx.title,
        action: `/networks/${ctx.id}/stages/${ctx.stage}/issue`,
        nextVersion: (view.versions[0]?.version ?? 0) + 1,
        reissue: view.stage.status === 'awaiting-signatures',
        panel: ctx.stage === 'panel-presentation',
        ruleWords: whoSigns(rule),
        partners: mark(PARTNERS, [rule.partners], 'partners'),
        practiceRoles: mark(PRACTICE_ROLES, rule.practiceRoles, 'practiceRoles'),
        officers: mark(OFFICERS, rule.officers, 'officers'),
        order: mark(ORDER, [rule.order], 'order'),
        errors,
        ruleError: errors.find((e) => e.href === 'partners-any-partner')?.message,
      },
      status,
    );
  }

  router.get('/networks/:id/stages/:stage/issue', guard('formation.manage', { network: 'id' }), (req, res) => issuePage(req, res, null));

  router.post('/networks/:id/stages/:stage/issue', guard('formation.manage', { network: 'id' }), form, doubleCsrfProtection, async (req, res) => {
    const ctx = await context(req);
    const body = req.body as Record<string, unknown>;
    const list = (v: unknown) => ([] as unknown[]).concat(v ?? []).map(String);
    const parsed = signingRuleSchema.safeParse({
      partners: body.partners,
      practiceRoles: list(body.practiceRoles),
      officers: list(body.officers),
      order: body.order || undefined,
    });
    if (!parsed.success) {
      const fallback = defaultSigningRule(STAGE_TEMPLATES[ctx.stage].documentType);
      return issuePage(
        req,
        res,
        { ...fallback, practiceRoles: [], officers: [] },
        [{ href: 'partners-any-partner', message: 'Choose who signs for each practice' }],
        422,
      );
    }
    try {
      await s.formation.issue(actorLabel(personOf(res)), ctx.id, ctx.stage, { signingRule: parsed.data });
    } catch (err) {
      if (err instanceof AppError && err.code === 'VALIDATION_FAILED') {
        // a rule some party cannot meet: say who, and keep the choices for another try
        const who = ((err.details as { message: string }[] | undefined) ?? []).map((d) => d.message.replace(/^no one may sign for /, ''));
        const message = who.length ? `Nobody can sign for ${who.join('; ')} under this rule. Choose another rule, or add the people first.` : err.message;
        return issuePage(req, res, parsed.data, [{ href: 'partners-any-partner', message }], 422);
      }
      if (err instanceof AppError && REFUSALS.has(err.code)) return issuePage(req, res, parsed.data, [{ href: 'issue-button', message: err.message }], 409);
      throw err;
    }
    res.redirect(303, `/networks/${ctx.id}/stages/${ctx.stage}?done=issued`);
  });

  return router;
}
