import { type Request, type Response, Router } from 'express';
import { actorLabel } from '../../domain/access/policy';
import { tieRuleWords } from '../../domain/voting/count-words';
import { number, plural, statusWords, ukDateTime } from '../../domain/wording';
import type { AccessLayer } from '../access';
import { AppError, ERROR_STATUS } from '../errors';
import { createElectionBody, nominateBody } from '../routes/votes.routes';
import type { Services } from '../services';
import { createPageKit } from './page-kit';
import { readUkTime, type UkTimeValue, ukTimeValue } from './uk-time-input';

/** Constituency rows offered on the form: enough for a network's board, few enough to read. */
const ROWS = 3;

const METHODS = [
  { value: 'stv', label: 'Single transferable vote', hint: 'Practices number the candidates in order of preference; for boards with several seats.' },
  { value: 'fptp', label: 'First past the post', hint: 'Practices mark as many candidates as there are seats; the most votes win.' },
];
const METHOD_WORDS: Record<string, string> = { stv: 'Single transferable vote', fptp: 'First past the post' };

const DONE: Record<string, string> = {
  opened: 'The election is open for nominations.',
  nominated: 'The candidate is nominated.',
  withdrawn: 'The candidate has withdrawn. They are no longer on the ballot, and can be nominated again while nominations are open.',
  advanced: 'The election has moved on to its next phase.',
};

type PageError = { href: string; message: string; field: string };

interface Typed {
  title: string;
  method: string;
  rows: { name: string; seats: string }[];
  /** practice id → the row (1-based, as typed) it votes in */
  practiceRow: Record<string, string>;
  nominationsCloseAt: UkTimeValue;
  ballotCloseAt: UkTimeValue;
  /** the term of office of those elected, in months, as typed */
  termMonths: string;
}

/** The term of office offered when an election is opened: two years, as most networks' constitutions say. */
const USUAL_TERM_MONTHS = '24';

/**
 * Elections for a network's facilitators and chairs: the list; opening one (its method, its
 * constituencies with seats and the practices that vote in each, the closing of nominations and
 * of the ballot in UK time); and its page: candidates and nominating more, moving to the next
 * phase, turnout, and after the count the result with names round by round, ties in words and
 * the certificate.
 */
