import { type Request, type Response, Router } from 'express';
import { actorLabel } from '../../domain/access/policy';
import { countOf, fingerprint, plural, stageTitle, statusWords, ukDate, ukDateTime } from '../../domain/wording';
import type { AccessLayer } from '../access';
import { AppError } from '../errors';
import type { Services } from '../services';
import { STAGE_TAG } from './network.pages';
import { createPageKit } from './page-kit';

/** What a finished action says at the top of the stage page (`?done=`). */
const DONE: Record<string, string> = {
  saved: 'The stage’s details are saved as a draft.',
  issued: 'The document is issued. Everyone who signs has been sent a link.',
  'chased-one': 'A fresh link has been sent to the person you chose.',
  resent: 'Fresh links have been sent to everyone still to sign.',
  extended: 'The signing round has more time.',
  outcome: 'The panel’s outcome is recorded. Its letter to the practices is being prepared and sent: the panel scores page links to it once sent.',
};

const OUTCOME_WORDS: Record<string, string> = {
  signed: 'was signed by everyone',
  declined: 'was declined',
  voided: 'was replaced by a newer version',
  carried: 'was carried by vote',
  lost: 'was lost on the vote',
  inquorate: 'was not decided: the vote was not quorate',
};

export type StageView = Awaited<ReturnType<Services['stageConsole']['stage']>>;

/**
 * A stage of a network's formation for staff: its status; its details (stage data), preview and
 * issue for a facilitator; the signing round practice by practice with the rule in words; chasing
 * one person or everyone still owed, more time, fresh links; every version with what changed; who
 * declined and why; the sealed copies and the evidence pack. Forms (data, issue) are in
 * stage-forms.pages.ts.
 */
