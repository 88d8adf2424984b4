import { z } from 'zod';
import { type RouteDef } from './route';
import { edgeSchemas, errorStatuses } from './route-edge';

type JsonSchema = Record<string, unknown> & { properties?: Record<string, unknown>; required?: string[] };

const jsonSchema = (s: z.ZodType): JsonSchema => {
  const out = z.toJSONSchema(s, { target: 'draft-2020-12', unrepresentable: 'any', io: 'input' }) as JsonSchema;
  delete out.$schema;
  return out;
};

const ERROR_WORDS: Record<number, string> = {
  400: 'Malformed: a path parameter, the query string or the JSON body (see error.details)',
  401: 'No credential, or one that is not valid',
  403: 'The credential does not allow this here',
  404: 'No such thing, or not one the caller may see',
  409: 'Refused by the state of things (see error.code)',
  410: 'The link has expired or was superseded',
  413: 'The request body is too large',
  415: 'The body is not of the content type this route takes',
  422: 'Well formed but not valid (see error.details: each with the path of the field)',
  429: 'Too many requests; wait a minute',
  503: 'The workflow service or the database is unavailable; try again',
};

const errorSchema = {
  type: 'object',
  required: ['error', 'requestId'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string', pattern: '^[A-Z][A-Z0-9_]*$' }, message: { type: 'string' }, details: {} },
    },
    requestId: { type: 'string' },
  },
};

/** The answers of a route: its success, the errors its shape implies, and any it documents itself. */
function responsesOf(route: RouteDef): Record<string, unknown> {
  const status = route.status ?? 200;
  const content: Record<string, unknown> = {};
  if (route.response) content['application/json'] = { schema: jsonSchema(route.response) };
  if (route.produces) content[route.produces] = { schema: { type: 'string', format: 'binary' } };
  const responses: Record<string, unknown> = {
    [String(status)]: status === 204 ? { description: 'Done; no content' } : { description: 'Success', content },
  };
  for (const code of errorStatuses(route)) {
    responses[String(code)] = { description: ERROR_WORDS[code] ?? 'An error', content: { 'application/json': { schema: errorSchema } } };
  }
  for (const [code, other] of Object.entries(route.otherResponses ?? {})) {
    responses[code] = { description: other.description, content: { 'application/json': { schema: jsonSchema(other.schema) } } };
  }
  return responses;
}

/** OpenAPI 3.1 for the route table, with JSON Schemas generated from the schemas the edge enforces. */
export function openApiDocument(routes: RouteDef[], info: { title: string; version: string; serverUrl: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const schemas = edgeSchemas(route);
    const openPath = route.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const parameters: unknown[] = [];
    if (schemas.params) {
      const ps = jsonSchema(schemas.params);
      for (const [name, schema] of Object.entries(ps.properties ?? {})) parameters.push({ name, in: 'path', required: true, schema });
    }
    const qs = jsonSchema(schemas.query);
    for (const [name, schema] of Object.entries(qs.properties ?? {})) {
      const described = name === 'token' && route.link?.in === 'query' ? { description: 'the action link this file was sent with' } : {};
      parameters.push({ name, in: 'query', required: qs.required?.includes(name) ?? false, schema, ...described });
    }
    const op: Record<string, unknown> = {
      operationId: `${route.method}${openPath.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
      summary: route.summary,
      tags: [route.tag],
      parameters,
      responses: responsesOf(route),
      security: route.policy ? [{ bearer: [] }] : [],
      'x-access': route.policy ? { action: route.policy.action, scope: route.policy.scope ? Object.keys(route.policy.scope)[0] : null } : route.access,
    };
    if (schemas.body) op.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(schemas.body) } } };
    if (schemas.optionalBody) op.requestBody = { required: false, content: { 'application/json': { schema: jsonSchema(schemas.optionalBody) } } };
    // a raw body is taken as sent, whatever its type but a form's (route.ts): the file's own type, or octet-stream
    if (route.rawBody)
      op.requestBody = {
        required: true,
        content: Object.fromEntries(
          [route.rawBody.contentType, 'application/octet-stream'].map((type) => [type, { schema: { type: 'string', format: 'binary' } }]),
        ),
      };
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
