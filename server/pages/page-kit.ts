import express, { type Response } from 'express';
import { doubleCsrf } from 'csrf-csrf';
import rateLimit from 'express-rate-limit';
import { STAFF_COOKIE } from '../auth';
import type { AppError } from '../errors';
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
  return {
    doubleCsrfProtection,
    generateCsrfToken,
    form: express.urlencoded({ extended: false, limit: '20kb' }),
    perToken: rateLimit({ windowMs: 60_000, limit: limits.actionsPerMinutePerToken, keyGenerator: (req) => `t:${req.params.token}`, standardHeaders: 'draft-8', legacyHeaders: false }),
    /** marks the response as a page, so errors render as a page too */
    html(res: Response) {
      res.locals.html = true;
      res.locals.renderError = (status: number, err: AppError) =>
        renderPage('message', 'There is a problem', { heading: status === 404 ? 'Link not recognised' : 'There is a problem', message: err.message });
    },
  };
}