export function stagePagesRouter(s: Services, access: AccessLayer): Router {
  const router = Router();
  const { guard, page, can, personOf, form, doubleCsrfProtection } = createPageKit(s, access);
  const params = (req: Request) => ({ id: String(req.params.id).slice(0, 64), stage: String(req.params.stage).slice(0, 64) });

  async function stagePage(req: Request, res: Response, extra: { errors?: { href: string; message: string }[] } = {}, status = 200) {
    const { id, stage } = params(req);
    const view = await s.stageConsole.stage(id, stage);
    const manage = can(res, 'formation.manage');
    const st = view.stage;
    const current = view.network.currentStage === st.key;
    const round = view.round;
    const owed = round?.open
      ? [
          ...round.practices.flatMap((p) => p.owed.map((o) => ({ ...o, where: p.name }))),
          ...round.officers.flatMap((o) => o.owed.map((x) => ({ ...x, where: `the network’s ${o.capacity}` }))),
        ]
      : [];
    const base = `/networks/${view.network.id}/stages/${st.key}`;
    const sealedOf = new Map(view.sealed.map((x) => [x.version, x]));
    const party = (p: { signed: boolean; signers: { name: string; signedAt: string }[]; owedInWords: string }) => ({
      signedText: p.signers.length ? p.signers.map((x) => `${x.name} on ${ukDate(x.signedAt)}`).join('; ') : 'Not yet',
      owedText: p.signed ? 'Nothing more' : p.owedInWords || 'Nothing more',
      signed: p.signed,
    });
    await page(
      req,
      res,
      'stage',
      `${st.title}: ${view.network.name}`,
      {
        breadcrumbs: [
          { href: '/', text: 'Home' },
          { href: `/networks/${view.network.id}`, text: view.network.name },
        ],
        network: view.network,
        stage: { ...st, statusWords: statusWords('stage', st.status), tagClass: STAGE_TAG[st.status] ?? 'nhsuk-tag--grey' },
        base,
        current,
        lastOutcome: st.lastOutcome
          ? `Version ${st.lastOutcome.documentVersion} ${OUTCOME_WORDS[st.lastOutcome.outcome] ?? statusWords('round', st.lastOutcome.outcome).toLowerCase()}${st.lastOutcome.reason && st.lastOutcome.outcome !== 'declined' ? `: ${st.lastOutcome.reason}` : ''}.`
          : null,
        savedText: st.dataRevision > 0 ? `Details saved ${plural(st.dataRevision, 'time')}.` : 'No details saved yet: the document uses standard wording.',
        canEdit: manage && current && st.status !== 'completed',
        canIssue: manage && current && ['drafting', 'awaiting-signatures'].includes(st.status),
        reissue: st.status === 'awaiting-signatures',
        panel: st.key === 'panel-presentation',
        canDecide: st.key === 'panel-presentation' && can(res, 'panel.decide'),
        vote: st.vote
          ? {
              href: `/motions/${st.vote.motionId}`,
              text: `Vote on version ${st.vote.documentVersion}: ${st.vote.result ? statusWords('result', st.vote.result) : 'open'}`,
            }
          : null,
        round: round
          ? {
              ...round,
              statusWords: statusWords('round', round.status),
              closes: round.expiresAt ? ukDateTime(round.expiresAt) : null,
              progress: countOf(round.practices.filter((p) => p.signed).length, round.practices.length, 'practice'),
              practices: round.practices.map((p) => ({ name: p.name, ...party(p) })),
              officers: round.officers.map((o) => ({ name: `The network’s ${o.capacity}`, ...party(o) })),
            }
          : null,
        manageRound: manage && Boolean(round?.open),
        owed,
        owedCount: plural(new Set(owed.map((o) => o.personId)).size, 'person', 'people'),
        declines: view.declines.map((d) => ({ ...d, when: ukDate(d.declinedAt) })),
        versions: view.versions.map((v) => ({
          ...v,
          statusWords: statusWords('document', v.status),
          issued: ukDate(v.createdAt),
          fingerprint: fingerprint(v.sha256),
          sealed: sealedOf.get(v.version)
            ? { href: `/api/v1/sealed/${sealedOf.get(v.version)!.id}/pdf`, when: ukDate(sealedOf.get(v.version)!.sealedAt) }
            : null,
        })),
        evidence: view.sealed.length > 0 && can(res, 'evidence.read') ? `/api/v1/networks/${view.network.id}/stages/${st.key}/evidence` : null,
        done: DONE[String(req.query.done ?? '')],
        errors: extra.errors ?? [],
        personError: extra.errors?.find((e) => e.href === 'personId')?.message,
        daysError: extra.errors?.find((e) => e.href === 'days')?.message,
      },
      status,
    );
  }

  router.get('/networks/:id/stages/:stage', guard('network.read', { network: 'id' }), (req, res) => stagePage(req, res));

  /**
   * The round a form was for must still be the stage's latest: a form left open while a new version
   * went out must not act on the new round.
   */
  async function roundOf(req: Request): Promise<string> {
    const { id, stage } = params(req);
    const view = await s.stageConsole.stage(id, stage);
    const posted = String((req.body as Record<string, unknown>).round ?? '');
    if (!view.round || view.round.id !== posted || !view.round.open)
      throw new AppError('ROUND_CLOSED', 'That signing round has ended. The page now shows the current one.');
    return view.round.id;
  }

  /** Runs a round action; a refusal (round ended, nothing owed, days out of range) is shown on the stage page. */
  function roundAction(done: string, href: string, act: (req: Request, res: Response, roundId: string) => Promise<unknown>) {
    return async (req: Request, res: Response) => {
      try {
        await act(req, res, await roundOf(req));
      } catch (err) {
        if (err instanceof AppError && ['ROUND_CLOSED', 'NOT_OWED', 'INVALID_EXTENSION', 'VALIDATION_FAILED', 'ROUND_EXPIRED'].includes(err.code)) {
          return stagePage(
            req,
            res,
            { errors: [{ href: err.code === 'ROUND_CLOSED' ? 'round' : href, message: err.message }] },
            err.code === 'INVALID_EXTENSION' ? 422 : 409,
          );
        }
        throw err;
      }
      const { id, stage } = params(req);
      res.redirect(303, `/networks/${id}/stages/${stage}?done=${done}#round`);
    };
  }

  const manageRound = [guard('formation.manage', { network: 'id' }), form, doubleCsrfProtection] as const;

  router.post(
    '/networks/:id/stages/:stage/chase',
    ...manageRound,
    roundAction('chased-one', 'personId', async (req, res, roundId) => {
      const personId = String((req.body as Record<string, unknown>).personId ?? '').slice(0, 64);
      if (!personId) throw new AppError('NOT_OWED', 'Choose who to send a fresh link to.');
      return s.signoffs.chase(actorLabel(personOf(res)), roundId, personId);
    }),
  );

  router.post(
    '/networks/:id/stages/:stage/resend',
    ...manageRound,
    roundAction('resent', 'resend-button', (_req, res, roundId) => s.signoffs.resend(actorLabel(personOf(res)), roundId)),
  );

  router.post(
    '/networks/:id/stages/:stage/extend',
    ...manageRound,
    roundAction('extended', 'days', (req, res, roundId) => {
      const days = Number(String((req.body as Record<string, unknown>).days ?? '').trim());
      if (!Number.isInteger(days) || days < 1 || days > 90) throw new AppError('INVALID_EXTENSION', 'Enter a whole number of days from 1 to 90');
      return s.signoffs.extend(actorLabel(personOf(res)), roundId, days);
    }),
  );

  /** What changed between two versions of a document, rendered for reading (`?against=` another version). */
  router.get('/documents/:id/changes', guard('document.read', { document: 'id' }), async (req, res) => {
    const id = String(req.params.id).slice(0, 64);
    const against = typeof req.query.against === 'string' ? req.query.against.slice(0, 64) : undefined;
    const doc = await s.documents.meta(id, null);
    const network = await s.networks.getNetwork(doc.networkId);
    const diff = await s.templates.diff(id, against);
    await page(req, res, 'document-changes', `What changed in version ${diff.to.version}`, {
      breadcrumbs: [
        { href: '/', text: 'Home' },
        { href: `/networks/${network.id}`, text: network.name },
        ...(doc.stage ? [{ href: `/networks/${network.id}/stages/${doc.stage}`, text: stageTitle(doc.stage) }] : []),
      ],
      title: doc.title,
      from: diff.from.version,
      to: diff.to.version,
      changed: diff.changed,
      blocks: diff.blocks,
    });
  });

  return router;
}
