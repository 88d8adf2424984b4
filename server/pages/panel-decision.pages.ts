import { type Request, type Response, Router } from 'express';
import { actorLabel } from '../../domain/access/policy';
import { statusWords, ukDate } from '../../domain/wording';
import type { AccessLayer } from '../access';
import { AppError } from '../errors';
import { closeConditionBody, outcomeBody } from '../routes/panel.routes';
import type { Services } from '../services';
import { createPageKit } from './page-kit';

const OUTCOMES = [
  { value: 'pass', label: 'Pass', hint: 'The network goes ahead. The stage completes once every practice has signed the pack.' },
  {
    value: 'conditional',
    label: 'Pass with conditions',
    hint: 'The network goes ahead, but the conditions must be closed before the legal entity stage is issued.',
  },
  { value: 'defer', label: 'Defer to the next wave', hint: 'The network moves to the programme’s next wave and presents to that panel.' },
];

/** What the panel decides, in the words the form uses for each field. */
const FIELD_MESSAGES: Record<string, string> = {
  outcome: 'Choose the panel’s outcome',
  conditions: 'List the conditions, one per line, for a pass with conditions (and none for any other outcome)',
  reason: 'Say why the panel decided this, in a few words',
  note: 'Say how the condition was met, in a few words',
};

/**
 * The facilitator's forms for the panel's decision (policy panel.decide): recording the outcome
 * (pass, pass with conditions, defer) with its reason and conditions, and closing each condition with
 * a note of how it was met. The scores themselves are on the panel page (/networks/:id/panel).
 */