export function electionsPagesRouter(s: Services, access: AccessLayer): Router {
  const router = Router();
  const { guard, page, can, personOf, form, doubleCsrfProtection } = createPageKit(s, access);
  const idOf = (req: Request) => String(req.params.id).slice(0, 64);

  router.get('/networks/:id/elections', guard('election.read', { network: 'id' }), async (req, res) => {
    const id = idOf(req);
    const [network, elections] = await Promise.all([s.networks.getNetwork(id), s.elections.listElections(id)]);
    await page(req, res, 'elections', `${network.name}: elections`, {
      breadcrumbs: [
        { href: '/', text: 'Home' },
        { href: `/networks/${id}`, text: network.name },
      ],
      network: { id, name: network.name },
      canOpen: can(res, 'election.open'),
      elections: elections.map((e) => ({
        href: `/elections/${e.id}`,
        title: e.title,
        method: METHOD_WORDS[e.method] ?? e.method,
        phase: statusWords('election', e.phase),
        closes: ukDateTime(e.phase === 'nominations' ? e.nominationsCloseAt : e.ballotCloseAt),
        closesWhat: e.phase === 'nominations' ? 'Nominations close' : 'Voting closes',
        counted: e.phase === 'counted',
      })),
    });
  });

  async function newPage(req: Request, res: Response, typed: Typed | null, errors: PageError[] = [], status = 200) {
    const id = idOf(req);
    const network = await s.networks.getNetwork(id);
    const blank = { day: '', month: '', year: '', time: '' };
    const t: Typed = typed ?? {
      title: '',
      method: 'stv',
      rows: [{ name: 'Whole network', seats: '3' }, ...Array.from({ length: ROWS - 1 }, () => ({ name: '', seats: '' }))],
      practiceRow: {},
      nominationsCloseAt: blank,
      ballotCloseAt: blank,
      termMonths: USUAL_TERM_MONTHS,
    };
    const errorOf = (field: string) => errors.find((e) => e.field === field)?.message;
    await page(
      req,
      res,
      'election-new',
      `${network.name}: open an election`,
      {
        breadcrumbs: [
          { href: '/', text: 'Home' },
          { href: `/networks/${id}`, text: network.name },
          { href: `/networks/${id}/elections`, text: 'Elections' },
        ],
        network: { id, name: network.name },
        typed: t,
        methods: METHODS.map((m) => ({ ...m, id: `method-${m.value}`, checked: t.method === m.value })),
        rows: t.rows.map((r, i) => ({ ...r, n: i + 1 })),
        practices: network.practices.map((p) => ({
          id: p.id,
          name: p.name,
          options: t.rows.map((_r, i) => ({ value: String(i + 1), selected: (t.practiceRow[p.id] ?? '1') === String(i + 1) })),
        })),
        nominationsCloseAt: {
          id: 'nominationsCloseAt',
          name: 'nominationsCloseAt',
          label: 'When nominations close',
          value: t.nominationsCloseAt,
          error: errorOf('nominationsCloseAt'),
        },
        ballotCloseAt: { id: 'ballotCloseAt', name: 'ballotCloseAt', label: 'When voting closes', value: t.ballotCloseAt, error: errorOf('ballotCloseAt') },
        errors,
        titleError: errorOf('title'),
        rowsError: errorOf('constituencies'),
        term: {
          id: 'termMonths',
          label: 'Term of office, in months',
          hint: 'How long those elected serve before the seat is elected again. Most constitutions say 24 months.',
          value: t.termMonths,
          width: 3,
          inputmode: 'numeric',
          error: errorOf('termMonths'),
        },
      },
      status,
    );
  }

  router.get('/networks/:id/elections/new', guard('election.open', { network: 'id' }), (req, res) => newPage(req, res, null));

  router.post('/networks/:id/elections', guard('election.open', { network: 'id' }), form, doubleCsrfProtection, async (req, res) => {
    const id = idOf(req);
    const network = await s.networks.getNetwork(id);
    const body = req.body as Record<string, unknown>;
    const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : '');
    const typed: Typed = {
      title: str('title'),
      method: str('method'),
      rows: Array.from({ length: ROWS }, (_x, i) => ({ name: str(`c${i + 1}.name`), seats: str(`c${i + 1}.seats`) })),
      practiceRow: Object.fromEntries(network.practices.map((p) => [p.id, str(`p.${p.id}`) || '1'])),
      nominationsCloseAt: ukTimeValue(body, 'nominationsCloseAt'),
      ballotCloseAt: ukTimeValue(body, 'ballotCloseAt'),
      termMonths: str('termMonths'),
    };
    const errors: PageError[] = [];
    if (!typed.title.trim()) errors.push({ field: 'title', href: 'title', message: 'Enter the election’s title' });
    if (!METHODS.some((m) => m.value === typed.method)) errors.push({ field: 'method', href: 'method-stv', message: 'Choose how the votes are counted' });
    // a constituency is a named row; its practices are those put in that row
    const constituencies = typed.rows
      .map((r, i) => ({
        name: r.name.trim(),
        seats: Number(r.seats.trim()),
        practiceIds: network.practices.filter((p) => typed.practiceRow[p.id] === String(i + 1)).map((p) => p.id),
        n: i + 1,
      }))
      .filter((c) => c.name || c.practiceIds.length);
    const bad = constituencies.find((c) => !c.name || !Number.isInteger(c.seats) || c.seats < 1 || c.seats > 50 || c.practiceIds.length === 0);
    if (constituencies.length === 0)
      errors.push({ field: 'constituencies', href: 'c1-name', message: 'Name at least one constituency and put practices in it' });
    else if (bad) {
      const message = !bad.name
        ? `Name constituency ${bad.n}, or move its practices to a named one`
        : bad.practiceIds.length === 0
          ? `Put at least one practice in ${bad.name}, or leave its name blank`
          : `Enter the seats in ${bad.name} as a whole number from 1 to 50`;
      errors.push({ field: 'constituencies', href: `c${bad.n}-${!bad.name ? 'name' : 'seats'}`, message });
    }
    const termMonths = Number(typed.termMonths.trim());
    if (!/^\d+$/.test(typed.termMonths.trim()) || termMonths < 1 || termMonths > 120)
      errors.push({ field: 'termMonths', href: 'termMonths', message: 'Enter the term of office as a whole number of months, from 1 to 120' });
    const nominations = readUkTime(typed.nominationsCloseAt, 'when nominations close');
    const ballot = readUkTime(typed.ballotCloseAt, 'when voting closes');
    if ('error' in nominations) errors.push({ field: 'nominationsCloseAt', href: 'nominationsCloseAt-day', message: nominations.error });
    else if (Date.parse(nominations.instant) <= Date.now())
      errors.push({ field: 'nominationsCloseAt', href: 'nominationsCloseAt-day', message: 'Nominations must close in the future' });
    if ('error' in ballot) errors.push({ field: 'ballotCloseAt', href: 'ballotCloseAt-day', message: ballot.error });
    else if (!('error' in nominations) && Date.parse(ballot.instant) <= Date.parse(nominations.instant))
      errors.push({ field: 'ballotCloseAt', href: 'ballotCloseAt-day', message: 'Voting must close after nominations close' });
    if (errors.length || 'error' in nominations || 'error' in ballot) return newPage(req, res, typed, errors, 422);
    const parsed = createElectionBody.safeParse({
      title: typed.title,
      method: typed.method,
      constituencies: constituencies.map(({ name, seats, practiceIds }) => ({ name, seats, practiceIds })),
      nominationsCloseAt: nominations.instant,
      ballotCloseAt: ballot.instant,
      termMonths,
    });
    if (!parsed.success) return newPage(req, res, typed, [{ field: 'title', href: 'title', message: 'Check the answers and try again' }], 422);
    let opened: { id: string };
    try {
      opened = await s.elections.createElection(actorLabel(personOf(res)), id, parsed.data);
    } catch (err) {
      if (err instanceof AppError && err.code === 'VALIDATION_FAILED')
        return newPage(
          req,
          res,
          typed,
          [
            {
              field: 'constituencies',
              href: 'c1-name',
              message: `${err.message} ${((err.details as { message?: string }[] | undefined) ?? []).map((d) => d.message ?? '').join('; ')}`.trim(),
            },
          ],
          422,
        );
      throw err;
    }
    res.redirect(303, `/elections/${opened.id}?done=opened`);
  });

  async function electionPage(
    req: Request,
    res: Response,
    typed: { personId?: string; constituency?: string; statement?: string; conflictOfInterest?: string } = {},
    errors: PageError[] = [],
    status = 200,
  ) {
    const election = await s.elections.getElection(idOf(req));
    const network = await s.networks.getNetwork(election.networkId);
    const manage = can(res, 'election.manage');
    const errorOf = (field: string) => errors.find((e) => e.field === field)?.message;
    const nominating = election.phase === 'nominations';
    const standing = new Set(election.constituencies.flatMap((c) => c.candidates.map((x) => x.personId)));
    await page(
      req,
      res,
      'election-staff',
      election.title,
      {
        breadcrumbs: [
          { href: '/', text: 'Home' },
          { href: `/networks/${network.id}`, text: network.name },
          { href: `/networks/${network.id}/elections`, text: 'Elections' },
        ],
        election,
        networkName: network.name,
        method: METHOD_WORDS[election.method] ?? election.method,
        phase: statusWords('election', election.phase),
        closes:
          election.phase === 'nominations'
            ? `Nominations close ${ukDateTime(election.nominationsCloseAt)}; voting closes ${ukDateTime(election.ballotCloseAt)}.`
            : election.phase === 'ballot'
              ? `Voting closes ${ukDateTime(election.ballotCloseAt)}.`
              : null,
        turnout: `${number(election.turnout.voted)} of ${plural(election.turnout.eligible, 'practice')} have voted`,
        term: plural(election.termMonths, 'month'),
        constituencies: election.constituencies.map((c, i) => ({
          ...c,
          n: i + 1,
          seatsText: plural(c.seats, 'seat'),
          practicesText: c.practices.map((p) => p.name).join(', '),
          words: c.result?.words ?? null,
        })),
        canNominate: manage && nominating,
        people: network.practices
          .filter((p) => election.constituencies.some((c) => c.practices.some((x) => x.id === p.id)))
          .flatMap((p) =>
            p.people.filter((x) => !standing.has(x.id)).map((x) => ({ value: x.id, label: `${x.name} (${p.name})`, selected: typed.personId === x.id })),
          ),
        constituencyOptions: election.constituencies.map((c) => ({ value: c.name, selected: typed.constituency === c.name })),
        typed,
        advance: manage && election.phase !== 'counted' ? (nominating ? 'Close nominations and open voting' : 'Close voting and count') : null,
        tieRule: tieRuleWords(),
        certificatePdf: election.certificate ? `/api/v1/documents/${election.certificate.documentId}/pdf` : null,
        done: DONE[String(req.query.done ?? '')],
        errors,
        personError: errorOf('personId'),
        statementError: errorOf('statement'),
      },
      status,
    );
  }

  router.get('/elections/:id', guard('election.read', { election: 'id' }), (req, res) => electionPage(req, res));

  router.post('/elections/:id/candidates', guard('election.manage', { election: 'id' }), form, doubleCsrfProtection, async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : '');
    const typed = { personId: str('personId'), constituency: str('constituency'), statement: str('statement'), conflictOfInterest: str('conflictOfInterest') };
    const errors: PageError[] = [];
    if (!typed.personId) errors.push({ field: 'personId', href: 'personId', message: 'Choose who is standing' });
    if (!typed.statement.trim()) errors.push({ field: 'statement', href: 'statement', message: 'Enter the candidate’s statement' });
    else if (typed.statement.trim().length > 5000)
      errors.push({ field: 'statement', href: 'statement', message: 'The statement must be 5,000 characters or fewer' });
    const parsed = nominateBody.safeParse({
      personId: typed.personId,
      constituency: typed.constituency,
      statement: typed.statement,
      conflictOfInterest: typed.conflictOfInterest.trim() || undefined,
    });
    if (errors.length || !parsed.success)
      return electionPage(req, res, typed, errors.length ? errors : [{ field: 'personId', href: 'personId', message: 'Check the answers and try again' }], 422);
    try {
      await s.elections.nominate(actorLabel(personOf(res)), idOf(req), parsed.data);
    } catch (err) {
      if (err instanceof AppError && (ERROR_STATUS[err.code] === 409 || ['VALIDATION_FAILED', 'NOT_ELIGIBLE', 'UNKNOWN_CONSTITUENCY'].includes(err.code)))
        return electionPage(req, res, typed, [{ field: 'personId', href: 'personId', message: err.message }], 409);
      throw err;
    }
    res.redirect(303, `/elections/${idOf(req)}?done=nominated`);
  });

  router.post('/elections/:id/candidates/:candidateId/withdraw', guard('election.manage', { election: 'id' }), form, doubleCsrfProtection, async (req, res) => {
    try {
      await s.elections.withdraw(actorLabel(personOf(res)), idOf(req), String(req.params.candidateId).slice(0, 64));
    } catch (err) {
      if (err instanceof AppError && (ERROR_STATUS[err.code] === 409 || err.code === 'NOT_A_CANDIDATE'))
        return electionPage(req, res, {}, [{ field: 'withdraw', href: 'constituency-1', message: err.message }], ERROR_STATUS[err.code]);
      throw err;
    }
    res.redirect(303, `/elections/${idOf(req)}?done=withdrawn`);
  });

  router.post('/elections/:id/close', guard('election.manage', { election: 'id' }), form, doubleCsrfProtection, async (req, res) => {
    try {
      await s.elections.advanceElection(actorLabel(personOf(res)), idOf(req));
    } catch (err) {
      if (err instanceof AppError && ERROR_STATUS[err.code] === 409)
        return electionPage(req, res, {}, [{ field: 'advance', href: 'advance-button', message: err.message }], 409);
      throw err;
    }
    res.redirect(303, `/elections/${idOf(req)}?done=advanced`);
  });

  return router;
}
