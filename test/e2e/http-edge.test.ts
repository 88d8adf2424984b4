import { describe, expect, it } from 'vitest';
import { actionViewResponse } from '../../server/routes/action-views';
import { apiClient, type ApiClient, eventually, tokenFromLink } from '../support/api';
import { panelBody, waitForStage } from '../support/formation-driver';
import { useStack } from '../support/lifecycle';
import type { InProcessStack } from '../support/stack';

/**
 * The HTTP edge refuses what it would otherwise drop or mangle, answers a method a path does not
 * take with 405, sends its security headers on every answer, and every kind of action link answers
 * in its documented shape. (The stack checks every JSON answer against its route's schema, so any
 * answer here that drifted from the OpenAPI document would be a 500.)
 */
describe('HTTP edge: strict input, 405, headers, link views', () => {
  let stack: InProcessStack;
  let api: ApiClient;
  let anonymous: ApiClient;
  useStack({}, (env) => {
    ({ stack, api } = env);
    anonymous = apiClient(stack.baseUrl);
  });

  function expectError(res: { status: number; body: any }, status: number, code: string) {
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(res.body.error.code).toBe(code);
  }
  const programmeBody = (name: string) => ({ name, sponsor: 'Edge PCT', footprint: { minListSize: 1000, maxListSize: 90000 } });

  /** A network in formation with its wave's panel set: the panel pack is ready to issue. */
  async function networkAtPanelStage(tag: string) {
    const programme = (await api.post('/programmes', programmeBody(`Edge ${tag}`))).body;
    const wave = (await api.post(`/programmes/${programme.id}/waves`, { number: 1, panelDate: '2031-03-16' })).body;
    expect(
      (
        await api.put(
          `/waves/${wave.id}/panel`,
          panelBody('2031-03-16', [{ name: 'Ms Ida Scorer', email: `ida.${tag}@panel.example.org`, organisation: 'Edge PCT', external: true }]),
        )
      ).status,
    ).toBe(200);
    const person = (name: string, roles: string[]) => ({ name, email: `${name.toLowerCase().replace(/[^a-z]+/g, '.')}.${tag}@example.org`, roles });
    const network = await api.post('/networks', {
      programmeId: programme.id,
      waveId: wave.id,
      name: `Edge Network ${tag}`,
      practices: [
        { name: 'North Surgery', odsCode: 'E90001', listSize: 9000, people: [person('Dr Nia North', ['partner', 'board-member'])] },
        { name: 'South Surgery', odsCode: 'E90002', listSize: 8000, people: [person('Dr Sol South', ['partner', 'board-member'])] },
      ],
    });
    expect(network.status, JSON.stringify(network.body)).toBe(201);
    expect((await api.post(`/networks/${network.body.id}/formation`)).status).toBe(202);
    await waitForStage(api, network.body.id, 'panel-presentation', 'drafting');
    return { programme, wave, network: network.body };
  }

  it('refuses unknown keys in bodies and query strings with a 422/400 naming each, and does nothing', async () => {
    const misspelt = await api.post('/programmes', { ...programmeBody('Misspelt'), settings: { signingCodeByEmail: true, votWindowDays: 3 } });
    expectError(misspelt, 422, 'VALIDATION_FAILED');
    expect(misspelt.body.error.details).toEqual([{ path: 'settings.votWindowDays', message: expect.stringContaining('"votWindowDays" is not a field here') }]);
    expect((await api.get('/programmes')).body.map((p: { name: string }) => p.name)).not.toContain('Misspelt');

    const { network } = await networkAtPanelStage('strict');
    // a misspelt signingRule must not send the document out under the default rule
    const wrongKey = await api.post(`/networks/${network.id}/stages/panel-presentation/issue`, { signingRul: { partners: 'all-partners' } });
    expectError(wrongKey, 422, 'VALIDATION_FAILED');
    expect(wrongKey.body.error.details.map((d: { path: string }) => d.path)).toEqual(['signingRul']);
    const wrongInner = await api.post(`/networks/${network.id}/stages/panel-presentation/issue`, { signingRule: { partnres: 'all-partners' } });
    expect(wrongInner.body.error.details.map((d: { path: string }) => d.path)).toEqual(['signingRule.partnres']);
    const stage = (await api.get(`/networks/${network.id}/formation`)).body.stages[0];
    expect(stage).toMatchObject({ status: 'drafting', documents: [], signoff: null });

    // stage data is checked by the stage's own schema, strictly too
    const stageData = await api.put(`/networks/${network.id}/stages/panel-presentation`, { visoin: 'A typo of vision' });
    expectError(stageData, 422, 'VALIDATION_FAILED');
    expect(stageData.body.error.details.map((d: { path: string }) => d.path)).toEqual(['visoin']);

    // U+FFFE has no place in a document's XML: a motion titled with it is refused, not stored to break a DOCX later
    const motion = await api.post(`/networks/${network.id}/motions`, {
      title: 'Adopt \uFFFE the plan',
      decisionType: 'ordinary',
      closesAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expectError(motion, 422, 'VALIDATION_FAILED');
    expect(motion.body.error.details).toEqual([{ path: 'title', message: expect.stringContaining('a non-character (U+FFFE)') }]);

    const query = await api.get('/networks?programId=x');
    expectError(query, 400, 'MALFORMED_REQUEST');
    expect(query.body.error.details.map((d: { path: string }) => d.path)).toEqual(['programId']);
  });

  it('refuses characters no store can keep (NUL, half a character) anywhere in a request', async () => {
    const nul = await api.post('/programmes', programmeBody('Null\u0000Programme'));
    expectError(nul, 422, 'VALIDATION_FAILED');
    expect(nul.body.error.details).toEqual([{ path: 'name', message: expect.stringContaining('NUL character') }]);
    // a lone surrogate as JSON sends it (JSON.stringify would escape it the same way)
    const half = await api.call('POST', '/programmes', '{"name":"Half \\ud800 a character","sponsor":"PCT","footprint":{"minListSize":1,"maxListSize":2}}', {
      'content-type': 'application/json',
    });
    expectError(half, 422, 'VALIDATION_FAILED');
    expect(half.body.error.details[0]).toEqual({ path: 'name', message: expect.stringContaining('lone surrogate U+D800') });
    expectError(await api.get('/networks/a%00b'), 400, 'MALFORMED_REQUEST');
    expect((await api.get('/programmes')).body.map((p: { name: string }) => p.name).filter((n: string) => /Null|Half/.test(n))).toEqual([]);
  });

  it('answers a method a path does not take with 405 and Allow, the most specific path deciding', async () => {
    const del = await api.call('DELETE', '/networks/some-id');
    expectError(del, 405, 'METHOD_NOT_ALLOWED');
    expect(del.headers.get('allow')).toBe('GET, HEAD');
    // /documents/verify is its own path (POST), not a document called "verify"
    const verify = await anonymous.get('/documents/verify');
    expectError(verify, 405, 'METHOD_NOT_ALLOWED');
    expect(verify.headers.get('allow')).toBe('POST');
    const options = await fetch(`${stack.baseUrl}/api/v1/networks`, { method: 'OPTIONS' });
    expect(options.status).toBe(204);
    expect(options.headers.get('allow')).toBe('GET, HEAD, POST');
    expectError(await anonymous.post('/openapi.json'), 405, 'METHOD_NOT_ALLOWED');
    // an unknown path is still a 404
    expectError(await api.call('DELETE', '/no/such/path'), 404, 'NOT_FOUND');
  });

  it('agrees with its OpenAPI document on limits: a value at the documented minimum is read, one below is refused', async () => {
    const spec = (await anonymous.get('/openapi.json')).body;
    const token = spec.paths['/actions/{token}'].get.parameters[0].schema;
    expectError(await anonymous.get(`/actions/${'a'.repeat(token.minLength - 1)}`), 400, 'MALFORMED_REQUEST');
    expectError(await anonymous.get(`/actions/${'a'.repeat(token.minLength)}`), 404, 'NOT_FOUND');
    expectError(await anonymous.get(`/actions/${'a'.repeat(token.minLength)}.x`), 400, 'MALFORMED_REQUEST');
    const id = spec.paths['/networks/{id}'].get.parameters[0].schema;
    expectError(await api.get(`/networks/${'n'.repeat(id.maxLength)}`), 404, 'NOT_FOUND');
    expectError(await api.get(`/networks/${'n'.repeat(id.maxLength + 1)}`), 400, 'MALFORMED_REQUEST');
  });

  it('sends its security headers on every answer: API, errors, pages, files', async () => {
    for (const path of ['/api/v1/health', '/api/v1/no/such/path', '/signin', '/no-such-page', '/static/formwork.css', '/static/formwork.js']) {
      const res = await fetch(`${stack.baseUrl}${path}`);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).toContain("script-src 'self'");
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('strict-transport-security'), `${path} over plain HTTP`).toBeNull();
    }
  });

  it('answers GET /actions/:token for every kind of link in the shape its OpenAPI document gives that kind', async () => {
    const { network } = await networkAtPanelStage('links');
    const [north, south] = network.practices as { id: string; people: { id: string }[] }[];
    const issued = await api.post(`/networks/${network.id}/stages/panel-presentation/issue`);
    expect(issued.status, JSON.stringify(issued.body)).toBe(202);
    const inHour = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();
    expect((await api.post(`/networks/${network.id}/motions`, { title: 'Adopt the work plan', decisionType: 'ordinary', closesAt: inHour(2) })).status).toBe(
      201,
    );
    const election = await api.post(`/networks/${network.id}/elections`, {
      title: 'Chair',
      method: 'fptp',
      constituencies: [{ name: 'All', seats: 1, practiceIds: [north.id, south.id] }],
      nominationsCloseAt: inHour(1),
      ballotCloseAt: inHour(3),
    });
    expect(election.status, JSON.stringify(election.body)).toBe(201);
    expect(
      (await api.post(`/elections/${election.body.id}/candidates`, { personId: north.people[0].id, constituency: 'All', statement: 'I will chair fairly.' }))
        .status,
    ).toBe(201);
    expect((await api.post(`/elections/${election.body.id}/close`)).status).toBe(200);
    const dispute = await api.post(`/networks/${network.id}/disputes`, { title: 'Costs', summary: 'The split of costs.', parties: [north.id, south.id] });
    expect(dispute.status, JSON.stringify(dispute.body)).toBe(201);
    // up the ladder to the LMC, whose officer is sent a link of their own
    for (const step of [2, 3]) {
      expect((await api.post(`/disputes/${dispute.body.id}/events`, { type: 'escalate', text: `To step ${step}.` })).status).toBe(200);
      await eventually(async () => (await api.get(`/disputes/${dispute.body.id}`)).body.step.number === step, `step ${step}`);
    }
    expect(
      (await api.post(`/disputes/${dispute.body.id}/external-person`, { name: 'Dr Lee Lmc', email: 'lee@lmc.example.org', organisation: 'Edge LMC' })).status,
    ).toBe(201);

    const KINDS = ['sign', 'score', 'vote', 'ballot', 'dispute-case', 'dispute-external'];
    const views = await eventually(async () => {
      const found = new Map<string, unknown>();
      for (const message of (await api.get('/outbox?limit=1000')).body as { links?: string[] }[]) {
        for (const link of message.links ?? []) {
          if (!link.includes('/a/')) continue;
          const res = await anonymous.get(`/actions/${tokenFromLink(link)}`);
          // a 200 means the stack found the answer matching its schema (else it answers 500)
          if (res.status === 200) found.set(res.body.kind, res.body);
          else expect(res.status, JSON.stringify(res.body)).toBe(404);
        }
      }
      return KINDS.every((k) => found.has(k)) ? found : null;
    }, 'a link of every kind');
    for (const kind of KINDS) {
      const view = actionViewResponse.parse(views.get(kind));
      expect(view.kind).toBe(kind);
    }
  });

  it("records the client's address behind the proxy it trusts (loopback by default), not the proxy's", async () => {
    const { network } = await networkAtPanelStage('proxy');
    expect((await api.post(`/networks/${network.id}/stages/panel-presentation/issue`)).status).toBe(202);
    const token = await eventually(async () => {
      const outbox = (await api.get('/outbox?limit=1000')).body as { subject: string; to: string; links: string[] }[];
      const mail = outbox.find((m) => m.subject.startsWith('Please sign') && m.to.includes('.proxy@'));
      return mail ? tokenFromLink(mail.links[0]) : null;
    }, 'a signing link');
    const view = (await anonymous.get(`/actions/${token}`)).body;
    const signed = await anonymous.call('POST', `/actions/${token}/sign`, JSON.stringify({ typedName: view.person.name, consent: true }), {
      'content-type': 'application/json',
      'x-forwarded-for': '203.0.113.7',
    });
    expect(signed.status, JSON.stringify(signed.body)).toBe(200);
    const row = await stack.db('signatures').where({ id: signed.body.signatureId }).first();
    expect(row.ip).toBe('203.0.113.7');
  });
});

