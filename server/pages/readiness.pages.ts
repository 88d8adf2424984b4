import { type Request, type Response, Router } from 'express';
import { formatDate } from '../../documents/format';
import { STAGES } from '../../domain/stages';
import { decisionBody } from '../routes/readiness.routes';
import type { Services } from '../services';
import { RAG_COLOURS, barChart, footprintChart, ragHistoryChart } from './charts';
import type { AccessLayer } from '../access';
import { createPageKit } from './page-kit';
import { ukTime } from './views';

const RECOMMENDATIONS = { pass: 'Pass', conditional: 'Pass with conditions', defer: 'Defer to the next wave' } as const;
const TAG = { red: 'nhsuk-tag--red', amber: 'nhsuk-tag--orange', green: 'nhsuk-tag--green' } as const;
const STAGE_TITLES = new Map<string, string>(STAGES.map((s) => [s.key, s.title]));
const STATUS_WORDS: Record<string, string> = {
  drafting: 'drafting',
  issuing: 'being issued',
  voting: 'being voted on',
  'awaiting-signatures': 'awaiting signatures',
  'awaiting-outcome': "awaiting the panel's outcome",
  completed: 'completed',
};

/** "2 Dec" for a chart's day labels. */
function shortDay(day: string): string {
  return new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' }).format(new Date(day));
}

/**
 * The commissioner's programme dashboard: every wave and network with its stage, RAG and blockers,
 * panel outcome and conditions, open disputes, registration checklist and decision, and charts
 * (each beside a table of its numbers) for the RAG counts, RAG over time, each wave's stage funnel
 * and list size against the footprint. It reads the read model through the readiness service only.
 */
