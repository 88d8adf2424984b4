import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { ActionKind } from '../domain/action-kinds';
import type { AccessAction, AccessScope } from '../domain/access/actions';
import { type Actor, actorLabel, authorize, authorizeLinkRoute, type PersonActor } from '../domain/access/policy';
import { type AccessLayer, forbiddenMessage, linkActor, refuse } from './access';
import type { ActionLink, LinkResolver } from './action-links';
import { AppError, zodDetails } from './errors';

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
  params?: P;
  query?: Q;
  body?: B;
  /** a JSON body that may be left out (validated as {} when absent) */
  optionalBody?: B;
  /** a raw (non-JSON) body, e.g. a PDF upload */
  rawBody?: { contentType: string; limit: string };
  status?: number;
  response?: z.ZodType;
  /** other content types this route answers with, e.g. application/pdf */
  produces?: string;
  handler(ctx: RouteContext<z.infer<P>, z.infer<Q>, z.infer<B>>): Promise<unknown>;
}

export function defineRoute<P extends AnyObject, Q extends AnyObject, B extends z.ZodType>(def: RouteDef<P, Q, B>): RouteDef {
  return def as unknown as RouteDef;
}

function parse<T>(schema: z.ZodType<T> | undefined, value: unknown, code: 'MALFORMED_REQUEST' | 'VALIDATION_FAILED', what: string): T {
  if (!schema) return value as T;
  const result = schema.safeParse(value);
  if (!result.success) throw new AppError(code, `The ${what} is not valid.`, zodDetails(result.error));
  return result.data;
}

