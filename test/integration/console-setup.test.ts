import { describe, expect, it } from 'vitest';
import type { ApiClient } from '../support/api';
import { createScenarioNetwork, signRequests, waitForStage } from '../support/formation-driver';
import { panelPackTemplate } from '../support/fixtures';
import { useStack } from '../support/lifecycle';
import { inviteStaff } from '../support/people';
import type { InProcessStack } from '../support/stack';

/**
 * The API behind the console's set-up pages: a network's practices and people after it was created
 * (validation, policy, audit, what an open round keeps), and templates that must keep their
 * required sections and signature blocks, with a preview and a way back to the built-in one.
 */
describe('network people and template routes', () => {
  let stack: InProcessStack;
  let api: ApiClient;
  useStack({}, (env) => ({ stack, api } = env));

  const auditOf = async (type: string) =>
    (await stack.db('audit_events').where({ type }).orderBy('seq')).map((r) => ({ actor: String(r.actor), data: JSON.parse(String(r.data)) }));

  it('changes list sizes, adds, changes and takes off people under network.manage, audited, keeping every practice a partner', async () => {
    const { programme, network } = await createScenarioNetwork(api, { practiceCount: 2, networkIndex: 3 });
    const [first, second] = network.practices;
    const partner = first.people.find((p: { roles: string[] }) => p.roles.includes('partner'));

    // validation: a bad list size, an empty change, a role that does not exist, a bad email
    expect((await api.put(`/networks/${network.id}/practices/${first.id}`, { listSize: -4 })).status).toBe(422);
    expect((await api.put(`/networks/${network.id}/practices/${first.id}`, {})).status).toBe(422);
    expect((await api.post(`/networks/${network.id}/practices/${first.id}/people`, { name: 'Dr New', email: 'not-an-email', roles: ['partner'] })).status).toBe(
      422,
    );
    expect((await api.put(`/networks/${network.id}/people/${partner.id}`, { roles: ['boss'] })).status).toBe(422);
    // a practice of another network is not found here
    const other = await api.post('/networks', {
      programmeId: programme.id,
      waveId: network.waveId,
      name: 'Other network',
      practices: [{ name: 'Elsewhere', odsCode: 'Z99001', listSize: 4000, people: [{ name: 'Dr Else', email: 'else@example.org', roles: ['partner'] }] }],
    });
    expect(other.status).toBe(201);
    expect((await api.put(`/networks/${network.id}/practices/${other.body.practices[0].id}`, { listSize: 5 })).status).toBe(404);

    const changed = await api.put(`/networks/${network.id}/practices/${first.id}`, { listSize: 15_001 });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body.listSize).toBe(15_001);
    expect((await api.get(`/networks/${network.id}`)).body.listSize).toBe(15_001 + second.listSize);

    const added = await api.post(`/networks/${network.id}/practices/${first.id}/people`, {
      name: 'Dr Nia Quinn',
      email: 'NIA.QUINN@example.org',
      roles: ['partner'],
    });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(added.body).toMatchObject({ name: 'Dr Nia Quinn', email: 'nia.quinn@example.org', roles: ['partner'] });
    const again = await api.post(`/networks/${network.id}/practices/${first.id}/people`, {
      name: 'Dr Nia Quinn',
      email: 'nia.quinn@example.org',
      roles: ['partner'],
    });
    expect(again.status).toBe(409);

    // the only partner of a practice cannot lose the role or be taken off
    const else_ = other.body.practices[0].people[0];
    const refused = await api.delete(`/networks/${other.body.id}/people/${else_.id}`);
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('LAST_PARTNER');
    const demoted = await api.put(`/networks/${other.body.id}/people/${else_.id}`, { roles: ['practice-manager'] });
    expect(demoted.status).toBe(422);
    expect(demoted.body.error.code).toBe('LAST_PARTNER');
    expect((await api.get(`/networks/${other.body.id}`)).body.practices[0].people).toEqual([expect.objectContaining({ id: else_.id, roles: ['partner'] })]);

    const renamed = await api.put(`/networks/${network.id}/people/${added.body.id}`, { name: 'Dr Nia Quinn-Hart', roles: ['partner', 'caldicott-guardian'] });
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    expect(renamed.body.roles).toEqual(['partner', 'caldicott-guardian']);
    expect((await api.delete(`/networks/${network.id}/people/${added.body.id}`)).status).toBe(204);
    // taken off: no longer one of the network's people, not found a second time
    const after = (await api.get(`/networks/${network.id}`)).body;
    expect(after.practices[0].people.map((p: { id: string }) => p.id)).not.toContain(added.body.id);
    expect((await api.delete(`/networks/${network.id}/people/${added.body.id}`)).status).toBe(404);
    // and added again, on their old row
    const back = await api.post(`/networks/${network.id}/practices/${first.id}/people`, {
      name: 'Dr Nia Quinn',
      email: 'nia.quinn@example.org',
      roles: ['practice-manager'],
    });
    expect(back.status).toBe(201);
    expect(back.body.id).toBe(added.body.id);

    // each change is in the audit log, under the person who made it
    expect((await auditOf('practice.changed')).at(-1)!.data).toMatchObject({ networkId: network.id, practiceId: first.id, listSize: 15_001 });
    expect((await auditOf('member.added')).map((e) => e.data.restored)).toEqual([false, true]);
    expect((await auditOf('member.changed')).at(-1)!.data).toMatchObject({ memberId: added.body.id, roles: ['partner', 'caldicott-guardian'] });
    expect((await auditOf('member.removed')).at(-1)!.data).toMatchObject({ networkId: network.id, memberId: added.body.id });
    expect((await auditOf('member.removed')).at(-1)!.actor).toMatch(/^person:/);

    // a commissioner reads the network but may not change its people; a facilitator elsewhere does not see it
    const commissioner = await inviteStaff(api, stack.baseUrl, {
      name: 'Cora Commissioner',
      email: 'cora.people@icb.example.org',
      role: 'commissioner',
      programmeIds: [programme.id],
    });
    expect((await commissioner.api.get(`/networks/${network.id}`)).status).toBe(200);
    expect((await commissioner.api.put(`/networks/${network.id}/practices/${first.id}`, { listSize: 1 })).status).toBe(403);
    const elsewhere = await api.post('/programmes', {
      name: 'Elsewhere programme',
      sponsor: 'Another ICB',
      footprint: { minListSize: 1, maxListSize: 100_000 },
    });
    const outsider = await inviteStaff(api, stack.baseUrl, {
      name: 'Otto Outsider',
      email: 'otto.people@icb.example.org',
      role: 'facilitator',
      programmeIds: [elsewhere.body.id],
    });
    expect((await outsider.api.delete(`/networks/${network.id}/people/${back.body.id}`)).status).toBe(404);
    expect((await api.get(`/networks/${network.id}`)).body.practices[0].people.map((p: { id: string }) => p.id)).toContain(back.body.id);
  });

  it('keeps an open round’s signers when people change; the next version asks the people of the network then', async () => {
    const { network } = await createScenarioNetwork(api, { practiceCount: 2, networkIndex: 4 });
    await api.post(`/networks/${network.id}/formation`);
    await waitForStage(api, network.id, 'panel-presentation', 'drafting');
    const v1 = await api.post(`/networks/${network.id}/stages/panel-presentation/issue`);
    expect(v1.status).toBe(202);
    const title = v1.body.document.title;
    const before = await (async () => {
      for (let i = 0; i < 100; i++) {
        const found = await signRequests(api, 1, title);
        if (found.length) return found;
        await new Promise((r) => setTimeout(r, 150));
      }
      throw new Error('no requests for version 1');
    })();
    const practice = network.practices[0];
    const added = await api.post(`/networks/${network.id}/practices/${practice.id}/people`, {
      name: 'Dr Late Joiner',
      email: 'late.joiner@example.org',
      roles: ['partner'],
    });
    expect(added.status).toBe(201);
    // the round already out is unchanged: no request to the new partner for version 1
    expect(before.map((r) => r.to)).not.toContain('late.joiner@example.org');
    expect((await signRequests(api, 1, title)).map((r) => r.to)).not.toContain('late.joiner@example.org');
    // a new version is sent to the network's people as they are now
    const v2 = await api.post(`/networks/${network.id}/stages/panel-presentation/issue`);
    expect(v2.status, JSON.stringify(v2.body)).toBe(202);
    for (let i = 0; i < 100; i++) {
      if ((await signRequests(api, 2, title)).some((r) => r.to === 'late.joiner@example.org')) return;
      await new Promise((r) => setTimeout(r, 150));
    }
    throw new Error('version 2 was not sent to the partner added after version 1');
  });

  it('refuses a template without a required section or the signature blocks (422, named), previews one, and goes back to the built-in one', async () => {
    const { programme, network } = await createScenarioNetwork(api, { practiceCount: 2, networkIndex: 5 });
    const noSignatures = await api.put(`/programmes/${programme.id}/templates/panel-pack`, { source: panelPackTemplate('Ours.', { signatures: false }) });
    expect(noSignatures.status).toBe(422);
    expect(noSignatures.body.error.code).toBe('TEMPLATE_INCOMPLETE');
    expect(noSignatures.body.error.message).toContain('signature block is missing for');
    expect(noSignatures.body.error.message).toContain(network.practices[0].name);
    const noVision = await api.post(`/programmes/${programme.id}/templates/panel-pack/preview`, { source: panelPackTemplate('Ours.', { vision: false }) });
    expect(noVision.status).toBe(422);
    expect(noVision.body.error.details).toEqual([{ path: 'section', message: 'the section “Vision” is missing' }]);
    // the built-in terms of reference pass; without its quorum section it does not
    const builtin = await api.get(`/programmes/${programme.id}/templates`);
    expect(builtin.body).toEqual([]);
    expect(await stack.db('template_overrides').where({ programme_id: programme.id })).toHaveLength(0);

    const preview = await api.post(`/programmes/${programme.id}/templates/panel-pack/preview`, { source: panelPackTemplate('Our preview wording.') });
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    expect(preview.body.html).toContain('Our preview wording.');
    expect(preview.body.renderedWith).toEqual({ kind: 'network', name: network.name });
    expect(await stack.db('template_overrides').where({ programme_id: programme.id })).toHaveLength(0);

    const used = await api.put(`/programmes/${programme.id}/templates/panel-pack`, { source: panelPackTemplate('Our own wording.') });
    expect(used.status, JSON.stringify(used.body)).toBe(201);
    await api.post(`/networks/${network.id}/formation`);
    await waitForStage(api, network.id, 'panel-presentation', 'drafting');
    expect((await api.get(`/networks/${network.id}/stages/panel-presentation/preview`)).body.html).toContain('Our own wording.');

    const reverted = await api.delete(`/programmes/${programme.id}/templates/panel-pack`);
    expect(reverted.status, JSON.stringify(reverted.body)).toBe(200);
    expect(reverted.body).toMatchObject({ usesBuiltin: true, reverted: true, version: 2, templateVersion: 'builtin:panel-pack@1' });
    const afterRevert = await api.get(`/networks/${network.id}/stages/panel-presentation/preview`);
    expect(afterRevert.body.html).not.toContain('Our own wording.');
    expect(afterRevert.body.templateVersion).toBe('builtin:panel-pack@1');
    // going back again changes nothing and records nothing
    expect((await api.delete(`/programmes/${programme.id}/templates/panel-pack`)).body.reverted).toBe(false);
    const versions = (await api.get(`/programmes/${programme.id}/templates`)).body;
    expect(versions.map((v: { version: number; builtin: boolean }) => [v.version, v.builtin])).toEqual([
      [1, false],
      [2, true],
    ]);
    expect((await auditOf('template.reverted')).filter((e) => e.data.programmeId === programme.id)).toHaveLength(1);
    expect((await api.delete(`/programmes/${programme.id}/templates/vote-result`)).status).toBe(404);
  });
});
