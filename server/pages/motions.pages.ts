import { type Request, type Response, Router } from 'express';
import { actorLabel } from '../../domain/access/policy';
import { DECISION_TYPES, decisionLabel, type DecisionType } from '../../domain/voting/rule';
import { statusWords, ukDateTime } from '../../domain/wording';
import type { AccessLayer } from '../access';
import { AppError, ERROR_STATUS } from '../errors';
import { createMotionBody } from '../routes/votes.routes';
import type { Services } from '../services';
import { createPageKit } from './page-kit';
import { readUkTime, ukTimeBoxes, type UkTimeValue, ukTimeValue } from './uk-time-input';

const BALLOTS = [
  { value: '', label: 'As the network’s voting rule says' },
  { value: 'secret', label: 'Secret ballot', hint: 'Nobody, staff included, can see how a practice voted: only whether it voted.' },
  { value: 'open', label: 'Open ballot', hint: 'Staff see each practice’s vote, and a provisional count while voting is open.' },
];

const DONE: Record<string, string> = {
  opened: 'The motion is open. Each practice has been sent a link to vote.',
  closed: 'Voting has closed and the votes are counted.',
  extended: 'Voting now closes at the new time. Practices that have not voted can still use their link.',
  proxy: 'The proxy is recorded. The proxy practice’s representatives can now cast that vote from their own link.',
};

/** What the motion page's forms were sent, shown again with the problem beside it. */
interface MotionTyped {
  closesAt?: UkTimeValue;
  principalPracticeId?: string;
  proxyPracticeId?: string;
}

/** The answers to the motion form, as typed. */
interface Typed {
  title: string;
  text: string;
  decisionType: string;
  ballot: string;
  subjectPracticeId: string;
  closesAt: UkTimeValue;
}

type PageError = { href: string; message: string; field: string };

/**
 * Motions for a network's facilitators and chairs: the list, opening a motion (its decision type,
 * a secret or an open ballot, the closing time in UK time), and its page with turnout practice by
 * practice, closing it early and the result with the certificate. Voting itself is on the ballot
 * pages (votes.pages.ts).
 */
