import type { Knex } from 'knex';
import pino from 'pino';
import { createOutbox } from '../../mail/outbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMotionsActivities } from '../../activities/motions.activities';
import { hashReceipt, newReceiptCode, sealBallot } from '../../crypto/ballot-seal';
import { apiClient, type ApiClient, eventually } from '../support/api';
import { createScenarioNetwork } from '../support/formation-driver';
import { freshPostgresDatabase, startInProcessStack, type InProcessStack } from '../support/stack';
import { ballotLinks, castAll, nominate, openElection, proposeMotion } from '../support/votes-driver';
import { injectedPostgresUrl, injectedTemporalAddress } from '../setup/temporal-env';

/** Transaction ids (xmin) of a table's rows for one motion or election, as text. */
async function xmins(db: Knex, table: string, column: string, id: string): Promise<string[]> {
  const rows = await db(table)
    .where({ [column]: id })
    .select(db.raw('xmin::text as xmin'));
  return rows.map((r: { xmin: string }) => r.xmin);
}

/**
 * Secret ballots on Postgres: the row saying a practice voted and the row saying how never share a
 * transaction id, for motions and elections, and after the close the ballots are rewritten in one
 * transaction of their own; a crash between the two writes neither loses the ballot nor counts it
 * twice when the write is retried.
 */
