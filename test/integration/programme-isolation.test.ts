import { describe, expect, it } from 'vitest';
import { type ApiClient } from '../support/api';
import { buildAccessWorld } from '../support/access-world';
import { useStack } from '../support/lifecycle';
import type { InProcessStack } from '../support/stack';

/**
 * A facilitator of one programme cannot read or change another programme's networks, templates,
 * settings, motions or outbox: every id of the other programme answers 404 (as if it did not exist),
 * its lists leave it out, and nothing is changed.
 */
describe('programmes are walled off from each other', () => {
  let stack: InProcessStack;
  let admin: ApiClient;
  useStack({}, (env) => ({ stack, api: admin } = env));

  it('keeps facilitator B out of everything of programme A', async () => {
    const world = await buildAccessWorld(admin, stack.baseUrl, 'walls');
    const { A, NA, facB, facA } = world;
    const b = facB.api;
    const notFound = async (res: Promise<{ status: number; body: any }>, what: string) => {
      const r = await res;
      expect(r.status, `${what}: ${JSON.stringify(r.body)}`).toBe(404);
      expect(r.body.error.code).toBe('NOT_FOUND');
    };
    // the answer for another programme's id is word for word the answer for an id that does not exist
    const hidden = await b.get(`/networks/${NA.id}`);
    const missing = await b.get('/networks/00000000-0000-0000-0000-000000000000');
    expect(hidden.body.error.message.replace(NA.id, 'ID')).toBe(missing.body.error.message.replace('00000000-0000-0000-0000-000000000000', 'ID'));

    // networks
    await notFound(b.get(`/networks/${NA.id}`), 'read a network');
    await notFound(b.get(`/networks/${NA.id}/formation`), 'read its formation');
    await notFound(b.put(`/networks/${NA.id}/stages/terms-of-reference`, {}), 'change its stage data');
    await notFound(b.post(`/networks/${NA.id}/stages/terms-of-reference/issue`), 'issue its stage');
    await notFound(b.post('/networks', { programmeId: A.id, waveId: A.waveId, name: 'Intruder', practices: [] }), 'add a network to it');
    expect((await b.get('/networks')).body.map((n: { id: string }) => n.id)).not.toContain(NA.id);
    expect((await b.get(`/networks?programmeId=${A.id}`)).body).toEqual([]);
    expect((await b.get('/programmes')).body.map((p: { id: string }) => p.id)).toEqual([world.B.id]);
    await notFound(b.get(`/waves/${A.waveId}/readiness`), 'read its readiness');
    await notFound(b.get(`/documents/${world.documentId}`), 'read its documents');

    // settings
    const before = (await admin.get(`/programmes/${A.id}`)).body.settings;
    await notFound(b.put(`/programmes/${A.id}/settings`, { signingCodeByEmail: true }), 'change its settings');
    expect((await admin.get(`/programmes/${A.id}`)).body.settings).toEqual(before);

    // templates
    await notFound(b.put(`/programmes/${A.id}/templates/panel-pack`, { source: '# Taken over {{network.name}}\n' }), 'upload a template');
    await notFound(b.get(`/programmes/${A.id}/templates`), 'list its templates');
    expect((await admin.get(`/programmes/${A.id}/templates`)).body).toEqual([]);

    // motions
    await notFound(
      b.post(`/networks/${NA.id}/motions`, { title: 'x', decisionType: 'ordinary', closesAt: new Date(Date.now() + 3_600_000).toISOString() }),
      'open a motion',
    );
    await notFound(b.get(`/motions/${world.motionId}`), 'read a motion');
    await notFound(b.post(`/motions/${world.motionId}/close`), 'close a motion');
    expect((await admin.get(`/motions/${world.motionId}`)).body.status).toBe('open');
    await notFound(b.get(`/elections/${world.electionId}`), 'read an election');

    // outbox: none of programme A's messages, not even their subjects
    const outbox = (await b.get('/outbox?limit=1000')).body as { to: string }[];
    expect(outbox.map((m) => m.to)).not.toContain(world.email('pat'));
    expect(outbox.map((m) => m.to)).not.toContain(world.email('mo'));

    // the same holds on the pages (a token works there too)
    const page = await fetch(`${stack.baseUrl}/networks/${NA.id}`, { headers: { authorization: `Bearer ${facB.token}` } });
    expect(page.status).toBe(404);
    expect(await page.text()).toContain('Page not found');

    // while facilitator A does all of it
    expect((await facA.api.get(`/networks/${NA.id}`)).status).toBe(200);
    expect((await facA.api.put(`/programmes/${A.id}/settings`, { signingCodeByEmail: false })).status).toBe(200);
    expect((await fetch(`${stack.baseUrl}/networks/${NA.id}`, { headers: { authorization: `Bearer ${facA.token}` } })).status).toBe(200);
  });
});
