import crypto from 'node:crypto';
import path from 'node:path';
import cookieParser from 'cookie-parser';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import rateLimit from 'express-rate-limit';
import helmet from 'helmet';
import { createAccessLayer } from './access';
import type { ServerDeps } from './deps';
import { AppError, errorMiddleware } from './errors';
import { disputesPagesRouter } from './pages/disputes.pages';
import { electionsPagesRouter } from './pages/elections.pages';
import { mePagesRouter } from './pages/me.pages';
import { motionsPagesRouter } from './pages/motions.pages';
import { networkPagesRouter } from './pages/network.pages';
import { panelDecisionPagesRouter } from './pages/panel-decision.pages';
import { stageFormsPagesRouter } from './pages/stage-forms.pages';
import { stagePagesRouter } from './pages/stage.pages';
import { networkPeoplePagesRouter } from './pages/network-people.pages';
import { networkSetupPagesRouter } from './pages/network-setup.pages';
import { programmesPagesRouter } from './pages/programmes.pages';
import { staffPagesRouter } from './pages/staff.pages';
import { templatesPagesRouter } from './pages/templates.pages';
import { verifyPagesRouter } from './pages/verify.pages';
import { pagesRouter } from './pages/pages.routes';
import { signinPagesRouter } from './pages/signin.pages';
import { panelPagesRouter } from './pages/panel.pages';
import { readinessPagesRouter } from './pages/readiness.pages';
import { votesPagesRouter } from './pages/votes.pages';
import { renderPage } from './pages/views';
import { requestLogger } from './request-log';
import { openApiDocument } from './openapi';
import { mountRoutes, type RouteDef } from './route';
import { DEFAULT_RATE_LIMITS, RATE_LIMIT_WINDOW } from './route-edge';
import { actionsRoutes } from './routes/actions.routes';
import { codecRoutes } from './routes/codec.routes';
import { disputesRoutes } from './routes/disputes.routes';
import { documentsRoutes } from './routes/documents.routes';
import { evidenceRoutes } from './routes/evidence.routes';
import { formationRoutes } from './routes/formation.routes';
import { networkPeopleRoutes } from './routes/network-people.routes';
import { peopleRoutes } from './routes/people.routes';
import { panelRoutes } from './routes/panel.routes';
import { readinessRoutes } from './routes/readiness.routes';
import { recordsRoutes } from './routes/records.routes';
import { risksRoutes } from './routes/risks.routes';
import { signoffsRoutes } from './routes/signoffs.routes';
import { templatesRoutes } from './routes/templates.routes';
import { systemRoutes } from './routes/system.routes';
import { votesRoutes } from './routes/votes.routes';
import { createServices } from './services';

/**
 * CORS for the codec endpoint: the Temporal UI calls it from its own origin, with the staff sign-in
 * cookie when "include cross-origin credentials" is set there. Only the configured origins are
 * answered with CORS headers; a browser on any other origin gets nothing it may read.
 */
function codecCors(origins: string[]) {
  const allowed = new Set(origins);
  return (req: Request, res: Response, next: NextFunction) => {
    const origin = req.get('origin');
    res.append('Vary', 'Origin');
    const ok = origin !== undefined && allowed.has(origin);
    if (ok) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
    }
    if (req.method !== 'OPTIONS') return next();
    if (ok) {
      res.setHeader('Access-Control-Allow-Methods', 'POST');
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, Authorization');
      res.setHeader('Access-Control-Max-Age', '600');
    }
    res.status(204).end();
  };
}

/**
 * Headers on every answer, pages, files and the API alike: a Content-Security-Policy that runs only
 * our own scripts and styles (no inline ones; the NHS.UK fonts come from assets.nhs.uk) and lets no
 * page frame ours, no Referer (links carry secrets in their paths), nosniff, and HSTS when the
 * public URL is https.
 */
export function securityHeaders(https: boolean) {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'none'"],
        connectSrc: ["'self'"],
        fontSrc: ["'self'", 'https://assets.nhs.uk'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        imgSrc: ["'self'"],
        objectSrc: ["'none'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'"],
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    xFrameOptions: { action: 'deny' },
  });
}

