import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { StaffRole } from '../db/repos/tokens.repo';
import type { ActionKind } from '../domain/action-kinds';
import type { AccessAction } from '../domain/access/actions';
import type { ActionLink, LinkResolver } from './action-links';
import { AppError, zodDetails } from './errors';

/** Who may call a route. `staff` is any staff role; `token` routes authenticate by their action link. */
export type Access = 'public' | 'token' | 'staff' | 'facilitator';

/**
 * The action link a route accepts: the kinds it takes, and where the secret is (the `:token` path
 * parameter, or `?token=` for a file a link points at). The route layer resolves it once and hands
 * the handler the link; services never look a token up themselves.
 */
export interface LinkSpec {
  kinds: readonly ActionKind[];
  in?: 'path' | 'query';
  /** with `in: 'query'`: a staff credential may stand instead of the link */
  optional?: boolean;
}

/**
 * How the route layer finds the scope of a route's resource: the entity kind and the name of the
 * path parameter (or, for `…InBody`, the body field) holding its id. The resolver looks the entity
 * up once (an unknown id is a 404) and hands the policy its programme and network.
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
  | { programmeInBody: string }
  | { networkInBody: string };

/** Who may call a route: the action it performs and where (see domain/access/policy.ts). */
export interface PolicySpec {
  action: AccessAction;
  /** absent for actions outside any programme (creating one, one's own tokens) */
  scope?: ScopeSpec;
}

export interface StaffPrincipal {
  tokenId: string;
  name: string;
  role: StaffRole;
}

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  staff: StaffPrincipal | null;
  /** the resolved action link, on routes that declare `link` */
  link: ActionLink | null;
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
  access: Access;
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

export type Authenticate = (req: Request, access: Access) => Promise<StaffPrincipal | null>;

/** Mounts route definitions on a router, validating params, query and body before the handler runs. */
export function mountRoutes(router: Router, routes: RouteDef[], authenticate: Authenticate, resolveLink: LinkResolver): void {
  for (const route of routes) {
    if (route.access === 'token' && !route.link) throw new Error(`${route.method} ${route.path}: a token route must declare the link kinds it accepts`);
    const middlewares = route.rawBody ? [express.raw({ type: () => true, limit: route.rawBody.limit })] : [];
    router[route.method](route.path, ...middlewares, async (req: Request, res: Response) => {
      const staff = await authenticate(req, route.access);
      const params = parse(route.params, req.params, 'MALFORMED_REQUEST', 'path');
      let link: ActionLink | null = null;
      if (route.link) {
        const secret = route.link.in === 'query' ? (req.query as Record<string, unknown>).token : req.params.token;
        if (route.link.in !== 'query') link = await resolveLink(secret, route.link.kinds);
        else if (secret !== undefined) {
          // a link presented for a resource is a credential: one that does not fit is a 401, not a 404
          link = await resolveLink(secret, route.link.kinds).catch(() => {
            throw new AppError('UNAUTHENTICATED', 'This link is not valid for this file.');
          });
        } else if (!route.link.optional || !staff) throw new AppError('UNAUTHENTICATED', 'Send a staff bearer token, or the link this file was sent with (?token=).');
      }
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
      const result = await route.handler({ params, query, body, staff, link, req, res });
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
      security: route.access === 'staff' || route.access === 'facilitator' ? [{ bearer: [] }] : [],
      'x-access': route.access,
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
