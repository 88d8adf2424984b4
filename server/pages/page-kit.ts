import express, { type NextFunction, type Request, type Response } from 'express';
import { doubleCsrf } from 'csrf-csrf';
import rateLimit from 'express-rate-limit';
import { STAFF_COOKIE } from '../auth';
import { ACTION_KINDS, type ActionKind } from '../../domain/action-kinds';
import type { ActionLink } from '../action-links';
import { AppError } from '../errors';
import type { Services } from '../services';
import { renderPage } from './views';

/**
 * What every HTML router shares: CSRF protection of forms (double-submit cookie, keyed to the action
 * token or the staff session), the form body parser, the per-link rate limit and HTML error pages.
 */
export function createPageKit(s: Services) {
  const { doubleCsrfProtection, generateCsrfToken } = doubleCsrf({
    getSecret: () => s.formSecret,
    getSessionIdentifier: (req) => String(req.params?.token ?? (req.cookies as Record<string, string>)?.[STAFF_COOKIE] ?? 'anonymous'),
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
      renderPage('message', 'There is a problem', { heading: status === 404 ? 'Link not recognised' : 'There is a problem', message: err.message });
  }
  return {
    /**
     * Resolves the page's action link (`:token`) through the one resolver. A link of another kind
     * passes to the next router that serves /a/:token; an unknown one is a "link not recognised" page.
     */
    withLink(kinds: readonly ActionKind[]) {
      return async (req: Request, res: Response, next: NextFunction) => {
        try {
          // any kind is recognised here; one this router does not serve passes to the next router
          res.locals.link = await s.resolveLink(req.params.token, ACTION_KINDS);
        } catch (err) {
          html(res);
          return next(err);
        }
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
    doubleCsrfProtection,
    generateCsrfToken,
    form: express.urlencoded({ extended: false, limit: '20kb' }),
    perToken: rateLimit({ windowMs: 60_000, limit: limits.actionsPerMinutePerToken, keyGenerator: (req) => `t:${req.params.token}`, standardHeaders: 'draft-8', legacyHeaders: false }),
    html,
  };
}
