import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { ActionKind } from '../domain/action-kinds';
import type { AccessAction, AccessScope } from '../domain/access/actions';
import { type Actor, actorLabel, authorize, authorizeLinkRoute, type PersonActor } from '../domain/access/policy';
import { type AccessLayer, forbiddenMessage, linkActor, refuse } from './access';
import type { ActionLink, LinkResolver } from './action-links';
import { AppError, zodDetails } from './errors';
import { edgeSchemas, type EdgeSchemas, inMatchOrder, methodGuard, pathParams, rateLimiters, type RateLimits } from './route-edge';
import { unstorableText } from './strict';

/**
 * How a route is reached without the access policy: `public` for anyone (health, verifying a PDF,
 * signing in), `token` for a route an action link alone authenticates (`:token` in the path, with
 * `link` naming the kinds it accepts). Every other route declares a `policy`.
 */
export type Access = 'public' | 'token';

/**
 * The action link a route accepts: the kinds it takes, and where the secret is (the `:token` path
 * parameter, or `?token=` for a file a link points at). The route layer resolves it once and hands
 * the handler the link; services never look a token up themselves.
 */
export interface LinkSpec {
  kinds: readonly ActionKind[];
  in?: 'path' | 'query';
  /** with `in: 'query'`: a person's credential may stand instead of the link */
  optional?: boolean;
}

/**
 * How the route layer finds the scope of a route's resource: the entity kind and the name of the
 * path parameter (or, for `…InBody` / `…InQuery`, the body or query field) holding its id. The
 * resolver (server/access.ts) looks the entity up once (an unknown id is a 404) and hands the
 * policy its programme and network.
 */
export type ScopeSpec =
  | { programme: string }
  | { wave: string }
  | { network: string }
  | { document: string }
  | { signoff: string }
  | { motion: string }
  | { election: string }
  | { dispute: string }
  | { sealed: string }
  | { grant: string }
  | { apiToken: string }
  | { personInQuery: string }
  | { programmeInBody: string }
  | { programmesInBody: string }
  | { networkInBody: string };

/** Who may call a route: the action it performs and where (see domain/access/policy.ts). */
export interface PolicySpec {
  action: AccessAction;
  /** absent for actions outside any programme (creating one, one's own tokens, lists the service filters) */
  scope?: ScopeSpec;
  /** reading this is audited (an `access.read` event as access is granted): the outbox, evidence */
  audit?: boolean;
  /**
   * The session cookie is accepted on this route whatever its method. Only for routes that change
   * nothing and answer browsers of allow-listed origins alone (CORS), such as Temporal's remote
   * codec, which the Temporal UI calls with POST and the staff sign-in cookie.
   */
  cookie?: boolean;
}

/** The person calling, as handlers that only need a name for the audit log see them. */
export interface StaffPrincipal {
  personId: string;
  /** how the audit log names the caller: `person:<id> token:<id>` or `person:<id> session:<id>` */
  name: string;
}

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** who is calling: a person, an action link's holder, or anonymous (public routes) */
  actor: Actor;
  /** the person calling, on routes a person's credential reached */
  person: PersonActor | null;
  /** the same person, named for the audit log (kept for handlers that pass `staff.name` on) */
  staff: StaffPrincipal | null;
  /** the resolved action link, on routes that declare `link` */
  link: ActionLink | null;
  /** where the resource stands, as the policy saw it */
  scope: AccessScope | null;
  req: Request;
  res: Response;
}

type AnyObject = z.ZodType<Record<string, unknown>>;

/**
 * Which per-IP rate limit an unauthenticated route shares (server/route-edge.ts): `public` (the
 * default for `access: 'public'`), `lookup` (a code or secret looked up, such as a ballot receipt:
 * tighter, so codes cannot be tried in bulk) or `verify` (a PDF parsed on our time).
 */
export type RateClass = 'public' | 'lookup' | 'verify';

