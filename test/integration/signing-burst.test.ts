import { temporal } from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import { apiClient, type ApiClient, eventually, tokenFromLink } from '../support/api';
import { passPanel, waitForStage } from '../support/formation-driver';
import { replayAllHistories } from '../support/replay';
import { useStack } from '../support/lifecycle';
import type { InProcessStack } from '../support/stack';
import { injectedTemporalAddress } from '../setup/temporal-env';

const PRACTICES = 60;
/** the first practices have a second partner, who tries to sign for the practice at the same moment */
const WITH_TWO_PARTNERS = 10;

/**
 * A burst of different signers at once. Signatures that arrive together are written together (one
 * workflow task and one transaction per batch), so this checks what batching must never change:
 * every signer is answered once, each practice is signed for once, every acknowledged signature is
 * in the database with its audit event, and the round completes once.
 */
describe('a burst of signers', () => {
  let stack: InProcessStack;
  let api: ApiClient;
  useStack({}, (env) => ({ stack, api } = env));

  it(`gives each of ${PRACTICES} practices exactly one signature when all their partners sign at once, and completes the round once`, async () => {
    const programme = await api.post('/programmes', {
      name: `Burst programme ${Date.now()}`,
      sponsor: 'Burst',
      footprint: { minListSize: 1, maxListSize: 10_000_000 },
    });
    const wave = await api.post(`/programmes/${programme.body.id}/waves`, { number: 1, panelDate: '2027-01-15' });
    const practices = Array.from({ length: PRACTICES }, (_, i) => ({
      name: `Burst Practice ${i + 1}`,
      odsCode: `Q${String(i + 1).padStart(5, '0')}`,
      listSize: 5000 + i,
      people: [
        { name: `Dr Burst ${i + 1}`, email: `burst${i + 1}@example.org`, roles: ['partner'] },
        ...(i < WITH_TWO_PARTNERS ? [{ name: `Dr Second ${i + 1}`, email: `second${i + 1}@example.org`, roles: ['partner'] }] : []),
      ],
    }));
    const network = await api.post('/networks', { programmeId: programme.body.id, waveId: wave.body.id, name: 'Burst network', practices });
    expect(network.status, JSON.stringify(network.body)).toBe(201);
    expect((await api.post(`/networks/${network.body.id}/formation`)).status).toBe(202);
    await waitForStage(api, network.body.id, 'panel-presentation', 'drafting');
    const issued = await api.post(`/networks/${network.body.id}/stages/panel-presentation/issue`);
    expect(issued.status, JSON.stringify(issued.body)).toBe(202);
    const signers = PRACTICES + WITH_TWO_PARTNERS;
    const requests = await eventually(async () => {
      const outbox = (await api.get('/outbox?limit=1000')).body as { to: string; subject: string; links: string[] }[];
      const found = outbox.filter((m) => m.subject.includes(issued.body.document.title) && /@example\.org$/.test(m.to));
      return found.length >= signers ? found : null;
    }, 'sign requests');
    expect(requests).toHaveLength(signers);

    const anonymous = apiClient(stack.baseUrl);
    const people = network.body.practices.flatMap((p: { id: string; people: { id: string; name: string; email: string }[] }) =>
      p.people.map((x) => ({ ...x, practiceId: p.id })),
    );
    const byEmail = new Map(people.map((p: { email: string }) => [p.email, p]));
    const answers = await Promise.all(
      requests.map(async (m) => {
        const person = byEmail.get(m.to) as { id: string; name: string; practiceId: string };
        const res = await anonymous.post(`/actions/${tokenFromLink(m.links[0])}/sign`, { typedName: person.name, consent: true });
        return { person, res };
      }),
    );

    // every practice is signed for by exactly one of its partners; the other is told why not
    const accepted = answers.filter((a) => a.res.status === 200);
    const refused = answers.filter((a) => a.res.status !== 200);
    expect(accepted).toHaveLength(PRACTICES);
    expect(new Set(accepted.map((a) => a.person.practiceId)).size).toBe(PRACTICES);
    expect(refused).toHaveLength(WITH_TWO_PARTNERS);
    expect(new Set(refused.map((a) => `${a.res.status} ${a.res.body.error.code}`))).toEqual(new Set(['409 ALREADY_SIGNED']));
    // exactly one answer saw the last slot filled
    expect(accepted.filter((a) => a.res.body.roundComplete)).toHaveLength(1);

    // what was acknowledged is in the database, once each, with its audit event
    const rows = await stack.db('signatures').where({ document_id: issued.body.document.id });
    expect(rows).toHaveLength(PRACTICES);
    // and each signer's answer is their own signature, not another one of the same batch
    const rowById = new Map(rows.map((r) => [r.id, r]));
    expect(accepted.map((a) => rowById.get(a.res.body.signatureId)?.person_id)).toEqual(accepted.map((a) => a.person.id));
    expect(accepted.every((a) => a.res.body.signedBy === a.person.name)).toBe(true);
    const signoffId = rows[0].signoff_id;
    const audit = (await stack.db('audit_events').whereIn('type', ['signature.signed', 'signoff.completed']))
      .map((e) => ({ type: e.type, data: JSON.parse(e.data) }))
      .filter((e) => e.data.signoffId === signoffId);
    expect(
      audit
        .filter((e) => e.type === 'signature.signed')
        .map((e) => e.data.signatureId)
        .sort(),
    ).toEqual(rows.map((r) => r.id).sort());
    const statuses = await stack.db('signature_requests').where({ signoff_id: signoffId });
    expect(statuses.filter((r) => r.status === 'signed')).toHaveLength(PRACTICES);
    expect(statuses.filter((r) => r.status === 'signed-by-colleague')).toHaveLength(WITH_TWO_PARTNERS);

    // signers who arrived while an update to the round was in flight were sent together, so the
    // round's history holds far fewer updates than signers (each judged and answered on its own)
    const workflowId = (await stack.db('action_tokens').where({ subject_id: signoffId }).first()).workflow_id;
    const { events } = await stack.temporal.workflow.getHandle(workflowId).fetchHistory();
    const updates = (events ?? []).filter((e) => e.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED);
    expect(updates.length).toBeGreaterThan(0);
    expect(updates.length).toBeLessThanOrEqual(signers / 2);

    // the round completes once, and formation moves on once
    await passPanel(api, network.body.id);
    await waitForStage(api, network.body.id, 'terms-of-reference', 'drafting');
    const completed = (await stack.db('audit_events').where({ type: 'signoff.completed' })).filter((e) => JSON.parse(e.data).signoffId === signoffId);
    expect(completed).toHaveLength(1);
    expect(JSON.parse(completed[0].data).outcome).toBe('signed');
    expect((await stack.db('signoffs').where({ id: signoffId }).first()).status).toBe('signed');
  });

  it('replays the histories it made deterministically', async () => {
    const replayed = await replayAllHistories(injectedTemporalAddress(), stack.taskQueue);
    expect(replayed).toContain('signoffWorkflow');
  });
});
