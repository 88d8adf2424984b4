import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { doubleCsrf } from 'csrf-csrf';
import rateLimit from 'express-rate-limit';
import { ACTION_KINDS, type ActionKind } from '../../domain/action-kinds';
import type { AccessAction, AccessScope } from '../../domain/access/actions';
import { authorize, type PersonActor } from '../../domain/access/policy';
import { type AccessLayer, ACCESS_DECISION_HEADER, forbiddenMessage } from '../access';
import type { ActionLink } from '../action-links';
import { AppError } from '../errors';
import type { ScopeSpec } from '../route';
import { RATE_LIMIT_WINDOW } from '../route-edge';
import type { Services } from '../services';
import { fileForm } from './forms';
import { type Account, renderPage } from './views';

/** What a page says for errors whose API wording is about HTTP rather than about the form. */
const PAGE_WORDS: Partial<Record<string, string>> = {
  PAYLOAD_TOO_LARGE: 'What you sent is too long. Go back, shorten it and send it again.',
  MALFORMED_REQUEST: 'The form could not be read. Go back, reload the page and try again.',
  UNSUPPORTED_MEDIA_TYPE: 'The form could not be read. Go back, reload the page and try again.',
  RATE_LIMITED: 'Too many requests from this link. Wait a minute and try again.',
};

/**
 * What every HTML router shares: CSRF protection of forms (double-submit cookie, keyed to the action
 * token or the session), the form body parser, the per-link rate limit, HTML error pages, and the
 * same access policy as the API for pages a signed-in person reads.
 */