/** One API route: its schemas are the validation at the edge and the source of the OpenAPI document. */
export interface RouteDef<P extends AnyObject = AnyObject, Q extends AnyObject = AnyObject, B extends z.ZodType = z.ZodType> {
  method: 'get' | 'post' | 'put' | 'delete';
  path: string;
  summary: string;
  tag: string;
  /** set only for routes outside the policy: `public`, or `token` (an action link in the path) */
  access?: Access;
  /** the action and scope the access policy decides on */
  policy?: PolicySpec;
  link?: LinkSpec;
  /** every `:param` of the path, with its schema (the OpenAPI document gives each its limits) */
  params?: P;
  /** the query string; keys it does not name are refused (400) */
  query?: Q;
  /** a JSON body; keys its schema does not name are refused (422), at any depth */
  body?: B;
  /** a JSON body that may be left out (validated as {} when absent) */
  optionalBody?: B;
  /** a raw (non-JSON) body, e.g. a PDF upload */
  rawBody?: { contentType: string; limit: string };
  status?: number;
  /**
   * What a success answers, documented in the OpenAPI document and checked in tests: a JSON
   * `response` schema, a file (`produces`), or nothing (`status: 204`). A route declares at least one.
   */
  response?: z.ZodType;
  /** other content types this route answers with, e.g. application/pdf */
  produces?: string;
  /** answers other than the success and the documented errors, e.g. health's 503 with its own body */
  otherResponses?: Record<number, { description: string; schema: z.ZodType }>;
  /** statuses of the error body this route may answer besides those its shape implies (route-edge.ts `errorStatuses`) */
  errors?: number[];
  /** the per-IP rate limit of a public route (default `public`) */
  rateLimit?: RateClass;
  handler(ctx: RouteContext<z.infer<P>, z.infer<Q>, z.infer<B>>): Promise<unknown>;
}

export function defineRoute<P extends AnyObject, Q extends AnyObject, B extends z.ZodType>(def: RouteDef<P, Q, B>): RouteDef {
  return def as unknown as RouteDef;
}

function parse<T>(schema: z.ZodType<T> | null | undefined, value: unknown, code: 'MALFORMED_REQUEST' | 'VALIDATION_FAILED', what: string): T {
  if (!schema) return value as T;
  const result = schema.safeParse(value);
  if (!result.success) throw new AppError(code, `The ${what} is not valid.`, zodDetails(result.error));
  return result.data;
}

/** Refuses a request part holding a character no store can keep, before anything reads it. */
function storable(value: unknown, code: 'MALFORMED_REQUEST' | 'VALIDATION_FAILED', what: string): void {
  const problem = unstorableText(value);
  if (problem) throw new AppError(code, `The ${what} is not valid.`, [problem]);
}

/** Why a route definition cannot be mounted: every route is public, link-authenticated, or under the policy, and documents its answer. */
export function routeProblem(route: RouteDef, supports: (spec: ScopeSpec) => boolean): string | null {
  return accessProblem(route, supports) ?? shapeProblem(route);
}

function accessProblem(route: RouteDef, supports: (spec: ScopeSpec) => boolean): string | null {
  const name = `${route.method.toUpperCase()} ${route.path}`;
  if (route.access === 'public') return route.policy || route.link ? `${name}: a public route has no policy and takes no link` : null;
  if (route.access === 'token') {
    if (!route.link || route.link.in === 'query') return `${name}: a token route must declare the link kinds it accepts in its path`;
    return route.policy ? `${name}: a token route is authorised by its link alone; declare no policy` : null;
  }
  if (!route.policy) return `${name}: declare a policy ({ action, scope }), or access: 'public' | 'token'`;
  if (route.link && route.link.in !== 'query') return `${name}: a link in the path makes a token route (access: 'token')`;
  if (route.policy.scope && !supports(route.policy.scope)) return `${name}: no scope resolver for ${Object.keys(route.policy.scope)[0]}`;
  return null;
}

