import { describe, expect, it } from 'vitest';
import { apiClient, eventually, tokenFromLink } from '../support/api';
import { useEmbeddedStart } from '../support/embedded-start';
import { createScenarioNetwork } from '../support/formation-driver';
import { inSeconds, waitForMotionClosed } from '../support/votes-driver';

type Choice = 'for' | 'against' | 'abstain';

/**
 * The embedded default (`npm start`: Temporal dev server + SQLite in one process tree) killed with
 * SIGKILL in the middle of a ballot window and started again: every acknowledged ballot still
 * counts, exactly once, a repeat is refused, and the vote finishes with the audit chain intact.
 */
describe('npm start survives SIGKILL mid-ballot', () => {
  const embedded = useEmbeddedStart('formwork-votes-crash-');

  it('keeps every acknowledged ballot across a kill -9 of the whole stack and counts each once', { timeout: 150_000 }, async () => {
    const stack = await embedded.open();
    await stack.start();
    const api = apiClient(stack.baseUrl, stack.token);
    const anonymous = apiClient(stack.baseUrl);

    // the largest scenario network (5 practices, several partners each)
    const { network } = await createScenarioNetwork(api, { networkIndex: 5 });
    const practiceIds: string[] = network.practices.map((p: { id: string }) => p.id);
    expect(practiceIds).toHaveLength(5);

    const title = 'Adopt the winter access plan';
    const opened = await api.post(`/networks/${network.id}/motions`, {
      title,
      text: 'That the network adopts the plan.',
      decisionType: 'ordinary',
      closesAt: inSeconds(3600),
    });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    const motionId: string = opened.body.id;

    // every partner's link, grouped by practice
    const links = await eventually(
      async () => {
        const outbox = await api.get('/outbox?limit=1000');
        const found = (outbox.body as { subject: string; links: string[] }[]).filter((m) => m.subject === `Vote: ${title}`);
        const byPractice = new Map<string, string[]>();
        for (const m of found) {
          const linkToken = tokenFromLink(m.links[0]);
          const action = await anonymous.get(`/actions/${linkToken}`);
          expect(action.status, JSON.stringify(action.body)).toBe(200);
          byPractice.set(action.body.practice.id, [...(byPractice.get(action.body.practice.id) ?? []), linkToken]);
        }
        return byPractice.size === practiceIds.length ? byPractice : null;
      },
      'a ballot link for every practice',
      60_000,
    );

    const choices: Choice[] = ['for', 'against', 'for', 'abstain', 'for'];
    const choiceOf = new Map(practiceIds.map((id, i) => [id, choices[i]]));
    const cast = async (practiceId: string) => {
      const res = await anonymous.post(`/actions/${links.get(practiceId)![0]}/ballot`, { choice: choiceOf.get(practiceId) });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.receiptCode as string;
    };

    // the first half votes and is acknowledged; then the whole stack is killed
    const before = practiceIds.slice(0, 3);
    const after = practiceIds.slice(3);
    const receipts: string[] = [];
    for (const id of before) receipts.push(await cast(id));
    await stack.current().kill9();

    await stack.start();
    const reopened = await api.get(`/motions/${motionId}`);
    expect(reopened.status, JSON.stringify(reopened.body)).toBe(200);
    expect(reopened.body.status).toBe('open');
    expect(reopened.body.turnout.voted).toBe(before.length);
    const votedNow = reopened.body.turnout.practices.filter((p: { voted: boolean }) => p.voted).map((p: { practiceId: string }) => p.practiceId);
    expect(votedNow.sort()).toEqual([...before].sort());
    expect(reopened.body.live.tallies).toMatchObject({ for: 2, against: 1, abstain: 0 });

    // a repeat from an acknowledged voter, or from another partner of the same practice, is refused
    const repeat = await anonymous.post(`/actions/${links.get(before[0])![0]}/ballot`, { choice: 'against' });
    expect(repeat.status, JSON.stringify(repeat.body)).toBe(409);
    expect(repeat.body.error.code).toBe('ALREADY_VOTED');
    const colleague = before.map((id) => links.get(id)![1]).find(Boolean);
    expect(colleague, 'a practice that voted has a second partner').toBeDefined();
    const byColleague = await anonymous.post(`/actions/${colleague}/ballot`, { choice: 'against' });
    expect(byColleague.status, JSON.stringify(byColleague.body)).toBe(409);
    expect(byColleague.body.error.code).toBe('ALREADY_VOTED');

    // the rest vote; everyone has voted, so the vote closes early
    for (const id of after) receipts.push(await cast(id));
    const closed = await waitForMotionClosed(api, motionId, 60_000);
    expect(Date.parse(closed.closedAt)).toBeLessThan(Date.parse(closed.closesAt));
    expect(closed.turnout.voted).toBe(practiceIds.length);
    expect(closed.result).toBe('carried');
    expect(closed.count.tallies).toMatchObject({ for: 3, against: 1, abstain: 1 });
    const accepted = closed.count.accepted as { principalId: string; choice: Choice }[];
    expect(accepted.map((a) => a.principalId).sort()).toEqual([...practiceIds].sort());
    for (const a of accepted) expect(a.choice).toBe(choiceOf.get(a.principalId));
    for (const code of receipts) {
      const check = await anonymous.get(`/motions/${motionId}/receipts/${code}`);
      expect(check.body).toMatchObject({ counted: true, motionStatus: 'closed', result: 'carried' });
    }

    const late = await anonymous.post(`/actions/${links.get(after[0])![0]}/ballot`, { choice: 'against' });
    expect(late.status).toBe(409);
    expect((await api.get('/audit/verify')).body.valid).toBe(true);
  });
});
