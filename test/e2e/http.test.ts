import { describe, expect, it } from 'vitest';
import { apiClient, type ApiClient } from '../support/api';
import { createScenarioNetwork } from '../support/formation-driver';
import { useStack } from '../support/lifecycle';
import type { InProcessStack } from '../support/stack';
import { inviteStaff } from '../support/people';

/** The HTTP edge: bad input is always a clear 4xx in the documented error shape, never a 5xx. */
describe('HTTP API edge', () => {
  let stack: InProcessStack;
  let api: ApiClient;
  let anonymous: ApiClient;

  useStack({}, (env) => ({ stack, api, anonymous } = env));

  function expectError(res: { status: number; body: any }, status: number, code: string) {
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(typeof res.body.error.message).toBe('string');
    expect(res.body.requestId).toMatch(/.+/);
  }

  it('reports health of both dependencies', async () => {
    const res = await anonymous.get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', temporal: 'ok', database: 'ok' });
  });

  it('serves an OpenAPI 3 document covering the contract', async () => {
    const res = await anonymous.get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\./);
    for (const p of [
      '/programmes',
      '/programmes/{id}/waves',
      '/networks',
      '/networks/{id}',
      '/networks/{id}/formation',
      '/networks/{id}/stages/{stage}',
      '/networks/{id}/stages/{stage}/issue',
      '/documents/{id}',
      '/documents/{id}/pdf',
      '/documents/{id}/docx',
      '/actions/{token}',
      '/actions/{token}/sign',
      '/actions/{token}/decline',
      '/outbox',
      '/health',
    ]) {
      expect(res.body.paths[p], p).toBeDefined();
    }
    expect(res.body.paths['/programmes'].post.requestBody.content['application/json'].schema.properties.footprint).toBeDefined();
  });

  it('requires credentials and least privilege', async () => {
    expectError(await anonymous.post('/programmes', { name: 'x', sponsor: 'y', footprint: { minListSize: 1, maxListSize: 2 } }), 401, 'UNAUTHENTICATED');
    expectError(await apiClient(stack.baseUrl, 'not-a-real-token-at-all-xxxxxxxx').get('/networks'), 401, 'UNAUTHENTICATED');
    const { programme } = await createScenarioNetwork(api, { practiceCount: 1, name: 'Privilege Network' });
    const { api: commissioner } = await inviteStaff(api, stack.baseUrl, {
      name: 'Cleo Commissioner',
      email: 'cleo@commissioner.test',
      role: 'commissioner',
      programmeIds: [programme.id],
    });
    expect((await commissioner.get('/networks')).status).toBe(200);
    expectError(await commissioner.post('/programmes', { name: 'x', sponsor: 'y', footprint: { minListSize: 1, maxListSize: 2 } }), 403, 'FORBIDDEN');
    expectError(await commissioner.get('/outbox'), 403, 'FORBIDDEN');
  });

  it('answers malformed and invalid bodies with 400 and 422', async () => {
    expectError(await api.call('POST', '/programmes', '{"name": ', { 'content-type': 'application/json' }), 400, 'MALFORMED_JSON');
    expectError(await api.call('POST', '/programmes', 'name=x', { 'content-type': 'text/plain' }), 400, 'MALFORMED_REQUEST');
    const invalid = await api.post('/programmes', { name: '', sponsor: 'PCT', footprint: { minListSize: 50000, maxListSize: 30000 } });
    expectError(invalid, 422, 'VALIDATION_FAILED');
    expect(invalid.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['footprint.minListSize', 'name']);
    expectError(await api.post('/programmes', [1, 2]), 422, 'VALIDATION_FAILED');
  });

  it('validates networks: duplicates, missing partners, unknown wave', async () => {
    const { programme, waves } = await createScenarioNetwork(api, { practiceCount: 1, name: 'Validation Network' });
    const practice = { name: 'P', odsCode: 'F99001', listSize: 100, people: [{ name: 'Dr A', email: 'a@example.org', roles: ['partner'] }] };
    const dup = await api.post('/networks', { programmeId: programme.id, waveId: waves[0].id, name: 'Dup', practices: [practice, practice] });
    expectError(dup, 422, 'VALIDATION_FAILED');
    expect(JSON.stringify(dup.body.error.details)).toContain('appears twice');
    const noPartner = await api.post('/networks', {
      programmeId: programme.id,
      waveId: waves[0].id,
      name: 'NP',
      practices: [{ ...practice, people: [{ name: 'M', email: 'm@example.org', roles: ['practice-manager'] }] }],
    });
    expectError(noPartner, 422, 'VALIDATION_FAILED');
    expect(JSON.stringify(noPartner.body.error.details)).toContain('needs at least one partner');
    expectError(await api.post('/networks', { programmeId: programme.id, waveId: 'nope', name: 'X', practices: [practice] }), 404, 'NOT_FOUND');
    expectError(
      await api.post('/networks', { programmeId: programme.id, waveId: waves[0].id, name: 'Validation Network', practices: [practice] }),
      409,
      'ALREADY_EXISTS',
    );
    expectError(await api.post(`/programmes/${programme.id}/waves`, { number: 1, panelDate: '2009-03-16' }), 409, 'ALREADY_EXISTS');
    expectError(await api.post(`/programmes/${programme.id}/waves`, { number: 9, panelDate: '16/03/2009' }), 422, 'VALIDATION_FAILED');
  });

  it('answers unknown ids, routes, stages and tokens with 404, and state conflicts with 409', async () => {
    expectError(await api.get('/networks/does-not-exist'), 404, 'NOT_FOUND');
    expectError(await api.get('/no/such/route'), 404, 'NOT_FOUND');
    // a path we have, with a method it does not take: 405 naming the methods it does
    const wrongMethod = await api.call('DELETE', '/programmes');
    expectError(wrongMethod, 405, 'METHOD_NOT_ALLOWED');
    expect(wrongMethod.headers.get('allow')).toBe('GET, HEAD, POST');
    expectError(await api.get('/documents/nope'), 404, 'NOT_FOUND');
    expectError(await anonymous.get('/actions/this-token-does-not-exist-anywhere'), 404, 'NOT_FOUND');
    expectError(await anonymous.get('/actions/short'), 400, 'MALFORMED_REQUEST');
    const { network } = await createScenarioNetwork(api, { practiceCount: 1, networkIndex: 1 });
    expectError(await api.put(`/networks/${network.id}/stages/panel-presentation`, {}), 409, 'FORMATION_NOT_STARTED');
    expectError(await api.post(`/networks/${network.id}/stages/panel-presentation/issue`), 409, 'FORMATION_NOT_STARTED');
    expect((await api.post(`/networks/${network.id}/formation`)).status).toBe(202);
    expectError(await api.put(`/networks/${network.id}/stages/constitution`, {}), 404, 'UNKNOWN_STAGE');
    expectError(await api.put(`/networks/${network.id}/stages/panel-presentation`, 'x'), 400, 'MALFORMED_REQUEST');
    const status = await api.get(`/networks/${network.id}/formation`);
    expect(status.status).toBe(200);
    expect(status.body.stages).toHaveLength(6);
  });

  it('serves the HTML pages with the NHS.UK styles, and a friendly 404', async () => {
    const css = await fetch(`${stack.baseUrl}/assets/nhsuk-frontend.min.css`);
    expect(css.status).toBe(200);
    const missing = await fetch(`${stack.baseUrl}/a/not-a-token-of-ours-xxxxxxxxxxxx`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('Link not recognised');
    const login = await fetch(`${stack.baseUrl}/`, { redirect: 'manual' });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/signin');
  });
});
