import { describe, expect, it } from 'vitest';
import { type ApiClient, apiClient, eventually, tokenFromLink } from '../support/api';
import { type AccessWorld, buildAccessWorld } from '../support/access-world';
import { waitForStage } from '../support/formation-driver';
import { panelPackTemplate } from '../support/fixtures';
import { useStack } from '../support/lifecycle';
import { inviteStaff, latestMail, sessionClient, signInByEmail } from '../support/people';
import { startInProcessStack, type InProcessStack } from '../support/stack';
import type { Mailer } from '../../mail/mailer';
import { injectedTemporalAddress } from '../setup/temporal-env';

/** Identity by email, staff grants, network offices, personal tokens, audit naming and the outbox. */
describe('people and access', () => {
  let stack: InProcessStack;
  let admin: ApiClient;
  let world: AccessWorld;
  useStack({}, (env) => ({ stack, api: admin } = env));

  const auditOf = async (type: string) =>
    (await stack.db('audit_events').where({ type }).orderBy('seq')).map((r) => ({ actor: r.actor as string, data: JSON.parse(r.data) }));

  it('knows a person once by email, across practices, and the first facilitator as the administrator', async () => {
    world = await buildAccessWorld(admin, stack.baseUrl, 'people');
    const me = (await admin.get('/me')).body;
    expect(me.administrator).toBe(true);
    expect(me.credential).toEqual({ kind: 'token' });
    const p = (await admin.post('/programmes', { name: 'Two practices', sponsor: 'ICB', footprint: { minListSize: 1, maxListSize: 100000 } })).body;
    const w = (await admin.post(`/programmes/${p.id}/waves`, { number: 1, panelDate: '2027-01-01' })).body;
    const both = (ods: string) => ({
      name: `Surgery ${ods}`,
      odsCode: ods,
      listSize: 5000,
      people: [{ name: 'Dr Dual Role', email: 'Dual@Example.org', roles: ['partner'] }],
    });
    const net = await admin.post('/networks', { programmeId: p.id, waveId: w.id, name: 'Dual network', practices: [both('F10001'), both('F10002')] });
    expect(net.status).toBe(201);
    const rows = await stack.db('people').whereIn(
      'practice_id',
      net.body.practices.map((x: { id: string }) => x.id),
    );
    expect(rows).toHaveLength(2);
    expect(rows[0].person_id).toBeTruthy();
    expect(rows[0].person_id).toBe(rows[1].person_id);
    expect(await stack.db('persons').where({ email: 'dual@example.org' })).toHaveLength(1);
  });

  it('invites staff by role over programmes, and the same person and role again widens that grant', async () => {
    const { A, B, facA, commA } = world;
    const first = await admin.post('/staff', { name: 'Gil Grant', email: 'gil@example.org', role: 'commissioner', programmeIds: [A.id] });
    expect(first.status).toBe(201);
    const invitation = await latestMail(admin, 'gil@example.org', /invited to Formwork as commissioner/);
    expect(invitation.text).toContain(`Programme A people`);
    expect(invitation.links[0]).toMatch(/\/signin\/[\w-]{43}$/);
    const again = await admin.post('/staff', { name: 'Gil Grant', email: 'gil@example.org', role: 'commissioner', programmeIds: [B.id] });
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.programmeIds.sort()).toEqual([A.id, B.id].sort());
    const otherRole = await admin.post('/staff', { name: 'Gil Grant', email: 'gil@example.org', role: 'panel-member', programmeIds: [A.id] });
    expect(otherRole.body.id).not.toBe(first.body.id);
    expect(otherRole.body.personId).toBe(first.body.personId);

    // a facilitator invites for the programmes they facilitate, and no others
    expect((await facA.api.post('/staff', { name: 'Ann Assist', email: 'ann@example.org', role: 'facilitator', programmeIds: [A.id] })).status).toBe(201);
    expect((await facA.api.post('/staff', { name: 'Ann Assist', email: 'ann@example.org', role: 'facilitator', programmeIds: [A.id, B.id] })).status).toBe(403);
    expect((await world.facB.api.post('/staff', { name: 'Ann Assist', email: 'ann@example.org', role: 'facilitator', programmeIds: [A.id] })).status).toBe(404);
    expect((await commA.api.post('/staff', { name: 'Ann Assist', email: 'ann@example.org', role: 'commissioner', programmeIds: [A.id] })).status).toBe(403);
    expect((await admin.post('/staff', { name: 'X', email: 'x@example.org', role: 'commissioner', programmeIds: ['no-such-programme'] })).status).toBe(404);

    // the administrator lists everyone; a facilitator the staff of their programmes, and only those programmes
    const all = (await admin.get('/staff')).body as { person: { email: string }; programmeIds: string[] }[];
    expect(all.map((g) => g.person.email)).toEqual(expect.arrayContaining(['gil@example.org', world.email('ben'), world.email('fay')]));
    const mine = (await facA.api.get('/staff')).body as { person: { email: string }; programmeIds: string[] }[];
    expect(mine.map((g) => g.person.email)).not.toContain(world.email('ben'));
    expect(mine.find((g) => g.person.email === 'gil@example.org')!.programmeIds).toEqual([A.id]);
    expect((await commA.api.get('/staff')).status).toBe(403);

    const invited = await auditOf('staff.invited');
    expect(invited.find((e) => e.data.grantId === first.body.id)!.actor).toMatch(
      new RegExp(`^person:${(await admin.get('/me')).body.person.id} token:[\\w-]+$`),
    );
  });

  it('gives a facilitator who creates a programme a grant over it', async () => {
    const created = await world.facA.api.post('/programmes', { name: 'Fay’s own', sponsor: 'ICB', footprint: { minListSize: 1, maxListSize: 10 } });
    expect(created.status).toBe(201);
    const me = (await world.facA.api.get('/me')).body;
    expect(me.grants.find((g: { role: string }) => g.role === 'facilitator').programmeIds).toContain(created.body.id);
    expect((await world.facA.api.get('/programmes')).body.map((p: { id: string }) => p.id)).toContain(created.body.id);
    expect((await world.facB.api.get('/programmes')).body.map((p: { id: string }) => p.id)).not.toContain(created.body.id);
    expect((await world.commA.api.post('/programmes', { name: 'No', sponsor: 'ICB', footprint: { minListSize: 1, maxListSize: 10 } })).status).toBe(403);
  });

  it('revokes a grant: a person left with no standing loses their tokens and sessions; one with another grant keeps only that', async () => {
    const { A } = world;
    const lone = await inviteStaff(admin, stack.baseUrl, { name: 'Lou Lone', email: 'lou@example.org', role: 'commissioner', programmeIds: [A.id] });
    const session = sessionClient(stack.baseUrl, (await signInByEmail(stack.baseUrl, admin, 'lou@example.org')).cookies);
    expect((await session.get('/me')).status).toBe(200);
    const double = await inviteStaff(admin, stack.baseUrl, { name: 'Dee Double', email: 'dee@example.org', role: 'commissioner', programmeIds: [A.id] });
    const panel = await admin.post('/staff', { name: 'Dee Double', email: 'dee@example.org', role: 'panel-member', programmeIds: [A.id] });

    expect((await admin.call('DELETE', `/staff/${lone.grantId}`)).status).toBe(204);
    expect((await lone.api.get('/me')).status).toBe(401);
    expect((await session.get('/me')).status).toBe(401);
    expect((await admin.call('DELETE', `/staff/${lone.grantId}`)).status).toBe(204);

    expect((await admin.call('DELETE', `/staff/${double.grantId}`)).status).toBe(204);
    const still = await double.api.get('/me');
    expect(still.status).toBe(200);
    expect(still.body.grants).toEqual([{ id: panel.body.id, role: 'panel-member', programmeIds: [A.id] }]);
    // the token now carries the panel member's powers only
    expect((await double.api.get(`/waves/${A.waveId}/readiness`)).status).toBe(403);

    const revoked = await auditOf('staff.revoked');
    expect(revoked.map((e) => [e.data.grantId, e.data.credentialsEnded])).toEqual(
      expect.arrayContaining([
        [lone.grantId, true],
        [double.grantId, false],
      ]),
    );
    // a facilitator may revoke a grant over their programmes; of another programme it is not found
    const victim = await admin.post('/staff', { name: 'Vi', email: 'vi@example.org', role: 'panel-member', programmeIds: [A.id] });
    expect((await world.facB.api.call('DELETE', `/staff/${victim.body.id}`)).status).toBe(404);
    expect((await world.facA.api.call('DELETE', `/staff/${victim.body.id}`)).status).toBe(204);
  });

  it('mints personal API tokens that show their secret once, expire, carry the owner’s powers and stop at revocation', async () => {
    const { facA, commA } = world;
    const made = await commA.api.post('/tokens', { label: 'nightly report' });
    expect(made.status).toBe(201);
    const days = (Date.parse(made.body.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(89.9);
    expect(days).toBeLessThan(90.1);
    expect((await commA.api.post('/tokens', { label: 'forever', expiresInDays: 366 })).status).toBe(422);
    const script = apiClient(stack.baseUrl, made.body.token);
    expect((await script.get('/me')).body.person.email).toBe(world.email('cleo'));
    // the commissioner's powers, not more
    expect((await script.get(`/waves/${world.A.waveId}/readiness`)).status).toBe(200);
    expect((await script.post(`/networks/${world.NA.id}/formation`)).status).toBe(403);

    const listed = (await commA.api.get('/tokens')).body as { id: string; label: string; status: string }[];
    expect(listed.find((t) => t.id === made.body.id)).toMatchObject({ label: 'nightly report', status: 'active' });
    expect(JSON.stringify(listed)).not.toContain(made.body.token);
    // another person's tokens are not found, except by the administrator
    expect((await facA.api.get(`/tokens?personId=${commA.personId}`)).status).toBe(404);
    expect((await facA.api.call('DELETE', `/tokens/${made.body.id}`)).status).toBe(404);
    expect((await admin.get(`/tokens?personId=${commA.personId}`)).body.map((t: { id: string }) => t.id)).toContain(made.body.id);
    // only the administrator mints a token for someone else
    expect((await facA.api.post(`/staff/${commA.grantId}/tokens`, { label: 'x' })).status).toBe(403);

    expect((await commA.api.call('DELETE', `/tokens/${made.body.id}`)).status).toBe(204);
    expect((await script.get('/me')).status).toBe(401);
    expect(((await commA.api.get('/tokens')).body as { id: string; status: string }[]).find((t) => t.id === made.body.id)!.status).toBe('revoked');
    const created = await auditOf('token.created');
    expect(created.find((e) => e.data.tokenId === made.body.id)!.data).toMatchObject({ label: 'nightly report', personId: commA.personId });
    expect((await auditOf('token.revoked')).some((e) => e.data.tokenId === made.body.id)).toBe(true);
  });

  it('takes offices from appointments and the practice role chair, and lets the chair open motions and elections for their network only', async () => {
    const { NA, NB, chair, mo } = world;
    const network = (await admin.get(`/networks/${NA.id}`)).body;
    expect(network.offices).toEqual([expect.objectContaining({ office: 'chair', memberId: mo.id, name: 'Mo Manager', source: 'appointed' })]);
    expect((await chair.api.get(`/networks/${NA.id}`)).status).toBe(200);
    expect((await chair.api.get(`/networks/${NB.id}`)).status).toBe(404);
    const motion = await chair.api.post(`/networks/${NA.id}/motions`, {
      title: 'Chair’s motion',
      decisionType: 'ordinary',
      closesAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(motion.status, JSON.stringify(motion.body)).toBe(201);
    expect((await chair.api.get(`/motions/${motion.body.id}`)).status).toBe(200);
    // closing is the facilitator's
    expect((await chair.api.post(`/motions/${motion.body.id}/close`)).status).toBe(403);
    expect(
      (await chair.api.post(`/networks/${NB.id}/motions`, { title: 'x', decisionType: 'ordinary', closesAt: new Date(Date.now() + 3_600_000).toISOString() }))
        .status,
    ).toBe(404);
    const opened = (await auditOf('motion.opened')).find((e) => e.data.motionId === motion.body.id);
    expect(opened?.actor ?? '').toMatch(/^person:[\w-]+ token:[\w-]+$/);
    expect((await chair.api.get('/me')).body.offices).toEqual([{ networkId: NA.id, office: 'chair' }]);

    // a new chair takes over: the old one's term ends
    const pat = NA.practices[0].people.find((p) => p.email === world.email('pat'))!;
    expect((await admin.post(`/networks/${NA.id}/appointments`, { personId: pat.id, office: 'chair' })).status).toBe(201);
    expect((await chair.api.get('/me')).body.offices).toEqual([]);
    expect((await admin.post(`/networks/${NA.id}/appointments`, { personId: pat.id, office: 'chair' })).status).toBe(409);
    expect((await admin.post(`/networks/${NA.id}/appointments`, { personId: NB.practices[0].people[0].id, office: 'secretary' })).status).toBe(422);

    // the practice role `chair` is an office too
    const p = (await admin.post('/programmes', { name: 'Role chair', sponsor: 'ICB', footprint: { minListSize: 1, maxListSize: 100000 } })).body;
    const w = (await admin.post(`/programmes/${p.id}/waves`, { number: 1, panelDate: '2027-01-01' })).body;
    const n = await admin.post('/networks', {
      programmeId: p.id,
      waveId: w.id,
      name: 'Role-chair network',
      practices: [
        { name: 'S', odsCode: 'F20001', listSize: 5000, people: [{ name: 'Dr Cass Chair', email: 'cass@example.org', roles: ['partner', 'chair'] }] },
      ],
    });
    expect((await admin.get(`/networks/${n.body.id}`)).body.offices).toEqual([expect.objectContaining({ office: 'chair', source: 'practice-role' })]);
    const cass = await signInByEmail(stack.baseUrl, admin, 'cass@example.org');
    expect(cass.landing).toBe(`/networks/${n.body.id}`);
    expect((await sessionClient(stack.baseUrl, cass.cookies).get('/me')).body.offices).toEqual([{ networkId: n.body.id, office: 'chair' }]);
  });

  it('audits reads of the outbox and of evidence, settings and template changes, naming the person', async () => {
    const { facA, A, NA, commA } = world;
    await facA.api.get('/outbox');
    const reads = await auditOf('access.read');
    expect(reads.at(-1)).toMatchObject({
      actor: expect.stringMatching(new RegExp(`^person:${facA.personId} token:`)),
      data: { action: 'outbox.read', route: 'GET /outbox' },
    });
    const pack = await commA.api.get(`/networks/${NA.id}/stages/panel-presentation/evidence`);
    expect(pack.status).toBe(200);
    expect((await auditOf('access.read')).at(-1)).toMatchObject({
      actor: expect.stringMatching(new RegExp(`^person:${commA.personId} `)),
      data: { action: 'evidence.read', params: { id: NA.id, stage: 'panel-presentation' } },
    });
    expect((await facA.api.put(`/programmes/${A.id}/settings`, { voteWindowDays: 10 })).status).toBe(200);
    expect((await auditOf('programme.settings-changed')).at(-1)!.data).toMatchObject({ programmeId: A.id, settings: { voteWindowDays: 10 } });
    const template = await facA.api.put(`/programmes/${A.id}/templates/panel-pack`, { source: panelPackTemplate() });
    expect(template.status, JSON.stringify(template.body)).toBe(201);
    expect((await auditOf('template.uploaded')).at(-1)).toMatchObject({
      actor: expect.stringMatching(new RegExp(`^person:${facA.personId} token:`)),
      data: { programmeId: A.id, documentType: 'panel-pack', version: 1 },
    });
  });

  it('tells a decline to the facilitators of that network’s programme and the administrator, not to others', async () => {
    const { A, facA } = world;
    const n = await facA.api.post('/networks', {
      programmeId: A.id,
      waveId: A.waveId,
      name: 'Decline network',
      practices: [{ name: 'D', odsCode: 'F30001', listSize: 5000, people: [{ name: 'Dr Dee Cline', email: 'decline@example.org', roles: ['partner'] }] }],
    });
    expect(n.status).toBe(201);
    await facA.api.post(`/networks/${n.body.id}/formation`);
    await waitForStage(admin, n.body.id, 'panel-presentation', 'drafting');
    await facA.api.post(`/networks/${n.body.id}/stages/panel-presentation/issue`);
    const request = await latestMail(admin, 'decline@example.org', /Please sign/);
    expect((await apiClient(stack.baseUrl).post(`/actions/${tokenFromLink(request.links[0])}/decline`, { reason: 'Not yet' })).status).toBe(200);
    const told = await eventually(async () => {
      const all = (await admin.get('/outbox')).body as { to: string; subject: string }[];
      const found = all.filter((m) => /declined/i.test(m.subject) && m.subject.includes('Panel'));
      return found.length >= 2 ? found.map((m) => m.to).sort() : null;
    }, 'the decline told to facilitators');
    const adminEmail = (await admin.get('/me')).body.person.email;
    // Fay and Ann facilitate programme A; Ben facilitates B and is not told
    expect(told).toEqual([adminEmail, 'ann@example.org', world.email('fay')].sort());
    expect(told).not.toContain(world.email('ben'));
  });

  it('shows the outbox of their programmes only, and without SMTP its text and links to the administrator alone', async () => {
    const { facA, facB, NA } = world;
    const asAdmin = (await admin.get('/outbox')).body as { to: string; text?: string; links?: string[] }[];
    expect(asAdmin.some((m) => m.text && m.links?.length)).toBe(true);
    const asFacA = (await facA.api.get('/outbox')).body as Record<string, unknown>[];
    expect(asFacA.length).toBeGreaterThan(0);
    for (const m of asFacA) {
      expect(m.text).toBeUndefined();
      expect(m.links).toBeUndefined();
      expect(m).toHaveProperty('delivery');
    }
    // nothing of programme B, and no invitations or sign-in links (they belong to no network)
    expect(asFacA.map((m) => m.to)).not.toContain(world.email('bea'));
    expect(asFacA.some((m) => /invited|sign in/i.test(String(m.subject)))).toBe(false);
    expect(((await facB.api.get('/outbox')).body as { to: string }[]).map((m) => m.to)).not.toContain(world.email('pat'));
    expect((await world.commA.api.get('/outbox')).status).toBe(403);
    // the partner of NA (programme A) is in Fay's outbox
    expect(asFacA.map((m) => m.to)).toContain(world.email('pat'));
    void NA;
  });
});

describe('the outbox with SMTP configured', () => {
  it('shows delivery status only, to the administrator too', async () => {
    const sent: string[] = [];
    const mailer: Mailer = { send: async (m) => void sent.push(m.to), close: () => undefined };
    const stack = await startInProcessStack({ temporalAddress: injectedTemporalAddress(), database: 'sqlite', mailer });
    try {
      const admin = apiClient(stack.baseUrl, stack.token);
      const p = (await admin.post('/programmes', { name: 'SMTP', sponsor: 'ICB', footprint: { minListSize: 1, maxListSize: 10 } })).body;
      expect((await admin.post('/staff', { name: 'Sam Smtp', email: 'sam@example.org', role: 'commissioner', programmeIds: [p.id] })).status).toBe(201);
      await eventually(async () => sent.includes('sam@example.org'), 'the invitation to be sent');
      const outbox = (await admin.get('/outbox')).body as Record<string, unknown>[];
      expect(outbox[0]).toMatchObject({ to: 'sam@example.org', subject: 'You are invited to Formwork as commissioner', delivery: 'sent' });
      expect(outbox[0].text).toBeUndefined();
      expect(outbox[0].links).toBeUndefined();
    } finally {
      await stack.stop();
    }
  });
});