export function motionsPagesRouter(s: Services, access: AccessLayer): Router {
  const router = Router();
  const { guard, page, can, personOf, form, doubleCsrfProtection } = createPageKit(s, access);
  const netId = (req: Request) => String(req.params.id).slice(0, 64);

  router.get('/networks/:id/motions', guard('motion.read', { network: 'id' }), async (req, res) => {
    const id = netId(req);
    const [network, motions] = await Promise.all([s.networks.getNetwork(id), s.motions.listMotions(id)]);
    await page(req, res, 'motions', `${network.name}: votes`, {
      breadcrumbs: [
        { href: '/', text: 'Home' },
        { href: `/networks/${id}`, text: network.name },
      ],
      network: { id, name: network.name },
      canOpen: can(res, 'motion.open'),
      motions: motions.map((m) => ({
        href: `/motions/${m.id}`,
        title: m.title,
        decision: decisionLabel(m.decisionType as DecisionType),
        statusWords: m.result ? statusWords('result', m.result) : statusWords('motion', m.status),
        closes: ukDateTime(m.closesAt),
        open: m.status === 'open',
      })),
    });
  });

  async function newPage(req: Request, res: Response, typed: Typed | null, errors: PageError[] = [], status = 200) {
    const id = netId(req);
    const network = await s.networks.getNetwork(id);
    const t: Typed = typed ?? {
      title: '',
      text: '',
      decisionType: 'ordinary',
      ballot: '',
      subjectPracticeId: '',
      closesAt: { day: '', month: '', year: '', time: '' },
    };
    const errorOf = (field: string) => errors.find((e) => e.field === field)?.message;
    await page(
      req,
      res,
      'motion-new',
      `${network.name}: open a motion`,
      {
        breadcrumbs: [
          { href: '/', text: 'Home' },
          { href: `/networks/${id}`, text: network.name },
          { href: `/networks/${id}/motions`, text: 'Votes' },
        ],
        network: { id, name: network.name },
        typed: t,
        decisionTypes: DECISION_TYPES.map((d) => ({ value: d, label: decisionLabel(d), id: `decisionType-${d}`, checked: t.decisionType === d })),
        ballots: BALLOTS.map((b) => ({ ...b, id: `ballot-${b.value || 'rule'}`, checked: t.ballot === b.value })),
        practices: network.practices.map((p) => ({ value: p.id, label: p.name, selected: t.subjectPracticeId === p.id })),
        closesAt: { id: 'closesAt', name: 'closesAt', label: 'When voting closes', value: t.closesAt, error: errorOf('closesAt') },
        errors,
        titleError: errorOf('title'),
        textError: errorOf('text'),
        decisionTypeError: errorOf('decisionType'),
        subjectError: errorOf('subjectPracticeId'),
      },
      status,
    );
  }

  router.get('/networks/:id/motions/new', guard('motion.open', { network: 'id' }), (req, res) => newPage(req, res, null));

  router.post('/networks/:id/motions', guard('motion.open', { network: 'id' }), form, doubleCsrfProtection, async (req, res) => {
    const id = netId(req);
    const body = req.body as Record<string, unknown>;
    const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : '');
    const typed: Typed = {
      title: str('title'),
      text: str('text'),
      decisionType: str('decisionType'),
      ballot: str('ballot'),
      subjectPracticeId: str('subjectPracticeId'),
      closesAt: ukTimeValue(body, 'closesAt'),
    };
    const errors: PageError[] = [];
    if (!typed.title.trim()) errors.push({ field: 'title', href: 'title', message: 'Enter the motion’s title' });
    else if (typed.title.trim().length > 300) errors.push({ field: 'title', href: 'title', message: 'The title must be 300 characters or fewer' });
    if (typed.text.length > 20_000) errors.push({ field: 'text', href: 'text', message: 'The motion’s wording must be 20,000 characters or fewer' });
    if (!(DECISION_TYPES as readonly string[]).includes(typed.decisionType))
      errors.push({ field: 'decisionType', href: 'decisionType-ordinary', message: 'Choose what kind of decision this is' });
    const closes = readUkTime(typed.closesAt, 'the closing time');
    if ('error' in closes) errors.push({ field: 'closesAt', href: 'closesAt-day', message: closes.error });
    else if (Date.parse(closes.instant) <= Date.now())
      errors.push({ field: 'closesAt', href: 'closesAt-day', message: 'The closing time must be in the future' });
    if (errors.length || 'error' in closes) return newPage(req, res, typed, errors, 422);
    const parsed = createMotionBody.safeParse({
      title: typed.title,
      text: typed.text,
      decisionType: typed.decisionType,
      closesAt: closes.instant,
      ballot: typed.ballot || undefined,
      subjectPracticeId: typed.subjectPracticeId || undefined,
    });
    if (!parsed.success) return newPage(req, res, typed, [{ field: 'title', href: 'title', message: 'Check the answers and try again' }], 422);
    let opened: { id: string };
    try {
      opened = await s.motions.createMotion(actorLabel(personOf(res)), id, parsed.data);
    } catch (err) {
      if (err instanceof AppError && err.code === 'VALIDATION_FAILED') {
        const path = ((err.details as { path?: string }[] | undefined) ?? [])[0]?.path;
        if (path === 'subjectPracticeId')
          return newPage(
            req,
            res,
            typed,
            [
              {
                field: 'subjectPracticeId',
                href: 'subjectPracticeId',
                message: 'This kind of decision leaves out the practice it concerns: choose that practice',
              },
            ],
            422,
          );
        if (path === 'closesAt')
          return newPage(req, res, typed, [{ field: 'closesAt', href: 'closesAt-day', message: 'The closing time must be in the future' }], 422);
        return newPage(req, res, typed, [{ field: 'title', href: 'title', message: err.message }], 422);
      }
      throw err;
    }
    res.redirect(303, `/motions/${opened.id}?done=opened`);
  });

  async function motionPage(req: Request, res: Response, errors: PageError[] = [], status = 200, typed: MotionTyped = {}) {
    const motion = await s.motions.getMotion(String(req.params.id).slice(0, 64));
    const network = await s.networks.getNetwork(motion.networkId);
    const open = motion.status === 'open';
    const secret = motion.ballot === 'secret';
    const manage = open && can(res, 'motion.manage');
    const errorOf = (field: string) => errors.find((e) => e.field === field)?.message;
    // a practice can appoint a proxy while it has neither voted nor appointed one; any other practice can act for it
    const appointed = new Set(motion.proxies.map((p) => p.principalPracticeId));
    const mayAppoint = motion.turnout.practices.filter((p) => !p.voted && !appointed.has(p.practiceId));
    const option = (p: { practiceId: string; practiceName: string }, chosen: string | undefined) => ({
      value: p.practiceId,
      label: p.practiceName,
      selected: chosen === p.practiceId,
    });
    await page(
      req,
      res,
      'motion',
      motion.title,
      {
        breadcrumbs: [
          { href: '/', text: 'Home' },
          { href: `/networks/${network.id}`, text: network.name },
          { href: `/networks/${network.id}/motions`, text: 'Votes' },
        ],
        networkName: network.name,
        decisionLabel: decisionLabel(motion.decisionType as DecisionType),
        ballotWords: secret ? 'Secret ballot' : 'Open ballot',
        motion,
        showChoices: !secret,
        resultWords: motion.result ? statusWords('result', motion.result) : null,
        statusWords: statusWords('motion', motion.status),
        closesAtLocal: ukDateTime(motion.closesAt),
        closedAtLocal: motion.closedAt ? ukDateTime(motion.closedAt) : null,
        turnout: `${motion.turnout.voted} of ${motion.turnout.eligible} practices have voted`,
        practices: motion.turnout.practices.map((p) => ({
          ...p,
          choiceWords: p.choice ? ({ for: 'For', against: 'Against', abstain: 'Abstained' }[p.choice as string] ?? '') : '',
        })),
        canClose: manage,
        extend: manage
          ? {
              id: 'closesAt',
              name: 'closesAt',
              label: 'New closing time',
              hint: 'Later than the current closing time.',
              value: typed.closesAt ?? ukTimeBoxes(motion.closesAt),
              error: errorOf('closesAt'),
            }
          : null,
        proxyForm:
          manage && motion.rule.proxies && mayAppoint.length
            ? {
                principals: mayAppoint.map((p) => option(p, typed.principalPracticeId)),
                proxies: motion.turnout.practices.map((p) => option(p, typed.proxyPracticeId)),
                principalError: errorOf('principalPracticeId'),
                proxyError: errorOf('proxyPracticeId'),
              }
            : null,
        castingVote: open && motion.rule.castingVote,
        certificatePdf: motion.certificate ? `/api/v1/documents/${motion.certificate.documentId}/pdf` : null,
        certificateDocx: motion.certificate ? `/api/v1/documents/${motion.certificate.documentId}/docx` : null,
        done: DONE[String(req.query.done ?? '')],
        errors,
      },
      status,
    );
  }

  router.get('/motions/:id', guard('motion.read', { motion: 'id' }), (req, res) => motionPage(req, res));

  router.post('/motions/:id/close', guard('motion.manage', { motion: 'id' }), form, doubleCsrfProtection, async (req, res) => {
    const id = String(req.params.id).slice(0, 64);
    const casting = String((req.body as Record<string, unknown>).chairCasting ?? '');
    try {
      await s.motions.closeMotion(actorLabel(personOf(res)), id, casting === 'for' || casting === 'against' ? { chairCasting: casting } : {});
    } catch (err) {
      if (err instanceof AppError && ERROR_STATUS[err.code] === 409)
        return motionPage(req, res, [{ field: 'close', href: 'close-button', message: err.message }], 409);
      throw err;
    }
    res.redirect(303, `/motions/${id}?done=closed`);
  });

  router.post('/motions/:id/extend', guard('motion.manage', { motion: 'id' }), form, doubleCsrfProtection, async (req, res) => {
    const id = String(req.params.id).slice(0, 64);
    const typed = { closesAt: ukTimeValue(req.body as Record<string, unknown>, 'closesAt') };
    const fail = (message: string, status = 422) => motionPage(req, res, [{ field: 'closesAt', href: 'closesAt-day', message }], status, typed);
    const read = readUkTime(typed.closesAt, 'the new closing time');
    if ('error' in read) return fail(read.error);
    try {
      await s.motions.extendMotion(actorLabel(personOf(res)), id, { closesAt: read.instant });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      if (err.code === 'INVALID_EXTENSION') {
        const motion = await s.motions.getMotion(id);
        return fail(
          Date.parse(read.instant) <= Date.now()
            ? 'The new closing time must be in the future'
            : `The new closing time must be later than the current one, ${ukDateTime(motion.closesAt)}`,
        );
      }
      if (ERROR_STATUS[err.code] === 409) return motionPage(req, res, [{ field: 'closesAt', href: 'closesAt-day', message: err.message }], 409, typed);
      throw err;
    }
    res.redirect(303, `/motions/${id}?done=extended`);
  });

  router.post('/motions/:id/proxies', guard('motion.manage', { motion: 'id' }), form, doubleCsrfProtection, async (req, res) => {
    const id = String(req.params.id).slice(0, 64);
    const body = req.body as Record<string, unknown>;
    const typed = {
      principalPracticeId: typeof body.principalPracticeId === 'string' ? body.principalPracticeId.slice(0, 64) : '',
      proxyPracticeId: typeof body.proxyPracticeId === 'string' ? body.proxyPracticeId.slice(0, 64) : '',
    };
    const errors: PageError[] = [];
    if (!typed.principalPracticeId)
      errors.push({ field: 'principalPracticeId', href: 'principalPracticeId', message: 'Choose the practice that appoints a proxy' });
    if (!typed.proxyPracticeId) errors.push({ field: 'proxyPracticeId', href: 'proxyPracticeId', message: 'Choose the practice that will vote for it' });
    else if (typed.proxyPracticeId === typed.principalPracticeId)
      errors.push({ field: 'proxyPracticeId', href: 'proxyPracticeId', message: 'A practice cannot be its own proxy: choose another practice' });
    if (errors.length) return motionPage(req, res, errors, 422, typed);
    try {
      await s.motions.appointProxy(actorLabel(personOf(res)), id, typed);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      const motion = await s.motions.getMotion(id);
      const nameOf = (practiceId: string) => motion.electorate.find((p) => p.practiceId === practiceId)?.practiceName ?? 'That practice';
      const words: Record<string, PageError> = {
        ALREADY_APPOINTED: {
          field: 'principalPracticeId',
          href: 'principalPracticeId',
          message: `${nameOf(typed.principalPracticeId)} has already appointed a proxy`,
        },
        ALREADY_VOTED: { field: 'principalPracticeId', href: 'principalPracticeId', message: `${nameOf(typed.principalPracticeId)} has already voted` },
        PROXY_PRINCIPAL_NOT_IN_ELECTORATE: { field: 'principalPracticeId', href: 'principalPracticeId', message: 'That practice does not vote on this motion' },
        NOT_IN_ELECTORATE: { field: 'proxyPracticeId', href: 'proxyPracticeId', message: 'That practice does not vote on this motion' },
        PROXY_FOR_SELF: { field: 'proxyPracticeId', href: 'proxyPracticeId', message: 'A practice cannot be its own proxy: choose another practice' },
      };
      const known = words[err.code];
      if (known) return motionPage(req, res, [known], ERROR_STATUS[err.code] ?? 422, typed);
      if (ERROR_STATUS[err.code] === 409 || ERROR_STATUS[err.code] === 422)
        return motionPage(req, res, [{ field: 'principalPracticeId', href: 'principalPracticeId', message: err.message }], ERROR_STATUS[err.code], typed);
      throw err;
    }
    res.redirect(303, `/motions/${id}?done=proxy`);
  });

  return router;
}
