import crypto from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { hashReceipt, newReceiptCode, sealBallot } from '../../crypto/ballot-seal';
import { castVoteUpdate, electionBallotUpdate, electionWorkflowId, voteWorkflowId } from '../../workflows/vote-messages';
import { type ApiClient, tokenFromLink } from '../support/api';
import { testDataConverter } from '../support/codec';
import { createScenarioNetwork } from '../support/formation-driver';
import { useStack } from '../support/lifecycle';
import type { InProcessStack } from '../support/stack';
import { inSeconds, nominate, openElection } from '../support/votes-driver';
import { injectedTemporalAddress } from '../setup/temporal-env';

/**
 * A ballot link never reaches a voter before the workflow accepts ballots: the moment the first
 * link is in the outbox, a ballot sent straight to the workflow (no server, no retry) is accepted.
 */
describe('opening a vote or a ballot', () => {
  let stack: InProcessStack;
  let api: ApiClient;
  useStack({}, (env) => ({ stack, api } = env));

  /** Watches the outbox as closely as it can (yielding only to the server and worker in this process) until a message with this subject appears; returns who it is for. */
  async function firstLink(subject: string) {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const message = await stack.db('outbox').where({ subject }).first();
      if (message) {
        const token = await stack.repos.tokens.actionTokenBySecret(stack.db, tokenFromLink(JSON.parse(message.links)[0]));
        const person = await stack.db('people').where({ id: token!.personId }).first();
        return { subjectId: token!.subjectId, personId: person.id as string, practiceId: person.practice_id as string };
      }
      if (Date.now() > deadline) throw new Error(`no message "${subject}"`);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  async function withClient<T>(fn: (client: Client) => Promise<T>): Promise<T> {
    const connection = await Connection.connect({ address: injectedTemporalAddress() });
    try {
      return await fn(new Client({ connection, dataConverter: testDataConverter }));
    } finally {
      await connection.close();
    }
  }

  it('accepts a motion’s ballot as soon as its first link exists', async () => {
    const { network } = await createScenarioNetwork(api, { practiceCount: 5, networkIndex: 3 });
    const title = 'First link race';
    const opening = api.post(`/networks/${network.id}/motions`, { title, text: 'x', decisionType: 'ordinary', closesAt: inSeconds(3600) });
    const link = await firstLink(`Vote: ${title}`);
    const accepted = await withClient((client) =>
      client.workflow.getHandle(voteWorkflowId(link.subjectId)).executeUpdate(castVoteUpdate, {
        args: [{ voterId: link.practiceId, castBy: link.personId, choice: 'for', receiptHash: hashReceipt(newReceiptCode()) }],
      }),
    );
    expect(accepted).toEqual({ accepted: true });
    expect((await opening).status).toBe(201);
  });

  it('accepts an election ballot as soon as its first link exists', async () => {
    const { network } = await createScenarioNetwork(api, { practiceCount: 4, networkIndex: 4 });
    const p = network.practices as { id: string; people: { id: string }[] }[];
    const title = `Ballot race ${crypto.randomUUID().slice(0, 8)}`;
    const election = (await openElection(api, network.id, { title, method: 'fptp', constituency: 'All', seats: 1, practiceIds: p.map((x) => x.id) })).body;
    const [candidate] = await nominate(api, election.id, 'All', [p[0].people[0].id]);
    const advancing = api.post(`/elections/${election.id}/close`);
    const link = await firstLink(`Election ballot: ${title} (All)`);
    const key = (await stack.db('elections').where({ id: election.id }).first()).ballot_key as string;
    const sealed = sealBallot(key, { preferences: [candidate], receiptHash: hashReceipt(newReceiptCode()) });
    const accepted = await withClient((client) =>
      client.workflow
        .getHandle(electionWorkflowId(link.subjectId))
        .executeUpdate(electionBallotUpdate, { args: [{ voterId: link.practiceId, castBy: link.personId, sealed }] }),
    );
    expect(accepted).toEqual({ accepted: true });
    // "close the phase" answers once the ballot is open and its links are out
    const advanced = await advancing;
    expect(advanced.status).toBe(200);
    expect(advanced.body.phase).toBe('ballot');
  });
});
