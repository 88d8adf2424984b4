import { describe, expect, it } from 'vitest';
import { apiClient, type ApiClient, eventually } from '../support/api';
import { caseEvent, caseWhen, linkFor, mails, openCase } from '../support/disputes-driver';
import { createScenarioNetwork, signOnePartnerPerPractice } from '../support/formation-driver';
import { useStack } from '../support/lifecycle';
import type { InProcessStack } from '../support/stack';

/**
 * Dispute cases over HTTP against a real Temporal server and SQLite: bad input refused with nothing
 * recorded, and each ending — resolved with terms the parties sign, withdrawn, determined by the LMC
 * through its link — after which the case refuses anything more.
 */
describe('dispute cases', () => {
  let stack: InProcessStack;
  let api: ApiClient;
  useStack({}, (env) => ({ stack, api } = env));

  /** The Highway Network (4 practices) of a fresh programme. */
  async function network() {
    const { network, programme } = await createScenarioNetwork(api, { networkIndex: 0, name: `Disputes ${Math.random().toString(36).slice(2, 8)}` });
    const ids: string[] = network.practices.map((p: { id: string }) => p.id);
    return { network, programme, ids };
  }

  const count = async (table: string) => Number((await stack.db(table).count({ n: '*' }).first())?.n ?? 0);

  it('refuses bad input with a clear 4xx and records nothing', async () => {
    const { network: a, ids } = await network();
    const { ids: others } = await network();
    const before = { cases: await count('disputes'), events: await count('dispute_events') };

    const one = await api.post(`/networks/${a.id}/disputes`, { title: 'T', summary: 'S', parties: [ids[0]] });
    expect(one.status).toBe(422);
    expect(JSON.stringify(one.body.error.details)).toContain('two or more practices');
    const stranger = await api.post(`/networks/${a.id}/disputes`, { title: 'T', summary: 'S', parties: [ids[0], others[1]] });
    expect(stranger.status).toBe(422);
    expect(stranger.body.error.message).toBe(`Not a practice of this network: ${others[1]}.`);
    const twice = await api.post(`/networks/${a.id}/disputes`, { title: 'T', summary: 'S', parties: [ids[0], ids[0]] });
    expect(twice.status).toBe(422);
    expect((await api.post(`/networks/${a.id}/disputes`, { title: 'T', summary: 'S', parties: ids.slice(0, 2), stage: 'no-such-stage' })).status).toBe(422);
    expect((await api.post('/networks/nope/disputes', { title: 'T', summary: 'S', parties: ids.slice(0, 2) })).status).toBe(404);
    expect({ cases: await count('disputes'), events: await count('dispute_events') }).toEqual(before);

    const opened = await openCase(api, a.id, ids.slice(0, 2));
    const events = await count('dispute_events');
    const unknown = await api.post(`/disputes/${opened.id}/events`, { type: 'appeal', text: 'x' });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.code).toBe('VALIDATION_FAILED');
    const resume = await api.post(`/disputes/${opened.id}/events`, { type: 'resume', text: 'Carry on.' });
    expect(resume.status).toBe(409);
    expect(resume.body.error).toMatchObject({ code: 'CLOCK_NOT_PAUSED', message: 'The clock is running: only a paused clock can be resumed.' });
    expect((await api.post(`/disputes/${opened.id}/events`, { type: 'extend', text: 'Agreed.' })).status).toBe(422);
    expect((await api.post(`/disputes/${opened.id}/events`, { type: 'note', text: 'x', days: 3 })).status).toBe(422);
    expect((await api.post(`/disputes/${opened.id}/events`, { type: 'determine', text: 'Decided.' })).body.error.code).toBe('CANNOT_DETERMINE');
    expect((await api.post(`/disputes/${opened.id}/external-person`, { name: 'Ms Lee', email: 'lee@lmc.test', organisation: 'LMC' })).body.error.code).toBe(
      'NO_EXTERNAL_AT_STEP',
    );
    expect(await count('dispute_events')).toBe(events);
    expect((await api.get(`/disputes/${opened.id}`)).body.history.map((h: { type: string }) => h.type)).toEqual(['opened']);
    expect((await api.get('/disputes/nope')).status).toBe(404);
  });

  it('ends resolved when every party signs the settlement record; a closed case refuses more with 409', async () => {
    const { network: n, ids, programme } = await network();
    const opened = await openCase(api, n.id, [ids[1], ids[2]], { title: 'Extended hours rota' });
    expect(opened.step).toEqual({ number: 1, name: 'Informal discussion' });
    expect(opened.dueOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const kase = (await api.get(`/disputes/${opened.id}`)).body;
    expect(kase).toMatchObject({ status: 'open', step: { number: 1, name: 'Informal discussion', dueOn: opened.dueOn, clock: 'running' }, breaches: 0 });
    expect(kase.parties.map((p: { practiceId: string }) => p.practiceId)).toEqual([ids[1], ids[2]]);

    const terms = 'Highway Practice staffs the Saturday clinic in odd months.\n\nBow Road Practice staffs it in even months.';
    const resolved = await caseEvent(api, opened.id, { type: 'resolve', text: terms });
    expect(resolved).toMatchObject({ status: 'open', clock: 'paused' });
    // while the parties sign, only notes are taken
    expect((await api.post(`/disputes/${opened.id}/events`, { type: 'escalate', text: 'x' })).body.error.code).toBe('SETTLEMENT_PENDING');
    const issued = await caseWhen(api, opened.id, (c) => c.settlement !== null, 'the settlement record');
    expect(issued.settlement.title).toBe('Settlement Record: Extended hours rota');

    // one partner of each party signs; the third and fourth practices are not asked
    const requests = await eventually(async () => {
      const found = (await mails(api, 'Please sign')).filter((m) => m.subject.includes('Settlement Record: Extended hours rota'));
      return found.length > 0 ? found : null;
    }, 'settlement signing requests');
    const practicesAsked = new Set<string>();
    for (const m of requests) practicesAsked.add((await apiClient(stack.baseUrl).get(`/actions/${m.links[0].split('/a/')[1]}`)).body.practice.id);
    expect([...practicesAsked].sort()).toEqual([ids[1], ids[2]].sort());
    await signOnePartnerPerPractice(
      stack.baseUrl,
      requests.map((m) => ({ to: m.to, token: m.links[0].split('/a/')[1] })),
    );

    const done = await caseWhen(api, opened.id, (c) => c.status === 'resolved', 'the case to be resolved');
    expect(done.history.map((h: { type: string }) => h.type)).toEqual(['opened', 'resolve', 'settlement-issued', 'settlement-signed']);
    expect(done.settlement.status).toBe('signed');
    expect(done.closedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const closed = await api.post(`/disputes/${opened.id}/events`, { type: 'note', text: 'One more thing.' });
    expect(closed.status).toBe(409);
    expect(closed.body.error.code).toBe('CASE_CLOSED');
    expect((await mails(api, 'Dispute case resolved: Extended hours rota')).length).toBeGreaterThan(0);
    const register = (await api.get(`/programmes/${programme.id}/disputes`)).body;
    expect(register.find((r: { id: string }) => r.id === opened.id)).toMatchObject({ status: 'resolved', timeLeft: 'Closed', daysLeft: null });
  });

  it('ends withdrawn by the practice that raised it, through its link; a party may not pause the clock', async () => {
    const { network: n, ids } = await network();
    const opened = await openCase(api, n.id, [ids[0], ids[3]], { title: 'Estates charges' });
    const jubileePartner = n.practices[0].people.find((p: { roles: string[] }) => p.roles.includes('partner')).email;
    const whitechapel = n.practices[3].people.find((p: { roles: string[] }) => p.roles.includes('partner')).email;
    const raiser = await linkFor(api, 'Dispute case opened: Estates charges', jubileePartner);
    const respondent = await linkFor(api, 'Dispute case opened: Estates charges', whitechapel);
    const anonymous = apiClient(stack.baseUrl);

    const view = await anonymous.get(`/actions/${raiser}`);
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ kind: 'dispute-case', case: { id: opened.id, title: 'Estates charges' } });
    expect((await anonymous.post(`/actions/${respondent}/case-events`, { type: 'note', text: 'We dispute the figures.' })).status).toBe(200);
    const pause = await anonymous.post(`/actions/${respondent}/case-events`, { type: 'pause', text: 'Wait.' });
    expect(pause.status).toBe(403);
    expect((await anonymous.post(`/actions/${respondent}/case-events`, { type: 'withdraw', text: 'No.' })).status).toBe(403);
    const withdrawn = await anonymous.post(`/actions/${raiser}/case-events`, { type: 'withdraw', text: 'Agreed between us.' });
    expect(withdrawn.status, JSON.stringify(withdrawn.body)).toBe(200);
    expect(withdrawn.body.status).toBe('withdrawn');
    const after = await caseWhen(api, opened.id, (c) => c.status === 'withdrawn', 'withdrawn');
    expect(after.history.map((h: { type: string; by: string }) => [h.type, h.by])).toEqual([
      ['opened', 'Administrator'],
      ['note', expect.stringContaining('(Whitechapel Practice)')],
      ['withdraw', expect.stringContaining('(Jubilee Street Group Practice)')],
    ]);
    await eventually(
      async () => (await api.post(`/disputes/${opened.id}/events`, { type: 'note', text: 'x' })).body.error?.code === 'CASE_CLOSED',
      'a 409 once closed',
    );
    expect((await anonymous.post(`/actions/${respondent}/case-events`, { type: 'note', text: 'x' })).status).toBe(409);
  });

  it('ends determined by the LMC officer through their link, after the board step where the parties’ board members stood aside', async () => {
    const { network: n, ids } = await network();
    const opened = await openCase(api, n.id, [ids[0], ids[1]], { title: 'Locum costs' });
    await caseEvent(api, opened.id, { type: 'extend', text: 'Both parties agreed a week more.', days: 5 });
    const board = await caseEvent(api, opened.id, { type: 'escalate', text: 'Informal discussion failed.' });
    expect(board).toMatchObject({ step: 2, stepName: 'Network board' });
    const atBoard = await caseWhen(api, opened.id, (c) => c.history.some((h: { type: string }) => h.type === 'stood-aside'), 'the stand-aside record');
    const aside = atBoard.history.find((h: { type: string }) => h.type === 'stood-aside');
    expect(aside.text).toContain('Dr James Evans (Jubilee Street Group Practice)');
    expect(aside.text).toContain('Dr Peter Ali (Highway Practice)');
    expect(aside.text).not.toContain('Bow Road');

    const lmc = await caseEvent(api, opened.id, { type: 'escalate', text: 'The board could not settle it.' });
    expect(lmc).toMatchObject({ step: 3, stepName: 'Local Medical Committee' });
    const appointed = await api.post(`/disputes/${opened.id}/external-person`, {
      name: 'Ms Jo Lee',
      email: 'Jo.Lee@lmc.test',
      organisation: 'Tower Hamlets LMC',
    });
    expect(appointed.status, JSON.stringify(appointed.body)).toBe(201);
    const officer = await linkFor(api, 'You are asked to act as LMC officer: Locum costs', 'jo.lee@lmc.test');
    const anonymous = apiClient(stack.baseUrl);
    const seen = await anonymous.get(`/actions/${officer}`);
    expect(seen.body).toMatchObject({
      kind: 'dispute-external',
      person: { name: 'Ms Jo Lee', organisation: 'Tower Hamlets LMC' },
      case: { step: { number: 3 } },
    });
    expect((await anonymous.post(`/actions/${officer}/case-events`, { type: 'note', text: 'The LMC’s view: costs are shared by list size.' })).status).toBe(
      200,
    );
    expect((await anonymous.post(`/actions/${officer}/case-events`, { type: 'escalate', text: 'x' })).status).toBe(403);
    const determined = await anonymous.post(`/actions/${officer}/case-events`, {
      type: 'determine',
      text: 'Determined: costs are shared by list size from April.',
    });
    expect(determined.status, JSON.stringify(determined.body)).toBe(200);
    const done = await caseWhen(api, opened.id, (c) => c.status === 'determined', 'determined');
    const last = done.history.at(-1);
    expect(last).toMatchObject({ type: 'determine', by: 'Ms Jo Lee (LMC officer)', step: 3 });
    expect((await api.post(`/disputes/${opened.id}/events`, { type: 'escalate', text: 'x' })).status).toBe(409);
    // every event is audited
    const audited = await stack.db('audit_events').where({ type: 'dispute.event' });
    const mine = audited.filter((e) => JSON.parse(e.data).disputeId === opened.id);
    expect(mine.length).toBe(done.history.length);
    expect((await api.get('/audit/verify')).body.valid).toBe(true);
  });
});
