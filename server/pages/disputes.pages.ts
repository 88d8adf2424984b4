import { type Request, type Response, Router } from 'express';
import { formatDate, listAnd } from '../../documents/format';
import type { CaseEventType } from '../../domain/disputes/case';
import { AppError } from '../errors';
import { caseEventBody } from '../routes/disputes.routes';
import type { Services } from '../services';
import type { CaseView } from '../services/dispute-views';
import type { AccessLayer } from '../access';
import { createPageKit } from './page-kit';
import { renderPage } from './views';
import { number } from '../../domain/wording';

/** The longest text a case event may carry (the API's limit). */
const CASE_TEXT_MAX = 10_000;

const STATUS_TAG: Record<string, string> = {
  open: 'nhsuk-tag--blue',
  resolved: 'nhsuk-tag--green',
  withdrawn: 'nhsuk-tag--grey',
  determined: 'nhsuk-tag--purple',
  closed: 'nhsuk-tag--grey',
  escalated: 'nhsuk-tag--orange',
};

const CONFIRMED: Record<CaseEventType, string> = {
  note: 'Your note is recorded',
  pause: 'The clock is paused',
  resume: 'The clock is running again',
  extend: 'The due date is extended',
  escalate: 'The case has moved to the next step',
  resolve: 'The terms are recorded and sent for signature',
  withdraw: 'The case is withdrawn',
  determine: 'Your determination is recorded and the case is closed',
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** What the case page shows, in words: dates "16 March 2009", statuses and steps by name. */
function casePage(kase: CaseView, extra: { networkName: string; form?: unknown; settlementUrl?: string | null; registerUrl?: string | null }) {
  const open = kase.status === 'open';
  const stepNames = new Map(kase.ladder.map((s) => [s.number, s.name]));
  return {
    case: kase,
    networkName: extra.networkName,
    open,
    statusTag: STATUS_TAG[kase.status],
    statusLine: open
      ? `At step ${kase.step.number}, ${kase.step.name}: ${kase.timeLeft.charAt(0).toLowerCase()}${kase.timeLeft.slice(1)}.`
      : `Closed on ${kase.closedOn ? formatDate(kase.closedOn) : 'a date not recorded'}.`,
    parties: listAnd(kase.parties.map((p) => p.name)),
    openedOn: formatDate(kase.openedOn),
    startedOn: formatDate(kase.step.startedOn),
    dueOn: kase.step.dueOn ? formatDate(kase.step.dueOn) : null,
    breachWords:
      kase.breaches === 0
        ? 'None: every step so far was dealt with in time'
        : `${plural(kase.breaches, 'step')} not resolved by ${kase.breaches === 1 ? 'its' : 'their'} due date`,
    ladder: kase.ladder.map((s) => ({ ...s, current: open && s.position === 'current', past: s.position === 'past' })),
    settlement: kase.settlement,
    settlementUrl: extra.settlementUrl ?? null,
    registerUrl: extra.registerUrl ?? null,
    history: kase.history.map((h) => ({ ...h, on: formatDate(h.at), stepName: h.step ? stepNames.get(h.step) : null })),
    form: extra.form,
  };
}

/**
 * The case page for staff (/disputes/:id) and for the people a case concerns, through their link
 * (/a/<token> of kind dispute-case or dispute-external), where they can record what their standing
 * allows; and the register of a network's cases, risks and issues (/networks/:id/disputes).
 */
export function disputesPagesRouter(s: Services, access: AccessLayer): Router {
  const router = Router();
  const { doubleCsrfProtection, generateCsrfToken, longForm, perToken, withLink, linkOf, guard, page } = createPageKit(s, access);
  const disputeLink = withLink(['dispute-case', 'dispute-external']);

  async function linkPage(
    req: Request,
    res: Response,
    extra: { errors?: { field: string; message: string }[]; confirmation?: string; text?: string; type?: string } = {},
    status = 200,
  ) {
    const link = linkOf(res);
    const { case: kase } = await s.disputes.describeForLink(link);
    const network = await s.networks.getNetwork(kase.networkId);
    const external = link.token.kind === 'dispute-external';
    const types = external
      ? [{ value: 'note', label: 'My view' }, ...(kase.step.mayDetermine ? [{ value: 'determine', label: 'My determination (this closes the case)' }] : [])]
      : [
          { value: 'note', label: 'A note' },
          { value: 'escalate', label: 'Ask to move the case to the next step' },
        ];
    const formData =
      kase.status === 'open' && !link.expired
        ? {
            heading: external ? 'Record your view or determination' : 'Add to the case',
            action: `/a/${link.secret}/case-events`,
            types: types.map((t, i) => ({ ...t, checked: extra.type ? extra.type === t.value : i === 0 })),
          }
        : null;
    const textError = extra.errors?.find((e) => e.field === 'text')?.message;
    res
      .status(status)
      .type('html')
      .send(
        renderPage('dispute', kase.title, {
          ...casePage(kase, { networkName: network.name, form: formData }),
          csrf: generateCsrfToken(req, res),
          errors: extra.errors ?? [],
          confirmation: extra.confirmation,
          text: extra.text,
          textError,
          textMax: CASE_TEXT_MAX,
          textMaxWords: number(CASE_TEXT_MAX),
        }),
      );
  }

  router.get('/a/:token', perToken, disputeLink, async (req, res) => {
    res.setHeader('Referrer-Policy', 'no-referrer');
    await linkPage(req, res);
  });

  router.post('/a/:token/case-events', perToken, disputeLink, longForm, doubleCsrfProtection, async (req, res) => {
    const body = req.body as Record<string, string>;
    const parsed = caseEventBody.safeParse({ type: body.type, text: String(body.text ?? '').trim() });
    if (!parsed.success) {
      const textMessage = (code: string) => (code === 'too_big' ? `Keep it to ${number(CASE_TEXT_MAX)} characters or fewer` : 'Write what you want to record');
      const errors = parsed.error.issues.map((i) => ({
        field: i.path[0] === 'text' ? 'text' : 'type',
        message: i.path[0] === 'text' ? textMessage(i.code) : 'Choose what you are recording',
      }));
      return linkPage(req, res, { errors, text: body.text, type: body.type }, 422);
    }
    try {
      await s.disputes.recordEventByLink(linkOf(res), parsed.data);
    } catch (err) {
      if (err instanceof AppError && err.code !== 'INTERNAL' && err.code !== 'UNAVAILABLE') {
        return linkPage(
          req,
          res,
          { errors: [{ field: 'type', message: err.message }], text: body.text, type: body.type },
          err.code === 'FORBIDDEN' ? 403 : err.code === 'TOKEN_EXPIRED' ? 410 : 409,
        );
      }
      throw err;
    }
    await linkPage(req, res, { confirmation: CONFIRMED[parsed.data.type] });
  });

  router.get('/disputes/:id', guard('dispute.read', { dispute: 'id' }), async (req, res) => {
    const kase = await s.disputes.get(String(req.params.id).slice(0, 64));
    const network = await s.networks.getNetwork(kase.networkId);
    await page(req, res, 'dispute', kase.title, {
      ...casePage(kase, {
        networkName: network.name,
        settlementUrl: kase.settlement ? `/api/v1/documents/${kase.settlement.id}/pdf` : null,
        registerUrl: `/networks/${network.id}/disputes`,
      }),
      breadcrumbs: [
        { href: '/', text: 'Home' },
        { href: `/networks/${network.id}`, text: network.name },
        { href: `/networks/${network.id}/disputes`, text: 'Disputes, risks and issues' },
      ],
    });
  });

  router.get('/networks/:id/disputes', guard('dispute.read', { network: 'id' }), async (req, res) => {
    const id = String(req.params.id).slice(0, 64);
    const network = await s.networks.getNetwork(id);
    const [cases, log] = await Promise.all([s.disputes.listForNetwork(id), s.risks.log(id)]);
    const open = cases.filter((c) => c.status === 'open');
    const breached = open.filter((c) => c.breaches > 0).length;
    await page(req, res, 'disputes', `Disputes, risks and issues of ${network.name}`, {
      network,
      summary: `${plural(open.length, 'open case')}${breached ? `, ${breached} of them past a due date at some step` : ''}; ${plural(log.risks.filter((r) => r.status === 'open').length, 'open risk')}; ${plural(log.issues.filter((i) => i.status === 'open').length, 'open issue')}.`,
      cases: cases.map((c) => ({
        ...c,
        tagClass: STATUS_TAG[c.status],
        partyNames: listAnd(c.parties.map((p) => p.name)),
        due: c.dueOn ? formatDate(c.dueOn) : '–',
      })),
      risks: log.risks.map((r) => ({ ...r, closed: r.status === 'closed', review: formatDate(r.reviewOn) })),
      issues: log.issues.map((i) => ({
        ...i,
        tagClass: STATUS_TAG[i.status],
        statusWords: i.status === 'escalated' ? 'Escalated' : i.status === 'closed' ? 'Closed' : 'Open',
        raised: formatDate(i.raisedOn),
        due: formatDate(i.dueOn),
      })),
      breadcrumbs: [
        { href: '/', text: 'Home' },
        { href: `/networks/${network.id}`, text: network.name },
      ],
    });
  });

  return router;
}
