import { type Request, type Response, Router } from 'express';
import type { AccessLayer } from '../access';
import { listAnd } from '../../documents/format';
import { countOf, fingerprint, linkOutcome, statusWords } from '../../domain/wording';
import { AppError, ERROR_STATUS } from '../errors';
import type { Services } from '../services';
import { createPageKit } from './page-kit';
import { renderPage, ukTime } from './views';
import { sendDocumentFile } from '../document-files';

/** A receipt code as shown: four groups of four letters and digits. */
const RECEIPT_CODE = /^[A-Z2-9]{4}(-[A-Z2-9]{4}){3}$/;

/**
 * What is wrong with the numbers typed against an STV ballot's candidates, each said against the
 * box it concerns: a number out of range, one given twice, or a gap (1 and 3 but no 2).
 */
function rankProblems(candidates: readonly { id: string; name: string }[], ranks: Record<string, string>): { field: string; message: string }[] {
  const n = candidates.length;
  const errors: { field: string; message: string }[] = [];
  const given = new Map<number, { id: string; name: string }[]>();
  for (const c of candidates) {
    const typed = ranks[c.id];
    if (typed === '') continue;
    if (!/^\d+$/.test(typed) || Number(typed) < 1 || Number(typed) > n) {
      errors.push({ field: `rank-${c.id}`, message: `Enter a number from 1 to ${n} for ${c.name}, or leave it blank` });
      continue;
    }
    given.set(Number(typed), [...(given.get(Number(typed)) ?? []), c]);
  }
  if (errors.length) return errors;
  if (given.size === 0) return [{ field: `rank-${candidates[0]?.id ?? ''}`, message: 'Give at least one candidate a preference: 1 for your first choice' }];
  for (const [rank, same] of [...given].sort((a, b) => a[0] - b[0])) {
    if (same.length > 1)
      errors.push({ field: `rank-${same[1].id}`, message: `You gave ${rank} to ${listAnd(same.map((c) => c.name))}: give each number to one candidate` });
  }
  const highest = Math.max(...given.keys());
  const missing = Array.from({ length: highest }, (_x, i) => i + 1).filter((r) => !given.has(r));
  if (missing.length) {
    const after = [...given.keys()].sort((a, b) => a - b).find((r) => r > missing[0])!;
    errors.push({
      field: `rank-${given.get(after)![0].id}`,
      message: `Number your preferences 1, 2, 3 without gaps: there is no ${listAnd(missing.map(String))}`,
    });
  }
  return errors;
}

/** An election link's outcome: before the ballot opens it is "not open yet", not "closed". */
function ballotOutcome(view: BallotAction) {
  const status = view.status === 'closed' && ['opening', 'nominations'].includes(view.election.phase) ? 'not-open' : view.status;
  return linkOutcome('ballot', {
    status,
    at: status === 'closed' || status === 'counted' ? view.election.ballotCloseAt : status === 'expired' ? view.expiresAt : null,
  });
}

type MotionAction = Extract<NonNullable<Awaited<ReturnType<Services['votes']['describeAction']>>>, { kind: 'vote' }>;
type BallotAction = Extract<NonNullable<Awaited<ReturnType<Services['votes']['describeAction']>>>, { kind: 'ballot' }>;
type ElectionView = Awaited<ReturnType<Services['elections']['getElection']>>;

/** Round notes and lines of a constituency's count, for the page. */
function countSummary(result: ElectionView['constituencies'][number]['result']) {
  const count = (result?.count ?? null) as { quota?: number; rounds?: { stage: number; note: string }[]; explanationLines?: string[] } | null;
  return { quota: count?.quota, rounds: count?.rounds ?? [], lines: count?.explanationLines ?? [] };
}

/**
 * Ballot pages at /a/<token> for vote and election links (other links fall through to the signing
 * pages); the staff pages of a motion and an election are motions.pages.ts and elections.pages.ts.
 * Phone-first NHS.UK markup; forms carry a CSRF token like the signing forms.
 */