export function createPageKit(s: Services, access: AccessLayer) {
  const { doubleCsrfProtection, generateCsrfToken } = doubleCsrf({
    getSecret: () => s.formSecret,
    getSessionIdentifier: (req) => String(req.params?.token ?? (req.cookies as Record<string, string>)?.[access.cookieName] ?? 'anonymous'),
    cookieName: s.secureCookies ? '__Host-fw.csrf' : 'fw.csrf',
    cookieOptions: { sameSite: 'strict', secure: s.secureCookies, httpOnly: true, path: '/' },
    getCsrfTokenFromRequest: (req) => (req.body as Record<string, string> | undefined)?._csrf,
    errorConfig: { statusCode: 403, code: 'CSRF_INVALID', message: 'invalid csrf token' },
  });
  const limits = s.rateLimit ?? { actionsPerMinutePerIp: 600, actionsPerMinutePerToken: 60 };
  /** marks the response as a page, so errors render as a page too */
  function html(res: Response) {
    res.locals.html = true;
    res.locals.renderError = (status: number, err: AppError) =>
      renderPage('message', 'There is a problem', {
        heading: status === 404 ? 'Page not found' : status === 403 ? 'You do not have access to this page' : 'There is a problem',
        message: err.message,
      });
  }

  /**
   * The error page of a link's pages: an error summary saying what went wrong in words, and the way
   * back to the link's page (`back`) once the link is known.
   */
  function linkProblemPage(res: Response, back: string | null) {
    res.locals.html = true;
    res.locals.renderError = (status: number, err: AppError) =>
      renderPage('link-problem', 'There is a problem', {
        heading: status === 404 && !back ? 'Link not recognised' : status === 410 ? 'This link can no longer be used' : 'There is a problem',
        message: PAGE_WORDS[err.code] ?? err.message,
        back,
      });
  }

  /** The person signed in to this browser (their session; a bearer token works too), or null. */
  async function signedIn(req: Request): Promise<PersonActor | null> {
    const { actor } = await access.authenticate(req, { cookie: true });
    return actor.kind === 'person' ? actor : null;
  }

  /** The header of a signed-in page: their name and a sign-out form. */
  async function account(req: Request, res: Response, person: PersonActor): Promise<Account> {
    const me = await s.people.me(person);
    return { name: me.person.name, csrf: generateCsrfToken(req, res) };
  }

  return {
    /**
     * Resolves the page's action link (`:token`) through the one resolver. A link of another kind
     * passes to the next router that serves /a/:token; an unknown one is a "link not recognised" page.
     */
    withLink(kinds: readonly ActionKind[]) {
      return async (req: Request, res: Response, next: NextFunction) => {
        // everything under /a/<token> is a page, its errors too (a form too large, an expired form)
        linkProblemPage(res, null);
        try {
          // any kind is recognised here; one this router does not serve passes to the next router
          res.locals.link = await s.resolveLink(req.params.token, ACTION_KINDS);
        } catch (err) {
          return next(err);
        }
        linkProblemPage(res, `/a/${(res.locals.link as ActionLink).secret}`);
        if (!kinds.includes((res.locals.link as ActionLink).token.kind)) return next('route');
        next();
      };
    },
    /** The link resolved by `withLink` for this request. */
    linkOf(res: Response): ActionLink {
      const link = res.locals.link as ActionLink | undefined;
      if (!link) throw new AppError('NOT_FOUND', 'This link is not valid.');
      return link;
    },

    signedIn,

    /**
     * Guards a page a signed-in person reads, with the API's policy: not signed in → the sign-in
     * page; outside their scope → "page not found"; in scope but not theirs → 403.
     */
    guard(action: AccessAction, spec?: ScopeSpec) {
      return async (req: Request, res: Response, next: NextFunction) => {
        html(res);
        try {
          const person = await signedIn(req);
          if (!person) return res.redirect(303, '/signin');
          let scope: AccessScope | null = null;
          if (spec) {
            const resolved = await access.resolve(spec, { params: req.params, query: req.query as Record<string, unknown>, body: undefined });
            if ('notFound' in resolved) throw new AppError('NOT_FOUND', 'If you typed the web address, check it is correct.');
            scope = resolved.scope;
          }
          const decision = authorize(person, action, scope);
          if (decision === 'not-found') throw new AppError('NOT_FOUND', 'If you typed the web address, check it is correct.');
          if (decision !== 'allow') throw new AppError('FORBIDDEN', forbiddenMessage(action));
          res.locals.person = person;
          res.locals.scope = scope;
          next();
        } catch (err) {
          if (err instanceof AppError && (err.code === 'NOT_FOUND' || err.code === 'FORBIDDEN'))
            res.setHeader(ACCESS_DECISION_HEADER, err.code === 'NOT_FOUND' ? 'not-found' : 'forbidden');
          next(err);
        }
      };
    },
    /** Whether the person `guard` let through may also do `action` where the page is (to offer its buttons). */
    can(res: Response, action: AccessAction): boolean {
      const person = res.locals.person as PersonActor | undefined;
      return person ? authorize(person, action, (res.locals.scope as AccessScope | null | undefined) ?? null) === 'allow' : false;
    },
    /** The person `guard` let through. */
    personOf(res: Response): PersonActor {
      const person = res.locals.person as PersonActor | undefined;
      if (!person) throw new AppError('UNAUTHENTICATED', 'Sign in first.');
      return person;
    },
    account,
    /** Renders a page for the signed-in person `guard` let through, with their header. */
    async page(req: Request, res: Response, view: string, title: string, data: Record<string, unknown>, status = 200) {
      const header = await account(req, res, res.locals.person as PersonActor);
      res
        .status(status)
        .type('html')
        .send(renderPage(view, title, { ...data, csrf: header.csrf }, header));
    },
    doubleCsrfProtection,
    generateCsrfToken,
    form: express.urlencoded({ extended: false, limit: '20kb' }),
    /**
     * An upload form: the multipart body read (a file over `maxBytes` is marked for the page to say
     * so, see forms.ts), then its CSRF token checked, which travels in that body.
     */
    upload(field: string, maxBytes: number): RequestHandler {
      const read = fileForm(field, maxBytes);
      return (req, res, next) => read(req, res, (err?: unknown) => (err ? next(err) : doubleCsrfProtection(req, res, next)));
    },
    /** for forms with a long text (a decline reason, a dispute note): room to say it is too long rather than refuse the form */
    longForm: express.urlencoded({ extended: false, limit: '200kb' }),
    perToken: rateLimit({
      ...RATE_LIMIT_WINDOW,
      limit: limits.actionsPerMinutePerToken,
      keyGenerator: (req) => `t:${req.params.token}`,
      // said as a page, like every other answer under /a/<token>
      handler: (_req, res, next) => {
        linkProblemPage(res, null);
        next(new AppError('RATE_LIMITED', 'Too many requests; wait a minute and try again.'));
      },
    }),
    html,
  };
}

export type PageKit = ReturnType<typeof createPageKit>;