/** The OpenAPI document must say what the server does: every path parameter has a schema, every success a shape. */
function shapeProblem(route: RouteDef): string | null {
  const name = `${route.method.toUpperCase()} ${route.path}`;
  const declared = route.params && 'shape' in route.params ? Object.keys((route.params as z.ZodObject).shape) : [];
  const inPath = pathParams(route.path);
  const undeclared = inPath.filter((p) => !declared.includes(p));
  if (undeclared.length) return `${name}: declare the path parameter ${undeclared.join(', ')} in params (a z.object with a schema for each)`;
  const extra = declared.filter((p) => !inPath.includes(p));
  if (extra.length) return `${name}: params names ${extra.join(', ')}, which is not in the path`;
  if (!route.response && !route.produces && route.status !== 204)
    return `${name}: declare its response (a zod schema), produces (a file's content type) or status: 204`;
  return null;
}

const NEED_CREDENTIAL = 'This needs a credential: send "Authorization: Bearer <token>", or sign in.';
const NEED_CREDENTIAL_OR_LINK = 'Sign in, send "Authorization: Bearer <token>", or the link this file was sent with (?token=).';

/** Resolves an action link for the route layer: an unknown one is refused as `decision`; any other failure is the server's. */
async function linkOrRefuse(
  res: Response,
  resolveLink: LinkResolver,
  secret: unknown,
  kinds: readonly ActionKind[],
  decision: 'not-found' | 'unauthenticated',
  message?: string,
): Promise<ActionLink> {
  return resolveLink(secret, kinds).catch((err: unknown) => {
    if (err instanceof AppError && err.code === 'NOT_FOUND') refuse(res, decision, message ?? err.message);
    throw err;
  });
}

interface Admission {
  actor: Actor;
  link: ActionLink | null;
  scope: AccessScope | null;
  params: Record<string, unknown>;
}

/**
 * Who may come in: a token route by its link alone; a policy route by the caller's credential (or
 * the link a file was sent with), the resource's scope and the policy's decision; a public route
 * by anyone. Refusals are 401, 403 or 404, said before anything about the resource is read.
 */
async function admit(route: RouteDef, schemas: EdgeSchemas, req: Request, res: Response, access: AccessLayer, resolveLink: LinkResolver): Promise<Admission> {
  const auth = await access.authenticate(req, route.policy?.cookie ? { cookie: true } : {});
  if (route.access === 'token') {
    const params = parse(schemas.params, req.params, 'MALFORMED_REQUEST', 'path');
    const link = await linkOrRefuse(res, resolveLink, req.params.token, route.link!.kinds, 'not-found');
    const actor = linkActor(link);
    const decision = authorizeLinkRoute(actor, route.link!.kinds);
    if (decision !== 'allow') refuse(res, decision, 'This link is not valid here.');
    return { actor, link, scope: null, params };
  }
  if (!route.policy) return { actor: auth.actor, link: null, scope: null, params: parse(schemas.params, req.params, 'MALFORMED_REQUEST', 'path') };

  let actor = auth.actor;
  let link: ActionLink | null = null;
  const needCredential = auth.problem ?? (route.link ? NEED_CREDENTIAL_OR_LINK : NEED_CREDENTIAL);
  if (route.link?.in === 'query') {
    const secret = (req.query as Record<string, unknown>).token;
    if (secret === undefined && !route.link.optional) refuse(res, 'unauthenticated', 'Send the link this file was sent with (?token=).');
    if (secret !== undefined) {
      // a link presented for a resource is a credential: one that does not fit is a 401, not a 404
      link = await linkOrRefuse(res, resolveLink, secret, route.link.kinds, 'unauthenticated', 'This link is not valid for this file.');
      actor = linkActor(link);
    }
  }
  // nothing about the resource is said to a caller without a credential, not even a malformed id
  if (actor.kind === 'anonymous') refuse(res, 'unauthenticated', needCredential);
  const params = parse(schemas.params, req.params, 'MALFORMED_REQUEST', 'path');
  const input = { params, query: req.query as Record<string, unknown>, body: req.body };
  let scope: AccessScope | null = null;
  if (route.policy.scope) {
    const resolved = await access.resolve(route.policy.scope, input);
    if ('notFound' in resolved) refuse(res, 'not-found', resolved.notFound);
    scope = resolved.scope;
  }
  const decision = authorize(actor, route.policy.action, scope);
  if (decision === 'not-found') refuse(res, decision, access.notFoundMessage(route.policy.scope!, input));
  if (decision === 'forbidden') refuse(res, decision, forbiddenMessage(route.policy.action));
  if (decision === 'unauthenticated') refuse(res, decision, needCredential);
  if (route.policy.audit) {
    const named = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)]));
    await access.auditRead(
      actor,
      { action: route.policy.action, route: `${route.method.toUpperCase()} ${route.path}`, params: named },
      scope?.networkId ?? null,
    );
  }
  return { actor, link, scope, params };
}