export function readinessPagesRouter(s: Services, access: AccessLayer): Router {
  const router = Router();
  const { form, doubleCsrfProtection, guard, page, personOf, can } = createPageKit(s, access);

  router.get('/programmes/:id', guard('readiness.read', { programme: 'id' }), async (req, res) => {
    const view = await s.readiness.programme(String(req.params.id).slice(0, 64));
    const rows = view.waves.flatMap((w) => w.networks);
    const { footprint } = view.programme;
    const days = view.history.slice(-14).map((d) => ({ ...d, label: shortDay(d.day), date: formatDate(d.day) }));
    await page(req, res, 'programme', `${view.programme.name} readiness`, {
      ...view,
      csvUrl: `/api/v1/programmes/${view.programme.id}/readiness?format=csv`,
      breadcrumbs: [
        { href: '/', text: 'Home' },
        { href: `/programmes/${view.programme.id}/setup`, text: view.programme.name },
      ],
      footprintText: `${footprint.minListSize.toLocaleString('en-GB')}–${footprint.maxListSize.toLocaleString('en-GB')}`,
      ragChart: barChart({
        id: 'rag-chart',
        title: 'Networks by RAG status',
        desc: `Of ${view.summary.networks} networks, ${view.summary.red} are red, ${view.summary.amber} amber and ${view.summary.green} green.`,
        bars: (['red', 'amber', 'green'] as const).map((rag) => ({
          label: rag[0].toUpperCase() + rag.slice(1),
          value: view.summary[rag],
          colour: RAG_COLOURS[rag],
        })),
      }),
      historyChart: ragHistoryChart({ id: 'history-chart', title: 'RAG status over time', days }),
      days,
      footprintChart: footprintChart({
        id: 'footprint-chart',
        title: 'List size against the footprint',
        networks: rows.map((n) => ({ name: n.name, listSize: n.listSize })),
        footprint,
      }),
      footprintRows: rows.map((n) => ({ name: n.name, listSize: n.listSize.toLocaleString('en-GB'), status: n.footprint.status })),
      waves: view.waves.map((w) => ({
        ...w,
        panelDateText: formatDate(w.panelDate),
        funnelChart: barChart({
          id: `funnel-${w.number}`,
          title: `Wave ${w.number}: networks through each stage`,
          desc: `Of the ${w.networks.length} networks of wave ${w.number}: ${w.funnel.map((f) => `${f.networks} ${f.key === 'started' ? 'have started formation' : `completed ${f.title.toLowerCase()}`}`).join('; ')}.`,
          bars: w.funnel.map((f) => ({ label: f.title, value: f.networks })),
          max: w.networks.length,
        }),
        networks: w.networks.map((n) => ({
          ...n,
          tagClass: TAG[n.rag],
          listSizeText: n.listSize.toLocaleString('en-GB'),
          stage: n.currentStage
            ? `${STAGE_TITLES.get(n.currentStage) ?? n.currentStage}${n.stageStatus ? `, ${STATUS_WORDS[n.stageStatus] ?? n.stageStatus}` : ''}`
            : n.formationStatus === 'completed'
              ? 'All stages complete'
              : 'Not started',
          checklistMet: n.checklist.filter((c) => c.met).length,
          decisionText: n.decision
            ? `${n.decision.decision === 'ready' ? 'Ready' : 'Not ready'}: ${n.decision.note} (${n.decision.decidedBy}, ${ukTime(n.decision.decidedAt)})`
            : null,
        })),
      })),
    });
  });

  router.get('/networks/:id/panel', guard('panel.read', { network: 'id' }), async (req, res) => {
    const view = await s.panel.networkPanel(String(req.params.id).slice(0, 64));
    const current = view.current;
    const one = (n: number | null) => (n === null ? 'not scored' : n.toFixed(2));
    const letter = current?.outcome?.letter;
    await page(req, res, 'panel', `${view.name}: panel`, {
      ...view,
      done: req.query.done === 'letter' ? 'The letter is being sent again. Refresh this page in a minute to see it.' : null,
      letterFailedText:
        letter?.status === 'failed'
          ? `The letter could not be sent${letter.failedAt ? ` (${ukTime(letter.failedAt)})` : ''}. The outcome stands, but the practices have not had the letter.`
          : null,
      canResend: letter?.status === 'failed' && can(res, 'panel.decide'),
      panelDateText: current ? formatDate(current.wave.panelDate) : '',
      weightedMeanText: one(current?.weightedMean ?? null),
      span: (current?.criteria.length ?? 0) + 2,
      means: current?.criteriaMeans.map((c) => one(c.mean)) ?? [],
      members: (current?.members ?? []).map((m) => ({
        ...m,
        excluded: m.status === 'excluded',
        cells: current!.criteria.map((c) => m.scores.find((x) => x.criterion === c.key) ?? { score: m.status === 'awaiting' ? 'awaiting' : '–', comment: '' }),
        weightedText: m.status === 'awaiting' ? 'awaiting' : one(m.weighted),
        recommendationText: m.recommendation ? RECOMMENDATIONS[m.recommendation] : 'awaiting',
      })),
      breadcrumbs: [
        { href: '/', text: 'Home' },
        { href: `/networks/${view.networkId}`, text: view.name },
      ],
    });
  });

  /** One network's readiness: blockers, checklist with evidence, decisions, and the form to record one. */
  async function networkPage(
    req: Request,
    res: Response,
    extra: { errors?: { field: string; message: string }[]; note?: string; decision?: string } = {},
    status = 200,
  ) {
    const view = await s.readiness.network(String(req.params.id).slice(0, 64));
    const errors = extra.errors ?? [];
    await page(
      req,
      res,
      'network-readiness',
      `${view.row.name}: readiness`,
      {
        ...view,
        tagClass: TAG[view.row.rag],
        stage: view.row.currentStage
          ? (STAGE_TITLES.get(view.row.currentStage) ?? view.row.currentStage)
          : view.row.formationStatus === 'completed'
            ? 'All stages complete'
            : 'Not started',
        decisions: view.decisions.map((d) => ({ ...d, words: d.decision === 'ready' ? 'Ready' : 'Not ready', when: ukTime(d.decidedAt) })),
        errors,
        decisionError: errors.find((e) => e.field === 'decision')?.message,
        noteError: errors.find((e) => e.field === 'note')?.message,
        note: extra.note ?? '',
        decision: extra.decision ?? '',
        breadcrumbs: [
          { href: '/', text: 'Home' },
          { href: `/programmes/${view.programme.id}`, text: `${view.programme.name} readiness` },
          { href: `/networks/${view.row.networkId}`, text: view.row.name },
        ],
      },
      status,
    );
  }

  router.get('/networks/:id/readiness', guard('readiness.read', { network: 'id' }), async (req, res) => {
    await networkPage(req, res);
  });

  router.post('/networks/:id/readiness', guard('readiness.decide', { network: 'id' }), form, doubleCsrfProtection, async (req, res) => {
    const body = req.body as Record<string, string>;
    const parsed = decisionBody.safeParse({ decision: body.decision, note: body.note ?? '' });
    if (!parsed.success) {
      const errors = parsed.error.issues.map((i) => ({
        field: String(i.path[0]),
        message: i.path[0] === 'decision' ? 'Choose ready or not ready' : 'Say why, in a few words',
      }));
      return networkPage(req, res, { errors, note: String(body.note ?? ''), decision: String(body.decision ?? '') }, 422);
    }
    await s.readiness.decide(personOf(res), String(req.params.id).slice(0, 64), parsed.data);
    res.redirect(303, `/networks/${String(req.params.id).slice(0, 64)}/readiness#decisions`);
  });

  return router;
}
