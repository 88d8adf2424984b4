import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRecordsRepo } from '../../db/repos/records.repo';
import { apiClient, type ApiClient, eventually, tokenFromLink } from '../support/api';
import { createScenarioNetwork } from '../support/formation-driver';
import { startInProcessStack, type InProcessStack } from '../support/stack';
import { inSeconds, waitForMotionClosed } from '../support/votes-driver';
import { injectedTemporalAddress } from '../setup/temporal-env';

const ELECTORATE = 500;

/** 500 ballots cast at once into one vote workflow: each counted exactly once. */
describe('500 concurrent ballots', () => {
  let stack: InProcessStack;
  let api: ApiClient;

  beforeAll(async () => {
    stack = await startInProcessStack({ temporalAddress: injectedTemporalAddress(), database: 'sqlite' });
    api = apiClient(stack.baseUrl, stack.token);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('counts each of 500 practices once, whatever arrives twice', { timeout: 110_000 }, async () => {
    const { programme, waves } = await createScenarioNetwork(api, { practiceCount: 1 });
    // the API caps a network at 250 practices; a 500-practice electorate is written directly
    const networkId = crypto.randomUUID();
    await createRecordsRepo().insertNetwork(stack.db, {
      id: networkId,
      programmeId: programme.id,
      waveId: waves[0].id,
      name: 'Five hundred practices',
      practices: Array.from({ length: ELECTORATE }, (_, i) => ({
        id: `p-${i}`,
        name: `Practice ${i}`,
        odsCode: `Z${String(i).padStart(5, '0')}`,
        listSize: 3000 + i,
        people: [{ id: `person-${i}`, name: `Dr Voter ${i}`, email: `voter${i}@example.org`, roles: ['partner'] }],
      })),
    });
    const motion = await api.post(`/networks/${networkId}/motions`, { title: 'Mass motion', decisionType: 'ordinary', closesAt: inSeconds(3600) });
    expect(motion.status, JSON.stringify(motion.body)).toBe(201);
    const links = await eventually(
      async () => {
        const outbox = await api.get('/outbox?limit=1000');
        const found = (outbox.body as { subject: string; links: string[] }[]).filter((m) => m.subject === 'Vote: Mass motion');
        return found.length === ELECTORATE ? found.map((m) => tokenFromLink(m.links[0])) : null;
      },
      '500 ballot links',
      60_000,
    );

    const anonymous = apiClient(stack.baseUrl);
    const choices = ['for', 'against', 'abstain'] as const;
    // every ballot at once, plus a duplicate of every tenth one racing it
    const attempts = links.flatMap((token, i) => [{ token, choice: choices[i % 3] }, ...(i % 10 === 0 ? [{ token, choice: 'against' as const }] : [])]);
    const results = await Promise.all(attempts.map((a) => anonymous.post(`/actions/${a.token}/ballot`, { choice: a.choice })));
    const ok = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status === 409);
    expect(ok).toHaveLength(ELECTORATE);
    expect(refused).toHaveLength(attempts.length - ELECTORATE);
    expect(refused.every((r) => r.body.error.code === 'ALREADY_VOTED')).toBe(true);

    const closed = await waitForMotionClosed(api, motion.body.id, 60_000);
    expect(closed.turnout.voted).toBe(ELECTORATE);
    const { for: f, against: a, abstain: ab } = closed.count.tallies;
    expect(f + a + ab).toBe(ELECTORATE);
    expect(await stack.db('motion_turnout').where({ motion_id: motion.body.id }).count({ n: '*' }).first()).toMatchObject({ n: ELECTORATE });
    expect(await stack.db('motion_ballots').where({ motion_id: motion.body.id }).count({ n: '*' }).first()).toMatchObject({ n: ELECTORATE });
    const receipts = new Set(ok.map((r) => r.body.receiptCode));
    expect(receipts.size).toBe(ELECTORATE);
  });
});