/** Why a route definition cannot be mounted: every route is public, link-authenticated, or under the policy. */
export function routeProblem(route: RouteDef, supports: (spec: ScopeSpec) => boolean): string | null {
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

const NEED_CREDENTIAL = 'This needs a credential: send "Authorization: Bearer <token>", or sign in.';
const NEED_CREDENTIAL_OR_LINK = 'Sign in, send "Authorization: Bearer <token>", or the link this file was sent with (?token=).';

/** Resolves an action link for the route layer: an unknown one is refused as `decision`; any other failure is the server's. */
async function linkOrRefuse(res: Response, resolveLink: LinkResolver, secret: unknown, kinds: readonly ActionKind[], decision: 'not-found' | 'unauthenticated', message?: string): Promise<ActionLink> {
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
async function admit(route: RouteDef, req: Request, res: Response, access: AccessLayer, resolveLink: LinkResolver): Promise<Admission> {
  const auth = await access.authenticate(req, route.policy?.cookie ? { cookie: true } : {});
  if (route.access === 'token') {
    const params = parse(route.params, req.params, 'MALFORMED_REQUEST', 'path');
    const link = await linkOrRefuse(res, resolveLink, req.params.token, route.link!.kinds, 'not-found');
    const actor = linkActor(link);
    const decision = authorizeLinkRoute(actor, route.link!.kinds);
    if (decision !== 'allow') refuse(res, decision, 'This link is not valid here.');
    return { actor, link, scope: null, params };
  }
  if (!route.policy) return { actor: auth.actor, link: null, scope: null, params: parse(route.params, req.params, 'MALFORMED_REQUEST', 'path') };

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
  const params = parse(route.params, req.params, 'MALFORMED_REQUEST', 'path');
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
    await access.auditRead(actor, { action: route.policy.action, route: `${route.method.toUpperCase()} ${route.path}`, params: named }, scope?.networkId ?? null);
  }
  return { actor, link, scope, params };
}

/**
 * Mounts route definitions on a router. Before any handler runs, the caller is admitted (see
 * `admit`); then query and body are validated. Handlers never check roles themselves.
 */
export function mountRoutes(router: Router, routes: RouteDef[], access: AccessLayer, resolveLink: LinkResolver): void {
  for (const route of routes) {
    const problem = routeProblem(route, (spec) => access.supports(spec));
    if (problem) throw new Error(problem);
    const middlewares = route.rawBody ? [express.raw({ type: () => true, limit: route.rawBody.limit })] : [];
    router[route.method](route.path, ...middlewares, async (req: Request, res: Response) => {
      const { actor, link, scope, params } = await admit(route, req, res, access, resolveLink);
      const query = parse(route.query, { ...(req.query as object) }, 'MALFORMED_REQUEST', 'query string');
      let body: unknown = undefined;
      if (route.rawBody) body = req.body;
      else if (route.body) {
        if (req.body === undefined || req.body === null || typeof req.body !== 'object') {
          throw new AppError('MALFORMED_REQUEST', 'A JSON object body is required (Content-Type: application/json).');
        }
        body = parse(route.body, req.body, 'VALIDATION_FAILED', 'request body');
      } else if (route.optionalBody) {
        body = parse(route.optionalBody, req.body ?? {}, 'VALIDATION_FAILED', 'request body');
      }
      const person = actor.kind === 'person' ? actor : null;
      const staff = person ? { personId: person.personId, name: actorLabel(person) } : null;
      const result = await route.handler({ params, query, body, actor, person, staff, link, scope, req, res });
      if (res.headersSent) return;
      res.status(route.status ?? 200).json(result);
    });
  }
}

/** OpenAPI 3.1 for the route table, with JSON Schemas generated from the same zod schemas. */
export function openApiDocument(routes: RouteDef[], info: { title: string; version: string; serverUrl: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  const jsonSchema = (s: z.ZodType) => z.toJSONSchema(s, { target: 'draft-2020-12', unrepresentable: 'any', io: 'input' });
  const errorSchema = {
    type: 'object',
    required: ['error', 'requestId'],
    properties: {
      error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} } },
      requestId: { type: 'string' },
    },
  };
  for (const route of routes) {
    const openPath = route.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const parameters: unknown[] = [];
    for (const name of route.path.match(/:([A-Za-z]+)/g) ?? []) {
      parameters.push({ name: name.slice(1), in: 'path', required: true, schema: { type: 'string' } });
    }
    if (route.link?.in === 'query') {
      parameters.push({ name: 'token', in: 'query', required: !route.link.optional, description: 'the action link this file was sent with', schema: { type: 'string', minLength: 20, maxLength: 200 } });
    }
    if (route.query) {
      const qs = jsonSchema(route.query) as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, schema] of Object.entries(qs.properties ?? {})) {
        parameters.push({ name, in: 'query', required: qs.required?.includes(name) ?? false, schema });
      }
    }
    const responses: Record<string, unknown> = {
      [String(route.status ?? 200)]: {
        description: 'Success',
        content: route.produces ? { [route.produces]: { schema: { type: 'string', format: 'binary' } } } : { 'application/json': { schema: route.response ? jsonSchema(route.response) : {} } },
      },
      '4XX': { description: 'The request was wrong; see error.code', content: { 'application/json': { schema: errorSchema } } },
    };
    const op: Record<string, unknown> = {
      summary: route.summary,
      tags: [route.tag],
      parameters,
      responses,
      security: route.policy ? [{ bearer: [] }] : [],
      'x-access': route.policy ? { action: route.policy.action, scope: route.policy.scope ? Object.keys(route.policy.scope)[0] : null } : route.access,
    };
    if (route.body) op.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(route.body) } } };
    if (route.optionalBody) op.requestBody = { required: false, content: { 'application/json': { schema: jsonSchema(route.optionalBody) } } };
    if (route.rawBody) op.requestBody = { required: true, content: { [route.rawBody.contentType]: { schema: { type: 'string', format: 'binary' } } } };
    paths[openPath] = { ...(paths[openPath] ?? {}), [route.method]: op };
  }
  return {
    openapi: '3.1.0',
    info: { title: info.title, version: info.version },
    servers: [{ url: info.serverUrl }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}