describe('secret ballots on Postgres', () => {
  let stack: InProcessStack;
  let api: ApiClient;
  let anonymous: ApiClient;
  let dropDb: () => Promise<void>;

  beforeAll(async () => {
    const fresh = await freshPostgresDatabase(injectedPostgresUrl());
    dropDb = fresh.drop;
    stack = await startInProcessStack({ temporalAddress: injectedTemporalAddress(), database: { postgresUrl: fresh.url } });
    api = apiClient(stack.baseUrl, stack.token);
    anonymous = apiClient(stack.baseUrl);
  });
  afterAll(async () => {
    await stack?.stop();
    await dropDb?.();
  });

  it('writes a motion’s turnout and ballot rows in different transactions', async () => {
    const { network } = await createScenarioNetwork(api, { practiceCount: 4, networkIndex: 0 });
    await api.put(`/networks/${network.id}/voting-rules`, { rules: [{ decisionType: 'appointment', ballot: 'secret' }] });
    const motion = await proposeMotion(api, network.id, { title: 'Secret on Postgres', text: 'x', decisionType: 'appointment' });
    const links = await ballotLinks(api, stack.baseUrl, 'Vote: Secret on Postgres', 4);
    await castAll(stack.baseUrl, links.slice(0, 3), (_l, i) => (['for', 'against', 'for'] as const)[i]);

    // while the vote is open (the close rewrites the ballot rows anyway)
    const turnout = await xmins(stack.db, 'motion_turnout', 'motion_id', motion.id);
    const ballots = await xmins(stack.db, 'motion_ballots', 'motion_id', motion.id);
    expect(turnout).toHaveLength(3);
    expect(ballots).toHaveLength(3);
    expect(turnout.filter((x) => ballots.includes(x))).toEqual([]);
    expect(new Set([...turnout, ...ballots]).size).toBe(6);

    // after the close the ballot rows are rewritten together: their ids no longer follow arrival
    expect((await api.post(`/motions/${motion.id}/close`)).status).toBe(200);
    const rewritten = await xmins(stack.db, 'motion_ballots', 'motion_id', motion.id);
    expect(rewritten).toHaveLength(3);
    expect(new Set(rewritten).size).toBe(1);
    expect(rewritten.filter((x) => ballots.includes(x) || turnout.includes(x))).toEqual([]);
  });

  it('writes an election’s turnout and ballot rows in different transactions', async () => {
    const { network } = await createScenarioNetwork(api, { practiceCount: 3, networkIndex: 1 });
    const p = network.practices as { id: string; people: { id: string }[] }[];
    const election = (
      await openElection(api, network.id, { title: 'Board on Postgres', method: 'fptp', constituency: 'All', seats: 1, practiceIds: p.map((x) => x.id) })
    ).body;
    const [candidate] = await nominate(api, election.id, 'All', [p[0].people[0].id]);
    expect((await api.post(`/elections/${election.id}/close`)).body.phase).toBe('ballot');
    const links = await ballotLinks(api, stack.baseUrl, 'Election ballot: Board on Postgres', 3);
    for (const link of links.slice(0, 2)) expect((await anonymous.post(`/actions/${link.token}/ballot`, { preferences: [candidate] })).status).toBe(200);

    const turnout = await xmins(stack.db, 'election_turnout', 'election_id', election.id);
    const ballots = await xmins(stack.db, 'election_ballots', 'election_id', election.id);
    expect(turnout).toHaveLength(2);
    expect(ballots).toHaveLength(2);
    expect(turnout.filter((x) => ballots.includes(x))).toEqual([]);

    // the count rewrites the ballot papers together
    expect((await api.post(`/elections/${election.id}/close`)).body.phase).toBe('counted');
    const rewritten = await xmins(stack.db, 'election_ballots', 'election_id', election.id);
    expect(rewritten).toHaveLength(2);
    expect(new Set(rewritten).size).toBe(1);
    expect(rewritten.filter((x) => ballots.includes(x) || turnout.includes(x))).toEqual([]);
  });

  it('keeps the turnout and writes the ballot once when the write is retried after a crash between the two', async () => {
    const { network } = await createScenarioNetwork(api, { practiceCount: 2, networkIndex: 2 });
    await api.put(`/networks/${network.id}/voting-rules`, { rules: [{ decisionType: 'appointment', ballot: 'secret' }] });
    const motion = await proposeMotion(api, network.id, { title: 'Crash between writes', text: 'x', decisionType: 'appointment' });
    await eventually(async () => ((await stack.db('motions').where({ id: motion.id }).first())?.ballot_key ? true : null), 'the motion to be recorded');
    const key = (await stack.db('motions').where({ id: motion.id }).first()).ballot_key as string;
    const practice = network.practices[0] as { id: string; people: { id: string }[] };
    const receiptHash = hashReceipt(newReceiptCode());
    const input = { motionId: motion.id, voterId: practice.id, castBy: practice.people[0].id, sealed: sealBallot(key, { choice: 'for', receiptHash }) };

    // the process dies after the first transaction (who voted) commits and before the second (what)
    let transactions = 0;
    const crashing = new Proxy(stack.db, {
      get(target, prop, receiver) {
        if (prop !== 'transaction') return Reflect.get(target, prop, receiver);
        return (...args: Parameters<Knex['transaction']>) => {
          transactions += 1;
          if (transactions === 2) return Promise.reject(new Error('worker killed between the two writes'));
          return (target.transaction as (...a: unknown[]) => unknown)(...args);
        };
      },
    });
    const base = { db: stack.db, repos: stack.repos, log: pino({ level: 'silent' }), publicUrl: stack.baseUrl };
    const deps = { ...base, actionTokenTtlDays: 30, outbox: createOutbox(base) };
    await expect(createMotionsActivities({ ...deps, db: crashing }).recordVote(input)).rejects.toThrow('worker killed');
    expect(await stack.db('motion_turnout').where({ motion_id: motion.id, voter_id: practice.id })).toHaveLength(1);
    expect(await stack.db('motion_ballots').where({ receipt_hash: receiptHash })).toHaveLength(0);

    // Temporal retries the activity with the same input; a later duplicate retry changes nothing
    const activities = createMotionsActivities({ ...deps, db: stack.db });
    await activities.recordVote(input);
    await activities.recordVote(input);
    expect(await stack.db('motion_turnout').where({ motion_id: motion.id })).toHaveLength(1);
    expect(await stack.db('motion_ballots').where({ motion_id: motion.id })).toHaveLength(1);
    const cast = (await stack.db('audit_events').where({ type: 'motion.ballot-cast' })).filter((e) => JSON.parse(e.data).motionId === motion.id);
    expect(cast).toHaveLength(1);
  });
});
