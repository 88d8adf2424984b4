import type { NextFunction, Request, RequestHandler, Response } from 'express';
import rateLimit from 'express-rate-limit';
import { z } from 'zod';
import { AppError } from './errors';
import type { RateClass, RouteDef } from './route';
import { strictDeep } from './strict';

/**
 * What the route layer does at the edge of every route, in one place so a new route gets it too:
 * the schemas as enforced (unknown keys refused), the answer to a method a path does not have (405),
 * per-IP rate limits of unauthenticated routes, and the error statuses each route documents.
 */

/** The schemas a route is validated with, and documented by: strict, with `?token=` for a link in the query. */
export interface EdgeSchemas {
  params: z.ZodObject | null;
  query: z.ZodType<Record<string, unknown>>;
  body: z.ZodType | null;
  optionalBody: z.ZodType | null;
}

const LINK_SECRET = z.string().min(20).max(200);
const cache = new WeakMap<RouteDef, EdgeSchemas>();

export function edgeSchemas(route: RouteDef): EdgeSchemas {
  const known = cache.get(route);
  if (known) return known;
  let query = (route.query as z.ZodObject | undefined) ?? z.object({});
  if (route.link?.in === 'query') query = query.extend({ token: route.link.optional ? LINK_SECRET.optional() : LINK_SECRET });
  const schemas: EdgeSchemas = {
    params: (route.params as z.ZodObject | undefined) ?? null,
    query: strictDeep(query) as z.ZodType<Record<string, unknown>>,
    body: route.body ? strictDeep(route.body) : null,
    optionalBody: route.optionalBody ? strictDeep(route.optionalBody) : null,
  };
  cache.set(route, schemas);
  return schemas;
}

/** The `:name` parameters of an express path. */
export function pathParams(path: string): string[] {
  return (path.match(/:([A-Za-z]+)/g) ?? []).map((p) => p.slice(1));
}

/**
 * How specific a path is, so `/documents/verify` is matched before `/documents/:id` (as OpenAPI
 * says concrete paths are): literal segments count from the left.
 */
function specificity(path: string): number[] {
  return path.split('/').map((segment) => (segment.startsWith(':') ? 0 : 1));
}

function compareSpecificity(a: string, b: string): number {
  const x = specificity(a);
  const y = specificity(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (y[i] ?? 0) - (x[i] ?? 0);
  }
  return 0;
}

/** Routes in the order express must try them: more specific paths first, otherwise as declared. */
export function inMatchOrder(routes: RouteDef[]): RouteDef[] {
  return routes
    .map((route, i) => ({ route, i }))
    .sort((a, b) => compareSpecificity(a.route.path, b.route.path) || a.i - b.i)
    .map(({ route }) => route);
}

/**
 * An unsupported method on a known path answers 405 with `Allow` (RFC 9110), and OPTIONS answers
 * 204 with the same header. The path is the most specific one of the table that matches, as
 * express will route it: `GET /documents/verify` is a 405, not a look-up of a document "verify".
 */