export function votesPagesRouter(s: Services, access: AccessLayer): Router {
  const router = Router();
  const { doubleCsrfProtection, generateCsrfToken, form, perToken, withLink, linkOf } = createPageKit(s, access);
  /** Vote and ballot links only; any other link goes on to the signing pages. */
  const ballotLinksOnly = withLink(['vote', 'ballot']);

  function motionPage(res: Response, req: Request, token: string, view: MotionAction, extra: Record<string, unknown> = {}, status = 200) {
    const secret = view.motion.ballot === 'secret';
    if (view.status === 'closed' && view.result) {
      return res
        .status(status)
        .type('html')
        .send(
          renderPage('results', view.motion.title, {
            banner: linkOutcome('vote', { status: 'closed', at: view.motion.closedAt ?? view.motion.closesAt }),
            token,
            errors: (extra.errors as unknown[] | undefined) ?? [],
            networkName: view.network.name,
            decisionLabel: statusWords('decision', view.motion.decisionType),
            motion: {
              ...view.motion,
              result: view.result ? statusWords('result', view.result).toLowerCase() : view.result,
              count: view.count,
              certificate: view.certificate,
              turnout: { ...view.turnout, practices: [] },
              proxies: [],
              ruleDescription: view.motion.ruleDescription,
            },
            certificatePdf: `/a/${token}/certificate.pdf`,
            certificateDocx: `/a/${token}/certificate.docx`,
            shortHash: view.certificate ? fingerprint(view.certificate.sha256) : undefined,
          }),
        );
    }
    const unvotedProxies = view.proxyFor.filter((p) => !p.voted);
    const castingOptions =
      unvotedProxies.length > 0
        ? [
            ...(view.status === 'pending' ? [{ practiceId: view.practice.id, label: `${view.practice.name} (your practice)`, checked: true }] : []),
            ...unvotedProxies.map((p, i) => ({
              practiceId: p.practiceId,
              label: `${p.practiceName} (as its proxy)`,
              checked: view.status !== 'pending' && i === 0,
            })),
          ]
        : [];
    const pending = view.status === 'pending' || (view.status === 'voted' && unvotedProxies.length > 0);
    res
      .status(status)
      .type('html')
      .send(
        renderPage('ballot', `Vote: ${view.motion.title}`, {
          view,
          token,
          secret,
          csrf: generateCsrfToken(req, res),
          closesAtLocal: ukTime(view.motion.closesAt),
          pending,
          castingOptions,
          banner: extra.confirmation
            ? null
            : linkOutcome('vote', {
                status: view.status,
                at: view.status === 'closed' ? (view.motion.closedAt ?? view.motion.closesAt) : view.status === 'expired' ? view.expiresAt : null,
              }),
          bannerSuccess: view.status === 'voted',
          turnoutWords: countOf(view.turnout.voted, view.turnout.eligible, 'practice'),
          ...extra,
        }),
      );
  }

  /** The election ballot page; `form` is what was entered when a ballot came back with errors. */
  function electionPage(
    res: Response,
    req: Request,
    token: string,
    view: BallotAction,
    extra: { errors?: { field: string; message: string }[]; confirmation?: unknown; ranks?: Record<string, string>; marks?: string[] } = {},
    status = 200,
  ) {
    const result = view.result;
    const errors = extra.errors ?? [];
    const errorFor = (field: string) => errors.find((e) => e.field === field)?.message;
    res
      .status(status)
      .type('html')
      .send(
        renderPage('election', view.election.title, {
          view,
          token,
          csrf: generateCsrfToken(req, res),
          caption: `${view.practice.name} · ${view.constituency.name}`,
          title: view.election.title,
          tieRule: view.election.tieRule,
          stv: view.election.method === 'stv',
          stvRows: view.candidates.map((c) => ({ ...c, value: extra.ranks?.[c.id] ?? '', error: errorFor(`rank-${c.id}`) })),
          markRows: view.candidates.map((c) => ({ ...c, checked: extra.marks?.includes(c.id) ?? false })),
          rankCount: view.candidates.length,
          preferencesError: errorFor('preferences'),
          constituencies: [{ name: view.constituency.name, seats: view.constituency.seats, candidates: view.candidates, result, ...countSummary(result) }],
          pending: view.status === 'pending',
          banner: extra.confirmation ? null : ballotOutcome(view),
          bannerSuccess: view.status === 'voted',
          errors,
          confirmation: extra.confirmation,
        }),
      );
  }

  router.get('/a/:token', perToken, ballotLinksOnly, async (req, res) => {
    res.setHeader('Referrer-Policy', 'no-referrer');
    const link = linkOf(res);
    const token = link.secret;
    const view = await s.votes.describeAction(link);
    if (view.kind === 'vote') return motionPage(res, req, token, view);
    return electionPage(res, req, token, view);
  });

  for (const [path, kind] of [
    ['document.pdf', 'pdf'],
    ['certificate.pdf', 'pdf'],
    ['certificate.docx', 'docx'],
  ] as const) {
    router.get(`/a/:token/${path}`, perToken, ballotLinksOnly, async (_req, res) => {
      const bytes = await s.votes.linkDocument(linkOf(res), path.startsWith('document') ? 'document' : 'certificate', kind);
      sendDocumentFile(res, kind, bytes);
    });
  }

  router.post('/a/:token/ballot', perToken, ballotLinksOnly, form, doubleCsrfProtection, async (req, res) => {
    const link = linkOf(res);
    const token = link.secret;
    const view = await s.votes.describeAction(link);
    const body = req.body as Record<string, string | string[]>;
    if (view.kind === 'vote') {
      const choice = String(body.choice ?? '');
      if (!['for', 'against', 'abstain'].includes(choice)) {
        return motionPage(
          res,
          req,
          token,
          view,
          { errors: [{ field: 'choice', message: 'Choose for, against or abstain' }], choiceError: 'Choose for, against or abstain' },
          422,
        );
      }
      const onBehalfOf = typeof body.onBehalfOf === 'string' && body.onBehalfOf ? body.onBehalfOf : undefined;
      try {
        const receipt = await s.votes.castBallot(link, { choice: choice as 'for' | 'against' | 'abstain', onBehalfOf });
        return motionPage(res, req, token, view, { confirmation: receipt });
      } catch (err) {
        if (err instanceof AppError && ERROR_STATUS[err.code] < 500) {
          return motionPage(
            res,
            req,
            token,
            await s.votes.describeAction(link).then((v) => v as MotionAction),
            { errors: [{ field: '', message: err.message }] },
            ERROR_STATUS[err.code],
          );
        }
        throw err;
      }
    }
    let preferences: string[];
    if (view.election.method === 'stv') {
      const ranks = Object.fromEntries(
        view.candidates.map((c) => [
          c.id,
          String(body[`rank_${c.id}`] ?? '')
            .trim()
            .slice(0, 6),
        ]),
      );
      const problem = rankProblems(view.candidates, ranks);
      if (problem.length) return electionPage(res, req, token, view, { errors: problem, ranks }, 422);
      preferences = view.candidates
        .filter((c) => ranks[c.id] !== '')
        .sort((a, b) => Number(ranks[a.id]) - Number(ranks[b.id]))
        .map((c) => c.id);
    } else {
      preferences = ([] as string[])
        .concat(body.mark ?? [])
        .map(String)
        .filter((id) => view.candidates.some((c) => c.id === id));
      if (preferences.length === 0 || preferences.length > view.constituency.seats) {
        return electionPage(
          res,
          req,
          token,
          view,
          {
            errors: [
              {
                field: 'preferences',
                message: view.constituency.seats === 1 ? 'Choose 1 candidate' : `Choose between 1 and ${view.constituency.seats} candidates`,
              },
            ],
            marks: preferences,
          },
          422,
        );
      }
    }
    try {
      const receipt = await s.votes.castBallot(link, { preferences });
      return electionPage(res, req, token, view, { confirmation: receipt });
    } catch (err) {
      if (err instanceof AppError && ERROR_STATUS[err.code] < 500)
        return electionPage(
          res,
          req,
          token,
          await s.votes.describeAction(link).then((v) => v as BallotAction),
          { errors: [{ field: '', message: err.message }] },
          ERROR_STATUS[err.code],
        );
      throw err;
    }
  });

  // checking a receipt code, from the link it was cast with (closed or expired links too: reading is harmless)
  router.get('/a/:token/receipt', perToken, ballotLinksOnly, async (req, res) => {
    res.setHeader('Referrer-Policy', 'no-referrer');
    const link = linkOf(res);
    const view = await s.votes.describeAction(link);
    const typed = typeof req.query.code === 'string' ? req.query.code.trim().toUpperCase().slice(0, 40) : '';
    const title = view.kind === 'vote' ? view.motion.title : view.election.title;
    let answer: { counted: boolean; closed: boolean } | null = null;
    let error: string | null = null;
    if (typed && !RECEIPT_CODE.test(typed)) error = 'Enter the receipt code as it was shown, for example ABCD-EFGH-JK23-MN45';
    else if (typed && view.kind === 'vote') {
      const r = await s.motions.motionReceipt(view.motion.id, typed);
      answer = { counted: r.counted, closed: r.motionStatus === 'closed' };
    } else if (typed && view.kind === 'ballot') {
      const r = await s.elections.electionReceipt(view.election.id, typed);
      answer = { counted: r.counted, closed: r.phase === 'counted' };
    }
    res
      .status(error ? 422 : 200)
      .type('html')
      .send(
        renderPage('receipt-check', 'Check a receipt code', {
          token: link.secret,
          title,
          code: typed,
          error,
          errors: error ? [{ field: 'code', message: error }] : [],
          answer,
          practiceName: view.practice.name,
        }),
      );
  });

  return router;
}
