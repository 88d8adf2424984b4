import { type Request, type Response, Router } from 'express';
import { ACTION_KINDS } from '../../domain/action-kinds';
import { scopeFilter } from '../../domain/access/policy';
import { formatDate } from '../../documents/format';
import type { AccessLayer } from '../access';
import { AppError } from '../errors';
import type { Services } from '../services';
import { requestMeta } from '../request-meta';
import { createPageKit } from './page-kit';
import { renderPage, ukTime } from './views';

const STATUS_MESSAGES: Record<string, string> = {
  signed: 'You have signed this document. Thank you.',
  delegated: 'You handed this request to a colleague. Nothing more is needed from you.',
  superseded: 'A newer version of this document has been issued. Use the link in the newer email.',
  'signed-by-colleague': 'Another partner has already signed this document for your practice. Nothing more is needed from you.',
  declined: 'You declined to sign this version. The facilitator has been told.',
  closed: 'This signing round has finished.',
  expired: 'This link has expired. Ask the facilitator to send a new one.',
};

/** What a line of "my actions" says, by kind of action. */
export function actionHeading(item: { kind: string; title: string; documentVersion: number | null }): string {
  if (item.kind === 'sign') return `Sign ${item.title} (version ${item.documentVersion ?? 1})`;
  if (item.kind === 'vote') return `Vote: ${item.title}`;
  if (item.kind === 'ballot') return `Election ballot: ${item.title}`;
  return item.title;
}

/**
 * The HTML pages: the signing page at /a/<token>, "my actions" from any link, and the staff pages
 * (home, a wave's readiness), guarded by the same policy as the API. A network's page is network.pages.ts.
 * Forms carry a CSRF token (double-submit cookie); the action pages are rate limited.
 */