/** What the route layer needs besides the routes. */
export interface MountOptions {
  access: AccessLayer;
  resolveLink: LinkResolver;
  rateLimit?: RateLimits;
  /**
   * Check every JSON success against the route's `response` schema and answer a 500 naming the
   * difference when it does not match (tests turn this on, so a drifting schema fails a test).
   */
  validateResponses?: boolean;
}

/**
 * Mounts route definitions on a router. A method the path does not take is a 405; an unauthenticated
 * route is rate limited; a request holding characters no store can keep is refused; then the caller
 * is admitted (see `admit`) and query and body are validated with unknown keys refused. Handlers
 * never check roles themselves.
 */
export function mountRoutes(router: Router, routes: RouteDef[], opts: MountOptions): void {
  const { access, resolveLink } = opts;
  const limiters = rateLimiters(opts.rateLimit);
  router.use(methodGuard(routes));
  for (const route of inMatchOrder(routes)) {
    const problem = routeProblem(route, (spec) => access.supports(spec));
    if (problem) throw new Error(problem);
    const schemas = edgeSchemas(route);
    const middlewares = [...limiters.forRoute(route), ...(route.rawBody ? [express.raw({ type: () => true, limit: route.rawBody.limit })] : [])];
    router[route.method](route.path, ...middlewares, async (req: Request, res: Response) => {
      storable(req.params, 'MALFORMED_REQUEST', 'path');
      storable(req.query, 'MALFORMED_REQUEST', 'query string');
      if (!route.rawBody) storable(req.body, 'VALIDATION_FAILED', 'request body');
      const { actor, link, scope, params } = await admit(route, schemas, req, res, access, resolveLink);
      const query = parse(schemas.query, { ...(req.query as object) }, 'MALFORMED_REQUEST', 'query string');
      let body: unknown = undefined;
      if (route.rawBody) body = req.body;
      else if (schemas.body) {
        if (req.body === undefined || req.body === null || typeof req.body !== 'object') {
          throw new AppError('MALFORMED_REQUEST', 'A JSON object body is required (Content-Type: application/json).');
        }
        body = parse(schemas.body, req.body, 'VALIDATION_FAILED', 'request body');
      } else if (schemas.optionalBody) {
        body = parse(schemas.optionalBody, req.body ?? {}, 'VALIDATION_FAILED', 'request body');
      }
      const person = actor.kind === 'person' ? actor : null;
      const staff = person ? { personId: person.personId, name: actorLabel(person) } : null;
      const result = await route.handler({ params, query, body, actor, person, staff, link, scope, req, res });
      if (res.headersSent) return;
      if (opts.validateResponses && route.response) {
        const checked = route.response.safeParse(result === undefined ? undefined : JSON.parse(JSON.stringify(result)));
        if (!checked.success)
          throw new AppError(
            'INTERNAL',
            `The answer of ${route.method.toUpperCase()} ${route.path} does not match its documented schema.`,
            zodDetails(checked.error),
          );
      }
      res.status(route.status ?? 200).json(result);
    });
  }
}
