import { type Request, type Response, Router } from 'express';
import { actorLabel } from '../../domain/access/policy';
import { DECISION_TYPES, decisionLabel, type DecisionType } from '../../domain/voting/rule';
import { statusWords, ukDateTime } from '../../domain/wording';
import type { AccessLayer } from '../access';
import { AppError, ERROR_STATUS } from '../errors';
import { createMotionBody } from '../routes/votes.routes';
import type { Services } from '../services';
import { createPageKit } from './page-kit';
import { readUkTime, type UkTimeValue, ukTimeValue } from './uk-time-input';

const BALLOTS = [
  { value: '', label: 'As the network’s voting rule says' },
  { value: 'secret', label: 'Secret ballot', hint: 'Nobody, staff included, can see how a practice voted: only whether it voted.' },
  { value: 'open', label: 'Open ballot', hint: 'Staff see each practice’s vote, and a provisional count while voting is open.' },
];

const DONE: Record<string, string> = {
  opened: 'The motion is open. Each practice has been sent a link to vote.',
  closed: 'Voting has closed and the votes are counted.',
};

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

  async function motionPage(req: Request, res: Response, errors: { href: string; message: string }[] = [], status = 200) {
    const motion = await s.motions.getMotion(String(req.params.id).slice(0, 64));
    const network = await s.networks.getNetwork(motion.networkId);
    const open = motion.status === 'open';
    const secret = motion.ballot === 'secret';
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
        canClose: open && can(res, 'motion.manage'),
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
      if (err instanceof AppError && ERROR_STATUS[err.code] === 409) return motionPage(req, res, [{ href: 'close-button', message: err.message }], 409);
      throw err;
    }
    res.redirect(303, `/motions/${id}?done=closed`);
  });

  return router;
}