export function pagesRouter(s: Services, access: AccessLayer): Router {
  const router = Router();
  const { doubleCsrfProtection, generateCsrfToken, form, perToken, html, withLink, linkOf, guard, page, signedIn } = createPageKit(s, access);
  const signLink = withLink(['sign']);
  const anyLink = withLink(ACTION_KINDS);

  async function signPage(req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) {
    const link = linkOf(res);
    const token = link.secret;
    const { view } = await s.actions.describe(link);
    // the document is not served from a link past its expiry or superseded by a newer version
    const current = !link.expired && !link.superseded;
    const preview = current ? await s.actions.preview(link) : { html: '', changes: null };
    res.status(status).type('html').send(
      renderPage('sign', `Sign ${view.document.title}`, {
        view,
        token,
        csrf: generateCsrfToken(req, res),
        shortHash: view.document.sha256.slice(0, 16),
        pending: view.status === 'pending',
        documentHtml: preview.html,
        current,
        changes: view.status === 'pending' ? preview.changes : null,
        capacities: view.capacities.map((c) => c.replace(/-/g, ' ')).join(' and '),
        statusMessage: STATUS_MESSAGES[view.status] ?? '',
        ...extra,
      }),
    );
  }

  router.get('/a/:token', perToken, signLink, async (req, res) => {
    html(res);
    res.setHeader('Referrer-Policy', 'no-referrer');
    await s.actions.markViewed(linkOf(res));
    await signPage(req, res);
  });

  for (const kind of ['pdf', 'docx'] as const) {
    router.get(`/a/:token/document.${kind}`, perToken, signLink, async (req, res) => {
      html(res);
      const { bytes, document } = await s.actions.file(linkOf(res), kind);
      res.setHeader('Content-Disposition', `inline; filename="${document.type}-v${document.version}.${kind}"`);
      res.type(kind === 'pdf' ? 'application/pdf' : 'application/vnd.openxmlformats-officedocument.wordprocessingml.document').send(bytes);
    });
  }

  router.post('/a/:token/sign', perToken, signLink, form, doubleCsrfProtection, async (req, res) => {
    html(res);
    const body = req.body as Record<string, string>;
    const typedName = String(body.typedName ?? '').trim();
    const code = String(body.code ?? '').trim() || undefined;
    const errors: { field: string; message: string }[] = [];
    if (!typedName) errors.push({ field: 'typedName', message: 'Type your full name' });
    if (body.consent !== 'yes') errors.push({ field: 'consent', message: 'Confirm that you agree to sign electronically' });
    if (errors.length) {
      return signPage(req, res, { errors, typedName, nameError: errors.find((e) => e.field === 'typedName')?.message, consentError: errors.find((e) => e.field === 'consent')?.message }, 422);
    }
    try {
      const receipt = await s.actions.sign(linkOf(res), { typedName, consent: true, code }, requestMeta(req));
      res.type('html').send(
        renderPage('receipt', 'Signed', {
          heading: 'You have signed',
          message: `${receipt.documentId ? '' : ''}Your signature for ${receipt.practiceName} is recorded.${receipt.roundComplete ? ' Every practice has now signed.' : ''}`,
          receipt,
          signedAtLocal: ukTime(receipt.signedAt),
          shortHash: receipt.documentSha256.slice(0, 16),
        }),
      );
    } catch (err) {
      if (err instanceof AppError && err.code === 'NAME_MISMATCH') {
        return signPage(req, res, { errors: [{ field: 'typedName', message: err.message }], typedName, nameError: err.message }, 422);
      }
      if (err instanceof AppError && (err.code === 'CODE_REQUIRED' || err.code === 'CODE_INVALID')) {
        return signPage(req, res, { errors: [{ field: 'code', message: err.message }], typedName, codeError: err.message }, 422);
      }
      throw err;
    }
  });

  router.post('/a/:token/decline', perToken, signLink, form, doubleCsrfProtection, async (req, res) => {
    html(res);
    const body = req.body as Record<string, string>;
    const reason = String(body.reason ?? '').trim();
    const code = String(body.code ?? '').trim() || undefined;
    if (reason.length < 3) return signPage(req, res, { errors: [{ field: 'reason', message: 'Tell the facilitator why you cannot sign (at least 3 characters)' }] }, 422);
    try {
      await s.actions.decline(linkOf(res), { reason, code });
    } catch (err) {
      if (err instanceof AppError && (err.code === 'CODE_REQUIRED' || err.code === 'CODE_INVALID')) return signPage(req, res, { errors: [{ field: 'decline-code', message: err.message }], declineCodeError: err.message }, 422);
      throw err;
    }
    res.type('html').send(renderPage('receipt', 'Declined', { heading: 'You declined to sign', message: 'The facilitator has been told and will be in touch.' }));
  });

  router.post('/a/:token/delegate', perToken, signLink, form, doubleCsrfProtection, async (req, res) => {
    html(res);
    const body = req.body as Record<string, string>;
    const toPersonId = String(body.toPersonId ?? '');
    const code = String(body.code ?? '').trim() || undefined;
    let delegatedTo: string;
    try {
      ({ delegatedTo } = await s.actions.delegate(linkOf(res), { toPersonId, code }));
    } catch (err) {
      if (err instanceof AppError && (err.code === 'CODE_REQUIRED' || err.code === 'CODE_INVALID')) return signPage(req, res, { errors: [{ field: 'delegate-code', message: err.message }], delegateCodeError: err.message }, 422);
      throw err;
    }
    res.type('html').send(renderPage('receipt', 'Handed over', { heading: 'Request handed over', message: `${delegatedTo} has been asked to sign in your place.` }));
  });

  router.post('/a/:token/code', perToken, signLink, form, doubleCsrfProtection, async (req, res) => {
    html(res);
    const { sentTo } = await s.actions.sendCode(linkOf(res));
    await signPage(req, res, { codeSent: `We have emailed a 6-digit code to ${sentTo}. It works for 10 minutes.` });
  });

  // "my actions" from any link: everything waiting for the person it was sent to
  router.get('/a/:token/mine', perToken, anyLink, async (req, res) => {
    html(res);
    res.setHeader('Referrer-Policy', 'no-referrer');
    const link = linkOf(res);
    const items = await s.actions.mine(link);
    res.type('html').send(
      renderPage('mine', 'My actions', {
        person: { name: link.person.name },
        items: items.map((i) => ({ ...i, heading: actionHeading(i), expires: formatDate(i.expiresAt) })),
        openBase: `/a/${link.secret}/mine`,
        csrf: generateCsrfToken(req, res),
      }),
    );
  });

  router.post('/a/:token/mine/:actionId', perToken, anyLink, form, doubleCsrfProtection, async (req, res) => {
    html(res);
    const fresh = await s.actions.openMine(linkOf(res).person.personId, String(req.params.actionId).slice(0, 64));
    res.redirect(303, `/a/${fresh}`);
  });

  /** The staff home: programmes and networks the person may read. Others go to their own landing page. */
  router.get('/', async (req, res) => {
    html(res);
    const person = await signedIn(req);
    if (!person) return res.redirect(303, '/signin');
    const networksReadable = scopeFilter(person, 'network.read');
    if (!networksReadable.all && networksReadable.programmeIds.length === 0) return res.redirect(303, await s.signin.landingPath(person));
    res.locals.person = person;
    await page(req, res, 'home', 'Networks', { programmes: await s.networks.programmesWithWaves(person), networks: await s.networks.listNetworks(person, {}) });
  });

  router.get('/waves/:id', guard('readiness.read', { wave: 'id' }), async (req, res) => {
    const readiness = await s.readiness.wave(String(req.params.id));
    const tag = { red: 'nhsuk-tag--red', amber: 'nhsuk-tag--orange', green: 'nhsuk-tag--green' } as const;
    await page(req, res, 'wave', `Wave ${readiness.number} readiness`, {
      ...readiness,
      panelDate: formatDate(readiness.panelDate),
      networks: readiness.networks.map((n) => ({ ...n, tagClass: tag[n.rag], listSize: n.listSize.toLocaleString('en-GB'), stage: n.currentStage ?? (n.formationStatus === 'completed' ? 'all stages complete' : 'not started') })),
    });
  });

  return router;
}
