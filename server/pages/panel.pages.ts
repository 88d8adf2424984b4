import { type Request, type Response, Router } from 'express';
import { formatDate } from '../../documents/format';
import { PANEL_OUTCOMES, type PanelOutcome } from '../../domain/panel';
import { scoreSheetSchema } from '../../domain/panel.schema';
import { linkOutcome } from '../../domain/wording';
import { AppError } from '../errors';
import type { Services } from '../services';
import type { AccessLayer } from '../access';
import { createPageKit } from './page-kit';
import { renderPage, ukTime } from './views';

const RECOMMENDATION_LABELS: Record<PanelOutcome, string> = { pass: 'Pass', conditional: 'Pass with conditions', defer: 'Defer to the next wave' };

interface ScoreForm {
  scores: Record<string, string>;
  comments: Record<string, string>;
  recommendation: string;
  conditions: string;
}

/**
 * The scoring page at /a/<token> for `score` links (other links pass to the next router): the
 * member reads the pack, scores each criterion 1–5 with a comment, recommends, and may propose
 * conditions. Phone-first NHS.UK markup; the form carries a CSRF token like the signing forms.
 */
export function panelPagesRouter(s: Services, access: AccessLayer): Router {
  const router = Router();
  const { doubleCsrfProtection, generateCsrfToken, form, perToken, withLink, linkOf } = createPageKit(s, access);
  const scoreLink = withLink(['score']);

  async function scorePage(req: Request, res: Response, extra: { form?: ScoreForm; errors?: { field: string; message: string }[] } = {}, status = 200) {
    const link = linkOf(res);
    const view = await s.panel.describeScore(link);
    const errors = extra.errors ?? [];
    const errorFor = (field: string) => errors.find((e) => e.field === field)?.message;
    const titles = new Map(view.criteria.map((c) => [c.key, c.title]));
    res
      .status(status)
      .type('html')
      .send(
        renderPage('score', `Score ${view.network.name}`, {
          view,
          token: link.secret,
          csrf: generateCsrfToken(req, res),
          pending: view.status === 'pending',
          panelDate: view.wave.panelDate ? formatDate(view.wave.panelDate) : '',
          banner: linkOutcome('score', {
            status: view.status,
            at: view.status === 'scored' ? view.score?.scoredAt : view.status === 'expired' ? view.expiresAt : null,
            reason: view.exclusionReason,
          }),
          bannerSuccess: view.status === 'scored',
          criteria: view.criteria.map((c) => ({
            ...c,
            lowerTitle: c.title.charAt(0).toLowerCase() + c.title.slice(1),
            error: errorFor(`score-${c.key}`),
            comment: extra.form?.comments[c.key] ?? '',
            options: [1, 2, 3, 4, 5].map((value) => ({ value, checked: extra.form?.scores[c.key] === String(value) })),
          })),
          recommendations: PANEL_OUTCOMES.map((value) => ({ value, label: RECOMMENDATION_LABELS[value], checked: extra.form?.recommendation === value })),
          recommendationError: errorFor('recommendation'),
          conditionsError: errorFor('conditions'),
          conditionsText: extra.form?.conditions ?? '',
          errors,
          myScores: view.score?.scores.map((x) => ({ ...x, title: titles.get(x.criterion) ?? x.criterion })) ?? [],
          scoredAt: view.score ? ukTime(view.score.scoredAt) : '',
          recommendationWords: view.score ? RECOMMENDATION_LABELS[view.score.recommendation].toLowerCase() : '',
        }),
      );
  }

  router.get('/a/:token', perToken, scoreLink, async (req, res) => {
    res.setHeader('Referrer-Policy', 'no-referrer');
    await scorePage(req, res);
  });

  router.get('/a/:token/pack.pdf', perToken, scoreLink, async (_req, res) => {
    const { bytes, fileName } = await s.panel.packFile(linkOf(res));
    res.setHeader('Content-Disposition', `inline; filename="${fileName}"`);
    res.type('application/pdf').send(bytes);
  });

  router.post('/a/:token/score', perToken, scoreLink, form, doubleCsrfProtection, async (req, res) => {
    const body = req.body as Record<string, string>;
    const { criteria } = await s.panel.describeScore(linkOf(res));
    const submitted: ScoreForm = {
      scores: Object.fromEntries(criteria.map((c) => [c.key, String(body[`score-${c.key}`] ?? '')])),
      comments: Object.fromEntries(criteria.map((c) => [c.key, String(body[`comment-${c.key}`] ?? '').trim()])),
      recommendation: String(body.recommendation ?? ''),
      conditions: String(body.conditions ?? ''),
    };
    const errors: { field: string; message: string }[] = [];
    for (const c of criteria) if (!/^[1-5]$/.test(submitted.scores[c.key])) errors.push({ field: `score-${c.key}`, message: `Score ${c.title} from 1 to 5` });
    if (!(PANEL_OUTCOMES as readonly string[]).includes(submitted.recommendation))
      errors.push({ field: 'recommendation', message: 'Choose your recommendation' });
    const conditions = submitted.conditions
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter(Boolean);
    if (submitted.recommendation === 'conditional' && conditions.length === 0)
      errors.push({ field: 'conditions', message: 'Propose at least one condition for a pass with conditions' });
    if (submitted.recommendation && submitted.recommendation !== 'conditional' && conditions.length > 0)
      errors.push({ field: 'conditions', message: 'Conditions go with a pass with conditions only: choose that, or clear the conditions' });
    if (errors.length) return scorePage(req, res, { form: submitted, errors }, 422);
    const sheet = scoreSheetSchema.parse({
      scores: criteria.map((c) => ({ criterion: c.key, score: Number(submitted.scores[c.key]), comment: submitted.comments[c.key].slice(0, 2000) })),
      recommendation: submitted.recommendation,
      conditions: submitted.recommendation === 'conditional' ? conditions.map((x) => x.slice(0, 1000)) : undefined,
    });
    try {
      await s.panel.score(linkOf(res), sheet);
    } catch (err) {
      // already scored or closed: the page says where things stand
      if (err instanceof AppError && ['ALREADY_SCORED', 'PANEL_CLOSED', 'MEMBER_CONFLICTED'].includes(err.code))
        return scorePage(req, res, { errors: [{ field: '', message: err.message }] }, err.code === 'MEMBER_CONFLICTED' ? 403 : 409);
      throw err;
    }
    res.type('html').send(
      renderPage('receipt', 'Scores sent', {
        heading: 'Your scores are recorded',
        message: `Thank you. Your scores for ${(await s.panel.describeScore(linkOf(res))).network.name} are with the panel's facilitator.`,
      }),
    );
  });

  return router;
}
