import express from 'express';
import { describe, expect, it } from 'vitest';
import { apiRoutes, securityHeaders } from '../../server/app';
import { openApiDocument } from '../../server/openapi';
import { routeProblem, type RouteDef } from '../../server/route';
import { errorStatuses, pathParams } from '../../server/route-edge';
import type { Services } from '../../server/services';

/** The route table the app mounts (handlers are not called here, so no services are needed to list it). */
const ROUTES: RouteDef[] = apiRoutes(new Proxy({}, { get: () => ({}) }) as Services);
const doc = openApiDocument(ROUTES, { title: 'Formwork API', version: '1', serverUrl: 'http://localhost/api/v1' });
type Op = {
  parameters: { name: string; in: string; required: boolean; schema: Record<string, unknown> }[];
  responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>;
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
};
const opOf = (route: RouteDef) => (doc.paths[route.path.replace(/:([A-Za-z]+)/g, '{$1}')] as Record<string, Op>)[route.method];

describe('the OpenAPI document describes every route as the server answers it', () => {
  it('has every route of the table, each with its success documented: a JSON schema, a file, or no content', () => {
    expect(ROUTES.length).toBeGreaterThan(80);
    const undocumented: string[] = [];
    for (const route of ROUTES) {
      const op = opOf(route);
      const success = op?.responses[String(route.status ?? 200)];
      const json = success?.content?.['application/json']?.schema;
      const ok =
        route.status === 204 ? success && !success.content : (json && Object.keys(json).length > 0) || (route.produces && success?.content?.[route.produces]);
      if (!ok) undocumented.push(`${route.method.toUpperCase()} ${route.path}`);
    }
    expect(undocumented).toEqual([]);
  });

  it('refuses to mount a route that documents no answer (so a new route without one fails at start-up)', () => {
    const bare = { method: 'get', path: '/new-thing/:id', tag: 'x', summary: 'x', access: 'public', handler: async () => ({}) } as RouteDef;
    expect(routeProblem(bare, () => true)).toMatch(/declare the path parameter id/);
    expect(routeProblem({ ...bare, path: '/new-thing' }, () => true)).toMatch(/declare its response/);
    expect(ROUTES.map((r) => routeProblem(r, () => true)).filter(Boolean)).toEqual([]);
  });

  it('documents the errors each route can answer, in the error shape', () => {
    for (const route of ROUTES) {
      const op = opOf(route);
      const name = `${route.method.toUpperCase()} ${route.path}`;
      for (const status of errorStatuses(route)) {
        expect(op.responses[String(status)]?.content?.['application/json']?.schema, `${name} ${status}`).toBeDefined();
      }
      expect(op.responses['400'], name).toBeDefined();
      if (route.policy) for (const s of ['401', '403', '404']) expect(op.responses[s], `${name} ${s}`).toBeDefined();
      if (route.access === 'public' || route.access === 'token') expect(op.responses['429'], `${name} 429`).toBeDefined();
      if (route.body || route.rawBody) for (const s of ['413', '415', '422']) expect(op.responses[s], `${name} ${s}`).toBeDefined();
    }
    // health answers 503 with its own body, naming the dependency that is down
    const health = opOf(ROUTES.find((r) => r.path === '/health')!);
    expect(health.responses['503'].content!['application/json'].schema).toMatchObject({ properties: { database: { enum: ['ok', 'down'] } } });
  });

  it('gives every path parameter the limits the server checks (the spec and the server agree)', () => {
    for (const route of ROUTES) {
      const declared = opOf(route)
        .parameters.filter((p) => p.in === 'path')
        .map((p) => p.name)
        .sort();
      expect(declared, route.path).toEqual(pathParams(route.path).sort());
    }
    const token = opOf(ROUTES.find((r) => r.path === '/actions/:token' && r.method === 'get')!).parameters[0].schema;
    expect(token).toMatchObject({ type: 'string', minLength: 20, maxLength: 200, pattern: expect.any(String) });
    const id = opOf(ROUTES.find((r) => r.path === '/networks/:id' && r.method === 'get')!).parameters[0].schema;
    expect(id).toMatchObject({ type: 'string', minLength: 1, maxLength: 64 });
  });

  it('documents date-times and dates in the formats the server accepts', () => {
    const motion = opOf(ROUTES.find((r) => r.path === '/networks/:id/motions' && r.method === 'post')!).requestBody!.content['application/json'].schema;
    expect(motion).toMatchObject({ properties: { closesAt: { type: 'string', format: 'date-time' } } });
    const wave = opOf(ROUTES.find((r) => r.path === '/programmes/:id/waves')!).requestBody!.content['application/json'].schema;
    expect(wave).toMatchObject({ properties: { panelDate: { type: 'string', format: 'date', pattern: expect.stringContaining('(19|20|21)') } } });
  });

  it('documents bodies and query strings as closed: unknown keys are refused, at any depth', () => {
    const programme = opOf(ROUTES.find((r) => r.path === '/programmes' && r.method === 'post')!).requestBody!.content['application/json'].schema as {
      additionalProperties: boolean;
      properties: { footprint: { additionalProperties: boolean } };
    };
    expect(programme.additionalProperties).toBe(false);
    expect(programme.properties.footprint.additionalProperties).toBe(false);
    const issue = opOf(ROUTES.find((r) => r.path === '/networks/:id/stages/:stage/issue')!).requestBody!.content['application/json'].schema;
    expect(issue).toMatchObject({ additionalProperties: false, properties: { signingRule: { additionalProperties: false } } });
    // a file a link opens takes its ?token= and nothing else
    const pdf = opOf(ROUTES.find((r) => r.path === '/documents/:id/pdf')!);
    expect(pdf.parameters.filter((p) => p.in === 'query').map((p) => p.name)).toEqual(['token']);
  });

  it('describes GET /actions/:token as one shape per kind of link', () => {
    const schema = opOf(ROUTES.find((r) => r.path === '/actions/:token' && r.method === 'get')!).responses['200'].content!['application/json'].schema as {
      oneOf: { properties: { kind: { const?: string; enum?: string[] } } }[];
    };
    const kinds = schema.oneOf.flatMap((s) => s.properties.kind.const ?? s.properties.kind.enum ?? []);
    expect(kinds.sort()).toEqual(['ballot', 'dispute-case', 'dispute-external', 'score', 'sign', 'vote']);
  });
});

describe('security headers', () => {
  async function headersOf(https: boolean) {
    const app = express();
    app.use(securityHeaders(https));
    app.get('/', (_req, res) => res.send('ok'));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as { port: number }).port}/`);
      return res.headers;
    } finally {
      await new Promise((r) => server.close(r));
    }
  }

  it('runs only our own scripts and styles, is framed by no one, sends no Referer, and no sniffing', async () => {
    const h = await headersOf(false);
    const csp = h.get('content-security-policy')!;
    for (const directive of [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "frame-ancestors 'none'",
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'self'",
    ])
      expect(csp).toContain(directive);
    expect(csp).not.toContain('unsafe-inline');
    expect(h.get('referrer-policy')).toBe('no-referrer');
    expect(h.get('x-content-type-options')).toBe('nosniff');
    expect(h.get('x-frame-options')).toBe('DENY');
    // over plain HTTP (the embedded default on localhost) a browser must not be told to insist on HTTPS
    expect(h.get('strict-transport-security')).toBeNull();
    expect(csp).not.toContain('upgrade-insecure-requests');
  });

  it('adds HSTS when the public URL is https', async () => {
    const h = await headersOf(true);
    expect(h.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
    expect(h.get('content-security-policy')).toContain('upgrade-insecure-requests');
  });
});