/** Rate limits of the routes anyone may call, with limits low enough to reach, and no proxy trusted. */
describe('HTTP edge: rate limits on unauthenticated look-ups', () => {
  let stack: InProcessStack;
  let anonymous: ApiClient;
  useStack(
    { rateLimit: { lookupsPerMinutePerIp: 3, verifyPerMinutePerIp: 2, publicPerMinutePerIp: 4, actionsPerMinutePerIp: 5 }, env: { TRUST_PROXY: 'false' } },
    (env) => {
      stack = env.stack;
      anonymous = apiClient(stack.baseUrl);
    },
  );

  it('limits receipt look-ups per address, and naming another address in X-Forwarded-For does not help', async () => {
    const lookup = (i: number) =>
      anonymous.call('GET', `/motions/no-such-motion/receipts/ABCD-EFGH-JKLM-NP${20 + i}`, undefined, { 'x-forwarded-for': `198.51.100.${i}` });
    for (let i = 0; i < 3; i++) expect((await lookup(i)).status).toBe(404);
    const limited = await lookup(3);
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    expect(limited.headers.get('ratelimit-policy')).toContain('q=3; w=60');
    // election receipts are counted on their own
    expect((await anonymous.get('/elections/no-such-election/receipts/ABCD-EFGH-JKLM-NPQR')).status).toBe(404);
  });

  it('limits PDF verification and the other public routes, and link look-ups on the pages', async () => {
    const verify = () => anonymous.call('POST', '/documents/verify', new Uint8Array([1, 2, 3]), { 'content-type': 'application/pdf' });
    expect((await verify()).status).toBe(200);
    expect((await verify()).status).toBe(200);
    expect((await verify()).status).toBe(429);
    const health = [];
    for (let i = 0; i < 5; i++) health.push((await anonymous.get('/health')).status);
    expect(health).toEqual([200, 200, 200, 200, 429]);
    const pages = [];
    for (let i = 0; i < 6; i++) pages.push((await fetch(`${stack.baseUrl}/a/not-a-link-of-ours-${'x'.repeat(20)}${i}`)).status);
    expect(pages).toEqual([404, 404, 404, 404, 404, 429]);
  });
});
