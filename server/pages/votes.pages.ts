import { type Request, type Response, Router } from 'express';
import type { AccessLayer } from '../access';
import { AppError } from '../errors';
import type { Services } from '../services';
import { createPageKit } from './page-kit';
import { renderPage, ukTime } from './views';

const VOTE_STATUS: Record<string, string> = {
  voted: 'Your practice has voted. Its vote will be counted once.',
  closed: 'This vote has closed.',
  expired: 'This link has expired. Ask the facilitator to send a new one.',
};
const BALLOT_STATUS: Record<string, string> = {
  voted: 'Your practice has voted in this election. Its ballot will be counted once.',
  closed: 'The ballot is not open.',
  counted: 'The votes have been counted.',
  expired: 'This link has expired. Ask the facilitator to send a new one.',
};

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
 * pages). The staff pages of a motion and an election are motions.pages.ts and elections.pages.ts. Phone-first NHS.UK markup;
 * forms carry a CSRF token like the signing forms.
 */
export function votesPagesRouter(s: Services, access: AccessLayer): Router {
  const router = Router();
  const { doubleCsrfProtection, generateCsrfToken, form, perToken, html, withLink, linkOf } = createPageKit(s, access);
  /** Vote and ballot links only; any other link goes on to the signing pages. */
  const ballotLinksOnly = withLink(['vote', 'ballot']);

  function motionPage(res: Response, req: Request, token: string, view: MotionAction, extra: Record<string, unknown> = {}, status = 200) {
    const secret = view.motion.ballot === 'secret';
    if (view.status === 'closed' && view.result) {
      return res.status(status).type('html').send(
        renderPage('results', view.motion.title, {
          networkName: view.network.name,
          decisionLabel: view.motion.decisionType,
          motion: { ...view.motion, result: view.result, count: view.count, certificate: view.certificate, turnout: { ...view.turnout, practices: [] }, proxies: [], ruleDescription: view.motion.ruleDescription },
          certificatePdf: `/a/${token}/certificate.pdf`,
          certificateDocx: `/a/${token}/certificate.docx`,
          shortHash: view.certificate?.sha256.slice(0, 16),
        }),
      );
    }
    const unvotedProxies = view.proxyFor.filter((p) => !p.voted);
    const castingOptions =
      unvotedProxies.length > 0
        ? [
            ...(view.status === 'pending' ? [{ practiceId: view.practice.id, label: `${view.practice.name} (your practice)`, checked: true }] : []),
            ...unvotedProxies.map((p, i) => ({ practiceId: p.practiceId, label: `${p.practiceName} (as its proxy)`, checked: view.status !== 'pending' && i === 0 })),
          ]
        : [];
    const pending = view.status === 'pending' || (view.status === 'voted' && unvotedProxies.length > 0);
    res.status(status).type('html').send(
      renderPage('ballot', `Vote: ${view.motion.title}`, {
        view,
        token,
        secret,
        csrf: generateCsrfToken(req, res),
        closesAtLocal: ukTime(view.motion.closesAt),
        pending,
        castingOptions,
        statusMessage: VOTE_STATUS[view.status] ?? '',
        ...extra,
      }),
    );
  }

  function electionPage(res: Response, req: Request, token: string, view: BallotAction, extra: Record<string, unknown> = {}, status = 200) {
    const result = view.result;
    res.status(status).type('html').send(
      renderPage('election', view.election.title, {
        view,
        token,
        csrf: generateCsrfToken(req, res),
        caption: `${view.practice.name} · ${view.constituency.name}`,
        title: view.election.title,
        tieRule: view.election.tieRule,
        stv: view.election.method === 'stv',
        rankOptions: view.candidates.map((_c, i) => i + 1),
        constituencies: [{ name: view.constituency.name, seats: view.constituency.seats, manySeats: view.constituency.seats > 1, candidates: view.candidates, result, ...countSummary(result) }],
        pending: view.status === 'pending',
        statusMessage: BALLOT_STATUS[view.status] ?? '',
        ...extra,
      }),
    );
  }

  router.get('/a/:token', perToken, ballotLinksOnly, async (req, res) => {
    html(res);
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
    router.get(`/a/:token/${path}`, perToken, ballotLinksOnly, async (req, res) => {
      html(res);
      const bytes = await s.votes.linkDocument(linkOf(res), path.startsWith('document') ? 'document' : 'certificate', kind);
      res.type(kind === 'pdf' ? 'application/pdf' : 'application/vnd.openxmlformats-officedocument.wordprocessingml.document').send(bytes);
    });
  }

  router.post('/a/:token/ballot', perToken, ballotLinksOnly, form, doubleCsrfProtection, async (req, res) => {
    html(res);
    const link = linkOf(res);
    const token = link.secret;
    const view = await s.votes.describeAction(link);
    const body = req.body as Record<string, string | string[]>;
    if (view.kind === 'vote') {
      const choice = String(body.choice ?? '');
      if (!['for', 'against', 'abstain'].includes(choice)) {
        return motionPage(res, req, token, view, { errors: [{ field: 'choice', message: 'Choose for, against or abstain' }], choiceError: 'Choose for, against or abstain' }, 422);
      }
      const onBehalfOf = typeof body.onBehalfOf === 'string' && body.onBehalfOf ? body.onBehalfOf : undefined;
      try {
        const receipt = await s.votes.castBallot(link, { choice: choice as 'for' | 'against' | 'abstain', onBehalfOf });
        return motionPage(res, req, token, view, { confirmation: receipt });
      } catch (err) {
        if (err instanceof AppError && (err.code === 'ALREADY_VOTED' || err.code === 'VOTING_CLOSED')) {
          return motionPage(res, req, token, await s.votes.describeAction(link).then((v) => v as MotionAction), { errors: [{ field: 'choice', message: err.message }] }, 409);
        }
        throw err;
      }
    }
    let preferences: string[];
    if (view.election.method === 'stv') {
      const ranked = view.candidates
        .map((c) => ({ id: c.id, rank: Number(body[`rank_${c.id}`] || 0) }))
        .filter((r) => r.rank > 0)
        .sort((a, b) => a.rank - b.rank);
      const ranks = ranked.map((r) => r.rank);
      if (ranked.length === 0 || new Set(ranks).size !== ranks.length || ranks.some((r, i) => r !== i + 1)) {
        const message = ranked.length === 0 ? 'Give at least one candidate a preference (1 for your first choice)' : 'Number your preferences 1, 2, 3… without gaps or repeats';
        return electionPage(res, req, token, view, { errors: [{ field: `rank-${view.candidates[0]?.id ?? ''}`, message }] }, 422);
      }
      preferences = ranked.map((r) => r.id);
    } else {
      preferences = ([] as string[]).concat(body.mark ?? []).map(String);
      if (preferences.length === 0 || preferences.length > view.constituency.seats) {
        return electionPage(res, req, token, view, { errors: [{ field: 'preferences', message: `Choose between 1 and ${view.constituency.seats} candidates` }] }, 422);
      }
    }
    const receipt = await s.votes.castBallot(link, { preferences });
    return electionPage(res, req, token, view, { confirmation: receipt });
  });

  return router;
}