/** Every route of the JSON API, in one table. */
export function apiRoutes(s: ReturnType<typeof createServices>): RouteDef[] {
  return [
    ...systemRoutes(s),
    ...recordsRoutes(s),
    ...networkPeopleRoutes(s),
    ...peopleRoutes(s),
    ...formationRoutes(s),
    ...evidenceRoutes(s),
    ...documentsRoutes(s),
    ...actionsRoutes(s),
    ...signoffsRoutes(s),
    ...templatesRoutes(s),
    ...votesRoutes(s),
    ...panelRoutes(s),
    ...readinessRoutes(s),
    ...disputesRoutes(s),
    ...risksRoutes(s),
    ...codecRoutes(s),
  ];
}

/** Builds the express app without listening, so tests can mount it. */
export function createApp(deps: ServerDeps): Express {
  const services = createServices(deps);
  const access = createAccessLayer(deps);
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy ?? 'loopback');

  app.use((req, res, next) => {
    res.locals.requestId = req.get('x-request-id')?.slice(0, 100) || crypto.randomUUID();
    res.setHeader('X-Request-Id', res.locals.requestId);
    next();
  });
  app.use(securityHeaders(deps.publicUrl.startsWith('https:')));
  app.use(requestLogger(deps.log));
  app.use(cookieParser());
  app.use('/static', express.static(path.join(__dirname, 'static'), { maxAge: '1h', index: false }));
  app.use('/assets', express.static(path.join(path.dirname(require.resolve('nhsuk-frontend/package.json')), 'dist', 'nhsuk'), { maxAge: '1d', index: false }));

  const routes = apiRoutes(services);
  const openapi = openApiDocument(routes, { title: 'Formwork API', version: '1', serverUrl: `${deps.publicUrl}/api/v1` });
  const api = express.Router();
  api.use('/codec', codecCors(deps.codecCorsOrigins));
  // a batch of history payloads can be larger than any request of our own
  api.use('/codec', express.json({ limit: '8mb' }));
  api.use(express.json({ limit: '1mb' }));
  api
    .route('/openapi.json')
    .get((_req, res) => {
      res.json(openapi);
    })
    .all((req, res) => {
      res.setHeader('Allow', 'GET, HEAD');
      throw new AppError('METHOD_NOT_ALLOWED', `${req.method} is not supported here; this path takes GET, HEAD.`);
    });
  mountRoutes(api, routes, { access, resolveLink: services.resolveLink, rateLimit: deps.rateLimit, validateResponses: deps.validateResponses });
  api.use(() => {
    throw new AppError('NOT_FOUND', 'No such API route. See /api/v1/openapi.json.');
  });
  app.use('/api/v1', api);

  // links are looked up by their secret: one address may not try them in bulk (each link has its own limit too)
  app.use('/a', rateLimit({ ...RATE_LIMIT_WINDOW, limit: { ...DEFAULT_RATE_LIMITS, ...deps.rateLimit }.actionsPerMinutePerIp }));
  // in this order: the first router that answers a path wins
  const pageRouters = [
    signinPagesRouter,
    mePagesRouter,
    // programme set-up (before the readiness pages: /programmes/new is not a programme id)
    programmesPagesRouter,
    networkSetupPagesRouter,
    networkPeoplePagesRouter,
    staffPagesRouter,
    templatesPagesRouter,
    verifyPagesRouter,
    // ballot links (/a/<token> of kind vote or ballot) and motion/election pages; other links fall through
    votesPagesRouter,
    disputesPagesRouter,
    // score links (/a/<token> of kind score) and the programme dashboard
    panelPagesRouter,
    readinessPagesRouter,
    // a network's formation, stages, panel decisions, motions and elections
    networkPagesRouter,
    stagePagesRouter,
    stageFormsPagesRouter,
    panelDecisionPagesRouter,
    motionsPagesRouter,
    electionsPagesRouter,
    pagesRouter,
  ];
  for (const router of pageRouters) app.use(router(services, access));
  app.use((_req, res) => {
    res
      .status(404)
      .type('html')
      .send(renderPage('message', 'Page not found', { heading: 'Page not found', message: 'If you typed the web address, check it is correct.' }));
  });
  app.use(errorMiddleware(deps.log));
  if (deps.warmReadiness) {
    const started = Date.now();
    services.readiness.warm().then(
      (networks) => deps.log.info({ networks, ms: Date.now() - started }, 'readiness rows gathered'),
      (err: unknown) =>
        deps.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'readiness rows not gathered at start; the first read gathers them'),
    );
  }
  return app;
}