export function methodGuard(routes: RouteDef[]): RequestHandler {
  const byPath = new Map<string, Set<string>>();
  for (const route of routes) {
    const methods = byPath.get(route.path) ?? new Set<string>();
    methods.add(route.method.toUpperCase());
    if (route.method === 'get') methods.add('HEAD');
    byPath.set(route.path, methods);
  }
  const patterns = [...byPath.keys()].sort(compareSpecificity).map((path) => ({
    methods: byPath.get(path)!,
    regex: new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z]+/g, '[^/]+')}/?$`, 'i'),
  }));
  return (req: Request, res: Response, next: NextFunction) => {
    const match = patterns.find((p) => p.regex.test(req.path));
    if (!match || (match.methods.has(req.method) && req.method !== 'OPTIONS')) return next();
    const allow = [...match.methods].sort().join(', ');
    res.setHeader('Allow', allow);
    if (req.method === 'OPTIONS') return void res.status(204).end();
    next(new AppError('METHOD_NOT_ALLOWED', `${req.method} is not supported here; this path takes ${allow}.`, { allow: [...match.methods].sort() }));
  };
}

/**
 * Per-IP limits of the routes anyone may call. An action link's routes share one per-IP limit and
 * have one per link; a public route has the limit of its class, counted per route.
 */
export interface RateLimits {
  actionsPerMinutePerIp: number;
  actionsPerMinutePerToken: number;
  /** health and other public routes (each counted on its own) */
  publicPerMinutePerIp?: number;
  /** look-ups by a code (ballot receipts) */
  lookupsPerMinutePerIp?: number;
  /** POST /documents/verify */
  verifyPerMinutePerIp?: number;
}

export const DEFAULT_RATE_LIMITS: Required<RateLimits> = {
  actionsPerMinutePerIp: 600,
  actionsPerMinutePerToken: 60,
  publicPerMinutePerIp: 120,
  lookupsPerMinutePerIp: 30,
  verifyPerMinutePerIp: 60,
};

/** Every per-minute limit multiplied by `scale` (config RATE_LIMIT_SCALE). */
export function scaledRateLimits(scale: number): Required<RateLimits> {
  return Object.fromEntries(Object.entries(DEFAULT_RATE_LIMITS).map(([k, v]) => [k, v * scale])) as Required<RateLimits>;
}

/**
 * What every rate limiter shares: a minute's window, the standard headers, and no warning about an
 * X-Forwarded-For that express ignores. Which proxies are believed is TRUST_PROXY's decision: a
 * client naming an address of its choosing is counted under its own, which is the point.
 */
export const RATE_LIMIT_WINDOW = { windowMs: 60_000, standardHeaders: 'draft-8', legacyHeaders: false, validate: { xForwardedForHeader: false } } as const;

function limiter(limit: number, key?: (req: Request) => string): RequestHandler {
  return rateLimit({
    ...RATE_LIMIT_WINDOW,
    limit,
    ...(key ? { keyGenerator: key } : {}),
    handler: () => {
      throw new AppError('RATE_LIMITED', 'Too many requests; wait a minute and try again.');
    },
  });
}

/** Builds the limiters of a route table; `forRoute` gives the middlewares of one route (none for a route behind a credential). */
export function rateLimiters(given: RateLimits | undefined) {
  const limits = { ...DEFAULT_RATE_LIMITS, ...given };
  const perClass: Record<RateClass, number> = {
    public: limits.publicPerMinutePerIp,
    lookup: limits.lookupsPerMinutePerIp,
    verify: limits.verifyPerMinutePerIp,
  };
  const linkPerIp = limiter(limits.actionsPerMinutePerIp);
  const perLink = limiter(limits.actionsPerMinutePerToken, (req) => `t:${String(req.params.token)}`);
  return {
    forRoute(route: RouteDef): RequestHandler[] {
      if (route.access === 'token') return [linkPerIp, perLink];
      if (route.access === 'public') return [limiter(perClass[route.rateLimit ?? 'public'])];
      return [];
    },
  };
}

/** Whether a route is rate limited (and so may answer 429). */
export function isRateLimited(route: RouteDef): boolean {
  return route.access === 'token' || route.access === 'public';
}

/**
 * The error statuses a route may answer, from its shape: 400 for any malformed path, query or JSON;
 * 401/403/404 from the access layer; 404 for an id in the path; 409 and 422 for a change refused by
 * the state of things or its content; 410 for an expired or superseded link; 413/415 for a body;
 * 429 where rate limited; 503 when the workflow service or the database is unavailable.
 */
export function errorStatuses(route: RouteDef): number[] {
  const statuses = new Set<number>([400, 503, ...(route.errors ?? [])]);
  const hasBody = Boolean(route.body || route.optionalBody || route.rawBody);
  if (route.policy) [401, 403, 404].forEach((s) => statuses.add(s));
  if (route.access === 'token') [403, 404, 409, 410].forEach((s) => statuses.add(s));
  if (route.link) statuses.add(410);
  if (pathParams(route.path).length) statuses.add(404);
  if (route.method !== 'get') [409, 422].forEach((s) => statuses.add(s));
  if (hasBody) [413, 415, 422].forEach((s) => statuses.add(s));
  if (isRateLimited(route)) statuses.add(429);
  return [...statuses].sort((a, b) => a - b);
}
