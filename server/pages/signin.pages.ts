import { type CookieOptions, type Request, type Response, Router } from 'express';
import rateLimit from 'express-rate-limit';
import { z } from 'zod';
import type { AccessLayer } from '../access';
import { SESSION_ABSOLUTE_MS } from '../auth';
import { requestMeta } from '../request-meta';
import { RATE_LIMIT_WINDOW } from '../route-edge';
import type { Services } from '../services';
import type { SignedIn, SigninFailure } from '../services/signin.service';
import { createPageKit } from './page-kit';
import { renderPage } from './views';

const emailSchema = z.email().max(320);

const FAILURES: Record<SigninFailure, { status: number; heading: string; message: string }> = {
  unknown: { status: 404, heading: 'Link not recognised', message: 'This sign-in link is not valid. Check that you copied all of it, or ask for a new one.' },
  expired: { status: 410, heading: 'This link has expired', message: 'Sign-in links work for a short time only. Ask for a new one.' },
  used: { status: 410, heading: 'This link has been used', message: 'Each sign-in link works once. Ask for a new one.' },
  'no-standing': { status: 403, heading: 'You cannot sign in', message: 'This address has no role in Formwork any more. Ask whoever invited you.' },
};

/**
 * Signing in and out of the pages. An emailed one-time link (the page behind it shows a button
 * that POSTs, so a mail scanner opening the link uses nothing), or the administrator's API token on
 * a first visit. Either way the browser gets a new session in an httpOnly cookie, never the token.
 */
export function signinPagesRouter(s: Services, access: AccessLayer): Router {
  const router = Router();
  const { doubleCsrfProtection, generateCsrfToken, form, html } = createPageKit(s, access);
  // a first line against floods from one address; the per-address and per-IP limits that matter are counted in the database
  const perIp = rateLimit({ ...RATE_LIMIT_WINDOW, limit: 60 });
  const cookie: CookieOptions = { httpOnly: true, sameSite: 'lax', secure: s.secureCookies, path: '/', maxAge: SESSION_ABSOLUTE_MS };

  const currentSession = (req: Request) => (req.cookies as Record<string, string> | undefined)?.[access.cookieName];

  function signedIn(res: Response, result: SignedIn) {
    res.cookie(access.cookieName, result.sessionSecret, cookie);
    res.redirect(303, result.landing);
  }

  function failure(res: Response, reason: SigninFailure) {
    const f = FAILURES[reason];
    res
      .status(f.status)
      .type('html')
      .send(renderPage('message', f.heading, { heading: f.heading, message: f.message, back: '/signin' }));
  }

  router.get('/signin', (req, res) => {
    html(res);
    res.type('html').send(renderPage('signin', 'Sign in', { csrf: generateCsrfToken(req, res) }));
  });

  router.post('/signin', perIp, form, doubleCsrfProtection, async (req, res) => {
    html(res);
    const email = String((req.body as Record<string, string>).email ?? '').trim();
    if (!emailSchema.safeParse(email).success) {
      return res
        .status(422)
        .type('html')
        .send(
          renderPage('signin', 'Sign in', {
            csrf: generateCsrfToken(req, res),
            email,
            error: 'Enter an email address in the correct format, like name@example.org',
          }),
        );
    }
    const outcome = await s.signin.requestLink(email, requestMeta(req));
    if (outcome === 'rate-limited') {
      return res
        .status(429)
        .type('html')
        .send(
          renderPage('signin', 'Sign in', { csrf: generateCsrfToken(req, res), email, error: 'Too many sign-in requests. Wait 15 minutes, then try again.' }),
        );
    }
    // the same answer whether or not we know the address
    res.type('html').send(
      renderPage('message', 'Check your email', {
        heading: 'Check your email',
        message: `If we know ${email}, we have sent a link to sign in. It works once, for 15 minutes.`,
      }),
    );
  });

  router.get('/signin/:token', perIp, async (req, res) => {
    html(res);
    res.setHeader('Referrer-Policy', 'no-referrer');
    const token = String(req.params.token).slice(0, 200);
    const state = await s.signin.linkState(token);
    if (state !== 'usable') return failure(res, state);
    res.type('html').send(renderPage('signin-confirm', 'Sign in', { token, csrf: generateCsrfToken(req, res) }));
  });

  router.post('/signin/:token', perIp, form, doubleCsrfProtection, async (req, res) => {
    html(res);
    res.setHeader('Referrer-Policy', 'no-referrer');
    const result = await s.signin.signInWithLink(String(req.params.token).slice(0, 200), requestMeta(req), currentSession(req));
    if ('failure' in result) return failure(res, result.failure);
    signedIn(res, result);
  });

  router.get('/login', (req, res) => {
    html(res);
    res.type('html').send(renderPage('login', 'Sign in with an API token', { csrf: generateCsrfToken(req, res) }));
  });

  router.post('/login', perIp, form, doubleCsrfProtection, async (req, res) => {
    html(res);
    const token = String((req.body as Record<string, string>).token ?? '')
      .trim()
      .slice(0, 200);
    const result = await s.signin.signInWithToken(token, requestMeta(req), currentSession(req));
    if ('failure' in result) {
      return res
        .status(401)
        .type('html')
        .send(renderPage('login', 'Sign in with an API token', { csrf: generateCsrfToken(req, res), error: 'That token is not recognised' }));
    }
    signedIn(res, result);
  });

  router.post('/signout', form, doubleCsrfProtection, async (req, res) => {
    html(res);
    await s.signin.signOut(currentSession(req));
    res.clearCookie(access.cookieName, { ...cookie, maxAge: undefined });
    res
      .type('html')
      .send(
        renderPage('message', 'Signed out', { heading: 'You have signed out', message: 'Close the browser if others use this computer.', back: '/signin' }),
      );
  });

  return router;
}
