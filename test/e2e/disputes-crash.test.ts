import { describe, expect, it } from 'vitest';
import { apiClient, eventually } from '../support/api';
import { caseEvent, linkFor } from '../support/disputes-driver';
import { useEmbeddedStart } from '../support/embedded-start';
import { createScenarioNetwork } from '../support/formation-driver';

/**
 * The embedded default (`npm start`: Temporal dev server + SQLite in one process tree) killed with
 * SIGKILL in the middle of a dispute case whose clock is paused, and started again: every
 * acknowledged event is still there, the clock is still paused with the same days left, and the
 * case carries on: resumed, escalated to the board, withdrawn, with the audit chain intact.
 */
describe('npm start survives SIGKILL mid-case', () => {
  const embedded = useEmbeddedStart('formwork-dispute-crash-');

  it('keeps a paused case, its days left and its history across a kill -9 of the whole stack', { timeout: 150_000 }, async () => {
    const stack = await embedded.open();
    await stack.start();
    const api = apiClient(stack.baseUrl, stack.token);
    const anonymous = apiClient(stack.baseUrl);

    const { network } = await createScenarioNetwork(api, { networkIndex: 1, practiceCount: 3 });
    const parties = network.practices.slice(0, 2).map((p: { id: string }) => p.id);
    const opened = await api.post(`/networks/${network.id}/disputes`, {
      title: 'Shared nurse hours',
      summary: 'The nurse hours were not shared as agreed.',
      parties,
    });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    const caseId: string = opened.body.id;
    const partner = network.practices[1].people.find((p: { roles: string[] }) => p.roles.includes('partner')).email;
    const partyLink = await linkFor(api, 'Dispute case opened: Shared nurse hours', partner);
    expect((await anonymous.post(`/actions/${partyLink}/case-events`, { type: 'note', text: 'We have the figures for October.' })).status).toBe(200);
    const paused = await caseEvent(api, caseId, { type: 'pause', text: 'Awaiting the rota from the practice managers.' });
    expect(paused.clock).toBe('paused');
    const before = (await api.get(`/disputes/${caseId}`)).body;
    expect(before.timeLeft).toBe('Clock paused: 10 working days left');

    await stack.current().kill9();
    await stack.start();

    const after = (await api.get(`/disputes/${caseId}`)).body;
    expect(after).toMatchObject({ status: 'open', step: { number: 1, clock: 'paused' }, timeLeft: 'Clock paused: 10 working days left' });
    expect(after.history.map((h: { type: string }) => h.type)).toEqual(['opened', 'note', 'pause']);
    // the workflow remembers its state: a second pause is refused, a resume is taken
    const again = await api.post(`/disputes/${caseId}/events`, { type: 'pause', text: 'again' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ALREADY_PAUSED');
    const resumed = await caseEvent(api, caseId, { type: 'resume', text: 'Rota received.' });
    // paused and resumed on the same day: the due date has not moved
    expect(resumed).toMatchObject({ clock: 'running', dueOn: before.step.dueOn });
    const board = await caseEvent(api, caseId, { type: 'escalate', text: 'Not settled between the practices.' });
    expect(board.stepName).toBe('Network board');
    await eventually(
      async () => (await api.get(`/disputes/${caseId}`)).body.history.some((h: { type: string }) => h.type === 'stood-aside'),
      'the stand-aside record',
    );
    await caseEvent(api, caseId, { type: 'withdraw', text: 'Agreed at the board.' });
    const closed = await eventually(async () => {
      const res = (await api.get(`/disputes/${caseId}`)).body;
      return res.status === 'withdrawn' ? res : null;
    }, 'the case to close');
    expect(closed.history.map((h: { seq: number }) => h.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect((await api.get('/audit/verify')).body.valid).toBe(true);
  });
});
