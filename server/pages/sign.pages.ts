import { type Request, type Response, Router } from 'express';
import { ACTION_KINDS } from '../../domain/action-kinds';
import { DECLINE_REASON_MAX } from '../../domain/signing';
import { linkOutcome, number, reference } from '../../domain/wording';
import type { AccessLayer } from '../access';
import { AppError, ERROR_STATUS, type ErrorCode } from '../errors';
import { requestMeta } from '../request-meta';
import type { Services } from '../services';
import { createPageKit } from './page-kit';
import { renderPage } from './views';
import { sendDocumentFile } from '../document-files';

/** What a line of "my actions" says, by kind of action. */
export function actionHeading(item: { kind: string; title: string; documentVersion: number | null }): string {
  if (item.kind === 'sign') return `Sign ${item.title} (version ${item.documentVersion ?? 1})`;
  if (item.kind === 'vote') return `Vote: ${item.title}`;
  if (item.kind === 'ballot') return `Election ballot: ${item.title}`;
  if (item.kind === 'score') return `Score ${item.title}'s panel presentation`;
  return item.title;
}

/** The line under a "my actions" heading: where it is from and until when it is open. */
export function actionLine(item: { kind: string; network: string; practice: string }): string {
  return item.kind === 'score' ? `${item.practice} · ${item.network}` : `${item.network} · for ${item.practice}`;
}

interface FormState {
  errors?: { field: string; message: string }[];
  typedName?: string;
  consent?: boolean;
  reason?: string;
  toPersonId?: string;
  codeSent?: string;
}

/** Problems a partner can put right on the signing page, said next to the field they concern. */
const FIELD_OF: Partial<Record<ErrorCode, string>> = { NAME_MISMATCH: 'typedName', CONSENT_REQUIRED: 'consent', CANNOT_DELEGATE: 'toPersonId' };
/** Each form's own code field. */
const CODE_FIELD = { sign: 'code', decline: 'decline-code', delegate: 'delegate-code', sealed: '' } as const;

/**
 * The signing page at /a/<token> for `sign` links and "my actions" from any link. Every answer is
 * a page: a form that cannot be accepted comes back with an error summary, what was typed kept; a
 * reopened link says at the top what became of it and when.
 */