export function panelDecisionPagesRouter(s: Services, access: AccessLayer): Router {
  const router = Router();
  const { guard, page, personOf, form, doubleCsrfProtection } = createPageKit(s, access);

  async function outcomePage(
    req: Request,
    res: Response,
    typed: { outcome?: string; conditions?: string; reason?: string } = {},
    errors: { href: string; message: string; field?: string }[] = [],
    status = 200,
  ) {
    const id = String(req.params.id).slice(0, 64);
    const view = await s.panel.networkPanel(id);
    const current = view.current;
    const errorOf = (field: string) => errors.find((e) => e.field === field)?.message;
    await page(
      req,
      res,
      'panel-outcome',
      `${view.name}: the panel’s outcome`,
      {
        breadcrumbs: [
          { href: '/', text: 'Home' },
          { href: `/networks/${id}`, text: view.name },
          { href: `/networks/${id}/stages/panel-presentation`, text: 'Panel presentation' },
        ],
        networkId: id,
        name: view.name,
        scores: current
          ? {
              weighted: current.weightedMean === null ? 'Not scored yet' : `${current.weightedMean.toFixed(2)} out of 5`,
              recommendations: OUTCOMES.map((o) => `${o.label}: ${current.recommendations[o.value as 'pass' | 'conditional' | 'defer']}`).join(' · '),
            }
          : null,
        outcome: view.outcome
          ? { words: statusWords('panelOutcome', view.outcome.outcome), reason: view.outcome.reason, when: ukDate(view.outcome.decidedAt) }
          : null,
        conditions: view.conditions.map((c) => ({
          ...c,
          open: c.status === 'open',
          closedOn: c.closedAt ? ukDate(c.closedAt) : null,
          href: `/networks/${id}/panel/conditions/${c.n}/close`,
        })),
        options: OUTCOMES.map((o) => ({ ...o, id: `outcome-${o.value}`, checked: typed.outcome === o.value })),
        typed,
        errors,
        outcomeError: errorOf('outcome'),
        conditionsError: errorOf('conditions'),
        reasonError: errorOf('reason'),
      },
      status,
    );
  }

  router.get('/networks/:id/panel/outcome', guard('panel.decide', { network: 'id' }), (req, res) => outcomePage(req, res));

  router.post('/networks/:id/panel/outcome', guard('panel.decide', { network: 'id' }), form, doubleCsrfProtection, async (req, res) => {
    const id = String(req.params.id).slice(0, 64);
    const body = req.body as Record<string, string>;
    const typed = { outcome: String(body.outcome ?? ''), conditions: String(body.conditions ?? ''), reason: String(body.reason ?? '') };
    const conditions = typed.conditions
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter(Boolean);
    const parsed = outcomeBody.safeParse({ outcome: typed.outcome || undefined, conditions: conditions.length ? conditions : undefined, reason: typed.reason });
    if (!parsed.success) {
      const fields = [...new Set(parsed.error.issues.map((i) => String(i.path[0] ?? 'outcome')))];
      return outcomePage(
        req,
        res,
        typed,
        fields.map((f) => ({ field: f, href: f === 'outcome' ? 'outcome-pass' : f, message: FIELD_MESSAGES[f] ?? 'Check this answer' })),
        422,
      );
    }
    try {
      await s.panel.recordOutcome(actorLabel(personOf(res)), id, parsed.data);
    } catch (err) {
      if (
        err instanceof AppError &&
        ['PANEL_NOT_OPEN', 'OUTCOME_RECORDED', 'NO_NEXT_WAVE', 'STAGE_LOCKED', 'FORMATION_NOT_STARTED', 'PANEL_CLOSED'].includes(err.code)
      ) {
        return outcomePage(req, res, typed, [{ href: 'outcome-pass', message: err.message }], 409);
      }
      throw err;
    }
    res.redirect(303, `/networks/${id}/stages/panel-presentation?done=outcome`);
  });

  async function conditionPage(req: Request, res: Response, typed: { note?: string } = {}, errors: { href: string; message: string }[] = [], status = 200) {
    const id = String(req.params.id).slice(0, 64);
    const n = Number(req.params.n);
    const view = await s.panel.networkPanel(id);
    const condition = view.conditions.find((c) => c.n === n);
    if (!condition) throw new AppError('NOT_FOUND', 'The panel set no such condition for this network.');
    await page(
      req,
      res,
      'panel-condition',
      `Close condition ${n}`,
      {
        breadcrumbs: [
          { href: '/', text: 'Home' },
          { href: `/networks/${id}`, text: view.name },
          { href: `/networks/${id}/panel/outcome`, text: 'The panel’s outcome' },
        ],
        networkId: id,
        name: view.name,
        condition: { ...condition, open: condition.status === 'open', closedOn: condition.closedAt ? ukDate(condition.closedAt) : null },
        typed,
        errors,
        noteError: errors[0]?.message,
      },
      status,
    );
  }

  router.get('/networks/:id/panel/conditions/:n/close', guard('panel.decide', { network: 'id' }), (req, res) => conditionPage(req, res));

  router.post('/networks/:id/panel/conditions/:n/close', guard('panel.decide', { network: 'id' }), form, doubleCsrfProtection, async (req, res) => {
    const id = String(req.params.id).slice(0, 64);
    const n = Number(req.params.n);
    const note = String((req.body as Record<string, string>).note ?? '');
    const parsed = closeConditionBody.safeParse({ note });
    if (!parsed.success || !Number.isInteger(n) || n < 1 || n > 100)
      return conditionPage(req, res, { note }, [{ href: 'note', message: FIELD_MESSAGES.note }], 422);
    try {
      await s.panel.closeCondition(actorLabel(personOf(res)), id, n, parsed.data);
    } catch (err) {
      if (err instanceof AppError && ['CONDITION_CLOSED', 'UNKNOWN_CONDITION', 'PANEL_NOT_OPEN', 'FORMATION_NOT_STARTED'].includes(err.code))
        return conditionPage(req, res, { note }, [{ href: 'note', message: err.message }], 409);
      throw err;
    }
    res.redirect(303, `/networks/${id}/panel/outcome#conditions`);
  });

  // an outcome letter that could not be sent, sent again from the panel page
  router.post('/networks/:id/panel/letter', guard('panel.decide', { network: 'id' }), form, doubleCsrfProtection, async (req, res) => {
    const id = String(req.params.id).slice(0, 64);
    try {
      await s.panel.resendLetter(actorLabel(personOf(res)), id);
    } catch (err) {
      // sent or being sent already: the panel page says which
      if (!(err instanceof AppError && ['LETTER_NOT_FAILED', 'LETTER_SENDING'].includes(err.code))) throw err;
      return res.redirect(303, `/networks/${id}/panel`);
    }
    res.redirect(303, `/networks/${id}/panel?done=letter`);
  });

  return router;
}