export function signPagesRouter(s: Services, access: AccessLayer): Router {
  const router = Router();
  const { doubleCsrfProtection, generateCsrfToken, form, longForm, perToken, withLink, linkOf } = createPageKit(s, access);
  const signLink = withLink(['sign']);
  const anyLink = withLink(ACTION_KINDS);

  async function signPage(req: Request, res: Response, state: FormState = {}, status = 200) {
    const link = linkOf(res);
    const { view, outcome, deadline, parties, sealedReady } = await s.actions.standing(link);
    // the document is not served from a link past its expiry or superseded by a newer version
    const current = !link.expired && !link.superseded;
    const pending = view.status === 'pending';
    const preview = current ? await s.actions.preview(link) : { html: '', changes: null };
    const errors = state.errors ?? [];
    const errorFor = (field: string) => errors.find((e) => e.field === field)?.message;
    const reasonError = errorFor('reason');
    const declineCodeError = errorFor('decline-code');
    const delegateError = errorFor('toPersonId') ?? errorFor('delegate-code');
    res
      .status(status)
      .type('html')
      .send(
        renderPage('sign', `Sign ${view.document.title}`, {
          view,
          token: link.secret,
          csrf: generateCsrfToken(req, res),
          pending,
          current,
          documentHtml: preview.html,
          changes: pending && preview.changes ? { fromVersion: preview.changes.fromVersion, blocks: preview.changes.blocks } : null,
          capacities: view.capacities.map((c) => c.replace(/-/g, ' ')).join(' and '),
          outcome,
          banner: outcome ? linkOutcome('sign', outcome) : null,
          bannerSuccess: outcome?.status === 'signed' || outcome?.status === 'signed-by-colleague',
          referenceLabel: outcome?.status === 'declined' ? 'Decline reference' : 'Signature reference',
          deadline,
          parties,
          sealedReady,
          reasonMax: DECLINE_REASON_MAX,
          reasonMaxWords: number(DECLINE_REASON_MAX),
          errors,
          typedName: state.typedName ?? '',
          consentChecked: state.consent === true,
          nameError: errorFor('typedName'),
          consentError: errorFor('consent'),
          codeError: errorFor('code'),
          reason: state.reason ?? '',
          reasonError,
          declineCodeError,
          declineOpen: Boolean(reasonError || declineCodeError),
          delegateError,
          delegateCodeError: errorFor('delegate-code'),
          delegateOpen: Boolean(delegateError),
          delegateTo: view.delegateTo.map((d) => ({ ...d, selected: d.personId === state.toPersonId })),
          codeSent: state.codeSent,
          // the page records the view itself once a person is on it (server/static/formwork.js)
          beacon: current,
        }),
      );
  }

  /**
   * A refusal comes back as the page with an error summary (the field it concerns, or the top of
   * the page, where the banner says what became of the request); what typed stays. A failure on
   * our side is the error page.
   */
  async function refused(req: Request, res: Response, err: unknown, state: FormState, form: keyof typeof CODE_FIELD) {
    if (!(err instanceof AppError) || ERROR_STATUS[err.code] >= 500) throw err;
    const field = err.code === 'CODE_REQUIRED' || err.code === 'CODE_INVALID' ? CODE_FIELD[form] : (FIELD_OF[err.code] ?? '');
    return signPage(req, res, { ...state, errors: [{ field, message: err.message }] }, ERROR_STATUS[err.code]);
  }

  /**
   * The signing page. Opening it records nothing: mail scanners fetch every link in a message (some
   * render the page too), and "viewed" is evidence that the person saw the document. The page's
   * script POSTs to /viewed once it is on screen and the person does something on it; a form the
   * person sends (sign, decline, hand over) records the view as well, for browsers without scripts.
   */
  router.get('/a/:token', perToken, signLink, async (req, res) => {
    await signPage(req, res);
  });

  router.post('/a/:token/viewed', perToken, signLink, form, doubleCsrfProtection, async (_req, res) => {
    await s.actions.markViewed(linkOf(res));
    res.status(204).end();
  });

  for (const kind of ['pdf', 'docx'] as const) {
    router.get(`/a/:token/document.${kind}`, perToken, signLink, async (_req, res) => {
      const { bytes, document } = await s.actions.file(linkOf(res), kind);
      sendDocumentFile(res, kind, bytes, `${document.type}-v${document.version}.${kind}`);
    });
  }

  router.post('/a/:token/sign', perToken, signLink, form, doubleCsrfProtection, async (req, res) => {
    await s.actions.markViewed(linkOf(res));
    const body = req.body as Record<string, string>;
    const typedName = String(body.typedName ?? '')
      .trim()
      .slice(0, 300);
    const consent = body.consent === 'yes';
    const code = String(body.code ?? '').trim() || undefined;
    const state: FormState = { typedName, consent };
    const errors: { field: string; message: string }[] = [];
    if (!typedName) errors.push({ field: 'typedName', message: 'Type your full name' });
    if (!consent) errors.push({ field: 'consent', message: 'Confirm that you agree to sign electronically' });
    if (errors.length) return signPage(req, res, { ...state, errors }, 422);
    let receipt;
    try {
      receipt = await s.actions.sign(linkOf(res), { typedName, consent: true, code }, requestMeta(req));
    } catch (err) {
      return refused(req, res, err, state, 'sign');
    }
    const { view } = await s.actions.describe(linkOf(res));
    res.type('html').send(
      renderPage('receipt', 'Signed', {
        heading: 'You have signed',
        message: `Your signature for ${receipt.practiceName} is recorded.${receipt.roundComplete ? ' Every practice has now signed.' : ''}`,
        receipt,
        document: { title: view.document.title, version: view.document.version, sha256: receipt.documentSha256 },
        roundComplete: receipt.roundComplete,
        reference: reference(receipt.signatureId),
        token: linkOf(res).secret,
      }),
    );
  });

  router.post('/a/:token/decline', perToken, signLink, longForm, doubleCsrfProtection, async (req, res) => {
    await s.actions.markViewed(linkOf(res));
    const body = req.body as Record<string, string>;
    const reason = String(body.reason ?? '').trim();
    const code = String(body.code ?? '').trim() || undefined;
    // the text comes back as typed (up to well past the limit) so it can be shortened, not retyped
    const state: FormState = { reason: reason.slice(0, DECLINE_REASON_MAX * 2) };
    if (reason.length < 3)
      return signPage(req, res, { ...state, errors: [{ field: 'reason', message: 'Tell the facilitator why you cannot sign (at least 3 characters)' }] }, 422);
    if (reason.length > DECLINE_REASON_MAX) {
      return signPage(
        req,
        res,
        {
          ...state,
          errors: [{ field: 'reason', message: `Your reason must be ${number(DECLINE_REASON_MAX)} characters or fewer: it is ${number(reason.length)}` }],
        },
        422,
      );
    }
    try {
      await s.actions.decline(linkOf(res), { reason, code });
    } catch (err) {
      return refused(req, res, err, state, 'decline');
    }
    const { view } = await s.actions.describe(linkOf(res));
    res.type('html').send(
      renderPage('receipt', 'Declined', {
        heading: 'You declined to sign',
        message: 'The facilitator has been told and will be in touch.',
        document: { title: view.document.title, version: view.document.version },
        token: linkOf(res).secret,
      }),
    );
  });

  router.post('/a/:token/delegate', perToken, signLink, form, doubleCsrfProtection, async (req, res) => {
    await s.actions.markViewed(linkOf(res));
    const body = req.body as Record<string, string>;
    const toPersonId = String(body.toPersonId ?? '').slice(0, 64);
    const code = String(body.code ?? '').trim() || undefined;
    const state: FormState = { toPersonId };
    if (!toPersonId) return signPage(req, res, { ...state, errors: [{ field: 'toPersonId', message: 'Choose the partner to hand this request to' }] }, 422);
    let delegatedTo: string;
    try {
      ({ delegatedTo } = await s.actions.delegate(linkOf(res), { toPersonId, code }));
    } catch (err) {
      return refused(req, res, err, state, 'delegate');
    }
    const { view } = await s.actions.describe(linkOf(res));
    res.type('html').send(
      renderPage('receipt', 'Handed over', {
        heading: 'Request handed over',
        message: `${delegatedTo} has been asked to sign in your place.`,
        document: { title: view.document.title, version: view.document.version },
        token: linkOf(res).secret,
      }),
    );
  });

  // "Email me a code" is a second button of the signing form: the name and consent come with it and stay
  router.post('/a/:token/code', perToken, signLink, form, doubleCsrfProtection, async (req, res) => {
    const body = req.body as Record<string, string>;
    const state: FormState = {
      typedName: String(body.typedName ?? '')
        .trim()
        .slice(0, 300),
      consent: body.consent === 'yes',
    };
    let sentTo: string;
    try {
      ({ sentTo } = await s.actions.sendCode(linkOf(res)));
    } catch (err) {
      return refused(req, res, err, state, 'sign');
    }
    await signPage(req, res, { ...state, codeSent: `We have emailed a 6-digit code to ${sentTo}. It works for 10 minutes.` });
  });

  // the completed (sealed) copy, for a person who signed: a fresh personal link, opened at once
  router.post('/a/:token/sealed-copy', perToken, signLink, form, doubleCsrfProtection, async (req, res) => {
    let url: string;
    try {
      url = await s.actions.sealedCopyLink(linkOf(res));
    } catch (err) {
      return refused(req, res, err, {}, 'sealed');
    }
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.redirect(303, url);
  });

  // "my actions" from any link: everything waiting for the person it was sent to
  router.get('/a/:token/mine', perToken, anyLink, async (req, res) => {
    res.setHeader('Referrer-Policy', 'no-referrer');
    const link = linkOf(res);
    const items = await s.actions.mine(link);
    res.type('html').send(
      renderPage('mine', 'My actions', {
        person: { name: link.person.name },
        items: items.map((i) => ({ ...i, heading: actionHeading(i), line: actionLine(i) })),
        openBase: `/a/${link.secret}/mine`,
        csrf: generateCsrfToken(req, res),
      }),
    );
  });

  router.post('/a/:token/mine/:actionId', perToken, anyLink, form, doubleCsrfProtection, async (req, res) => {
    const fresh = await s.actions.openMineByLink(linkOf(res), String(req.params.actionId).slice(0, 64));
    res.redirect(303, `/a/${fresh}`);
  });

  return router;
}
