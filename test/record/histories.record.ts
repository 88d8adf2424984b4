/**
 * Records the workflow histories that CI replays (test/integration/replay-fixtures.test.ts): a
 * network's formation with its sign-off rounds (voided, signed, declined), a round whose partners all
 * sign at once (signatures written in batches), a stage decided by vote,
 * motions with open and secret ballots, an election, dispute cases (held stage, clock events, board,
 * settlement signed, LMC determination), a risk's review timer, and an outcome letter that fails and
 * is sent again. Run with `npm run record-histories` after
 * an intended, `patched()` change to a workflow; commit the files it writes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import { apiClient, eventually, type ApiClient } from '../support/api';
import { createScenarioNetwork, panelBody, passPanel, scoreLinks, signOnePartnerPerPractice, signRequests, waitForStage } from '../support/formation-driver';
import { useStack } from '../support/lifecycle';
import type { InProcessStack } from '../support/stack';
import { ballotLinks, castAll, nominate, openElection, proposeMotion, waitForMotionClosed } from '../support/votes-driver';
import { caseEvent, caseWhen, linkFor, mails, openCase } from '../support/disputes-driver';
import { injectedTemporalAddress } from '../setup/temporal-env';
import { testCodec } from '../support/codec';
import { decodeHistoryInPlace } from '../support/history';
import { failingActivity } from '../support/failing-activities';

const OUT = path.join(__dirname, '..', 'fixtures', 'histories');

/** Networks whose outcome letter fails, as a letter whose template cannot be filled in does. */
const lettersFailing = new Set<string>();
const failingLetters = failingActivity({
  activityType: 'sendPanelOutcomeLetter',
  when: (args) => lettersFailing.has((args[0] as { networkId: string }).networkId),
  failure: { message: 'The outcome letter could not be filled in.', type: 'TEMPLATE_CONTEXT_INVALID' },
});

describe('record workflow histories', () => {
  let stack: InProcessStack;
  let api: ApiClient;
  useStack({ workerInterceptors: { activity: [failingLetters] } }, (env) => ({ stack, api } = env));

  it('drives every workflow through its main paths and writes their histories', async () => {
    const anonymous = apiClient(stack.baseUrl);

    // formation: a round voided by a new version, a panel that scores and passes with a condition
    // (closed with its evidence), a signed round, a declined round
    const { network, waves } = await createScenarioNetwork(api, { practiceCount: 2, name: 'Recorded network' });
    expect((await api.put(`/waves/${waves[0].id}/panel`, panelBody())).status).toBe(200);
    expect((await api.post(`/networks/${network.id}/formation`)).status).toBe(202);
    await waitForStage(api, network.id, 'panel-presentation', 'drafting');
    expect((await api.put(`/networks/${network.id}/stages/panel-presentation`, {})).status).toBe(200);
    const v1 = await api.post(`/networks/${network.id}/stages/panel-presentation/issue`);
    expect(v1.status, JSON.stringify(v1.body)).toBe(202);
    await eventually(async () => ((await signRequests(api, 1, v1.body.document.title)).length > 0 ? true : null), 'version 1 requests');
    const v2 = await api.post(`/networks/${network.id}/stages/panel-presentation/issue`);
    expect(v2.status, JSON.stringify(v2.body)).toBe(202);
    const requests = await eventually(async () => {
      const found = await signRequests(api, 2, v2.body.document.title);
      return found.length >= 2 ? found : null;
    }, 'version 2 requests');
    const [scoreLink] = await eventually(async () => {
      const found = await scoreLinks(api, network.name);
      return found.length > 0 ? found : null;
    }, 'score links');
    const sheet = { scores: ['vision', 'freedoms', 'leadership'].map((criterion) => ({ criterion, score: 4, comment: '' })), recommendation: 'pass' };
    expect((await anonymous.post(`/actions/${scoreLink.token}/score`, sheet)).status).toBe(200);
    expect(
      (await api.post(`/networks/${network.id}/panel/outcome`, { outcome: 'conditional', conditions: ['Name the nominated payee'], reason: 'Recorded' }))
        .status,
    ).toBe(200);
    await signOnePartnerPerPractice(stack.baseUrl, requests);
    await waitForStage(api, network.id, 'terms-of-reference', 'drafting');
    expect((await api.post(`/networks/${network.id}/panel/conditions/1/close`, { note: 'Named in the terms of reference' })).status).toBe(200);
    const tor = await api.post(`/networks/${network.id}/stages/terms-of-reference/issue`);
    expect(tor.status, JSON.stringify(tor.body)).toBe(202);
    const torRequests = await eventually(async () => {
      const found = await signRequests(api, 1, tor.body.document.title);
      return found.length > 0 ? found : null;
    }, 'terms of reference requests');
    expect((await anonymous.post(`/actions/${torRequests[0].token}/decline`, { reason: 'Clause 6 needs another look' })).status).toBe(200);
    await waitForStage(api, network.id, 'terms-of-reference', 'drafting');

    // a network deferred by the wave 1 panel, presenting again in wave 2
    const deferred = await createScenarioNetwork(api, { practiceCount: 2, name: 'Recorded deferred network' });
    expect((await api.post(`/networks/${deferred.network.id}/formation`)).status).toBe(202);
    await waitForStage(api, deferred.network.id, 'panel-presentation', 'drafting');
    expect((await api.post(`/networks/${deferred.network.id}/stages/panel-presentation/issue`)).status).toBe(202);
    await waitForStage(api, deferred.network.id, 'panel-presentation', 'awaiting-signatures');
    expect((await api.post(`/networks/${deferred.network.id}/panel/outcome`, { outcome: 'defer', reason: 'Recorded' })).status).toBe(200);
    await waitForStage(api, deferred.network.id, 'panel-presentation', 'drafting');
    expect((await api.post(`/networks/${deferred.network.id}/stages/panel-presentation/issue`)).status).toBe(202);
    await waitForStage(api, deferred.network.id, 'panel-presentation', 'awaiting-signatures');

    // a network whose outcome letter fails, and is sent again by the facilitator
    const unlettered = await createScenarioNetwork(api, { practiceCount: 2, name: 'Recorded letter network' });
    lettersFailing.add(unlettered.network.id);
    expect((await api.post(`/networks/${unlettered.network.id}/formation`)).status).toBe(202);
    await waitForStage(api, unlettered.network.id, 'panel-presentation', 'drafting');
    expect((await api.post(`/networks/${unlettered.network.id}/stages/panel-presentation/issue`)).status).toBe(202);
    await passPanel(api, unlettered.network.id);
    const letterOf = async () => (await api.get(`/networks/${unlettered.network.id}/panel`)).body.current.outcome.letter.status;
    await eventually(async () => ((await letterOf()) === 'failed' ? true : null), 'the letter to fail');
    lettersFailing.delete(unlettered.network.id);
    expect((await api.post(`/networks/${unlettered.network.id}/panel/letter`)).status).toBe(202);
    await eventually(async () => ((await letterOf()) === 'sent' ? true : null), 'the letter sent again');

    // a round whose partners all sign at once: signatures accepted together are written together
    const burst = await createScenarioNetwork(api, { networkIndex: 5, name: 'Recorded burst network' });
    expect((await api.post(`/networks/${burst.network.id}/formation`)).status).toBe(202);
    await waitForStage(api, burst.network.id, 'panel-presentation', 'drafting');
    const burstPack = await api.post(`/networks/${burst.network.id}/stages/panel-presentation/issue`);
    expect(burstPack.status, JSON.stringify(burstPack.body)).toBe(202);
    const burstRequests = await eventually(async () => {
      const found = await signRequests(api, 1, burstPack.body.document.title);
      // every partner of the five practices is asked
      return found.length >= 12 ? found : null;
    }, 'burst requests');
    const burstSigners = await Promise.all(
      burstRequests.map(async (r) => ({ token: r.token, name: (await anonymous.get(`/actions/${r.token}`)).body.person.name as string })),
    );
    const burstAnswers = await Promise.all(burstSigners.map((x) => anonymous.post(`/actions/${x.token}/sign`, { typedName: x.name, consent: true })));
    expect(burstAnswers.filter((a) => a.status === 200)).toHaveLength(burst.network.practices.length);
    await passPanel(api, burst.network.id);
    await waitForStage(api, burst.network.id, 'terms-of-reference', 'drafting');

    // a programme that decides its terms of reference by vote
    const voting = await createScenarioNetwork(api, { practiceCount: 2, name: 'Recorded voting network' });
    expect((await api.put(`/programmes/${voting.programme.id}/settings`, { decideStagesByVote: true })).status).toBe(200);
    expect((await api.post(`/networks/${voting.network.id}/formation`)).status).toBe(202);
    await waitForStage(api, voting.network.id, 'panel-presentation', 'drafting');
    const pack = await api.post(`/networks/${voting.network.id}/stages/panel-presentation/issue`);
    const packRequests = await eventually(async () => {
      const found = await signRequests(api, 1, pack.body.document.title);
      return found.length >= 2 ? found : null;
    }, 'panel pack requests');
    await signOnePartnerPerPractice(stack.baseUrl, packRequests);
    await passPanel(api, voting.network.id);
    await waitForStage(api, voting.network.id, 'terms-of-reference', 'drafting');
    const votedTor = await api.post(`/networks/${voting.network.id}/stages/terms-of-reference/issue`);
    expect(votedTor.status, JSON.stringify(votedTor.body)).toBe(202);
    await waitForStage(api, voting.network.id, 'terms-of-reference', 'voting');
    await castAll(stack.baseUrl, await ballotLinks(api, stack.baseUrl, `Vote: Approve ${votedTor.body.document.title}`, 2), () => 'for');
    await waitForStage(api, voting.network.id, 'terms-of-reference', 'awaiting-signatures');

    // motions: an open ballot everyone votes in, and a secret one closed early
    const motions = await createScenarioNetwork(api, { networkIndex: 1, practiceCount: 3, name: 'Recorded motions' });
    const open = await proposeMotion(api, motions.network.id, {
      title: 'Recorded open motion',
      text: 'That the network adopts the work plan.',
      decisionType: 'ordinary',
    });
    await castAll(stack.baseUrl, await ballotLinks(api, stack.baseUrl, 'Vote: Recorded open motion', 3), (_l, i) => (i === 2 ? 'against' : 'for'));
    await waitForMotionClosed(api, open.id);
    expect((await api.put(`/networks/${motions.network.id}/voting-rules`, { rules: [{ decisionType: 'allocation', ballot: 'secret' }] })).status).toBe(200);
    const secret = await proposeMotion(api, motions.network.id, {
      title: 'Recorded secret motion',
      text: 'That the budget is shared by list size.',
      decisionType: 'allocation',
    });
    const secretLinks = await ballotLinks(api, stack.baseUrl, 'Vote: Recorded secret motion', 3);
    await castAll(stack.baseUrl, secretLinks.slice(0, 2), () => 'for');
    expect((await api.post(`/motions/${secret.id}/close`, {})).status).toBe(200);
    await waitForMotionClosed(api, secret.id);

    // an election: nominations, ballot, count
    const p = motions.network.practices as { id: string; people: { id: string }[] }[];
    const election = await openElection(api, motions.network.id, {
      title: 'Recorded election',
      constituency: 'All',
      seats: 1,
      practiceIds: p.map((x) => x.id),
    });
    const candidates = await nominate(
      api,
      election.body.id,
      'All',
      p.slice(0, 2).map((x) => x.people[0].id),
    );
    expect((await api.post(`/elections/${election.body.id}/close`)).status).toBe(200);
    for (const link of await ballotLinks(api, stack.baseUrl, 'Election ballot: Recorded election', 3)) {
      expect((await anonymous.post(`/actions/${link.token}/ballot`, { preferences: candidates })).status).toBe(200);
    }
    await eventually(async () => ((await api.get(`/elections/${election.body.id}`)).body.phase === 'counted' ? true : null), 'the count');

    // dispute cases: one holding the stage in drafting, through clock events and the board to a signed
    // settlement; one determined by the LMC officer through their link
    const parties = network.practices.map((x: { id: string }) => x.id);
    const held = await openCase(api, network.id, parties, { title: 'Recorded dispute', stage: 'terms-of-reference' });
    await caseEvent(api, held.id, { type: 'note', text: 'Meeting arranged.' });
    await caseEvent(api, held.id, { type: 'pause', text: 'Awaiting figures.' });
    await caseEvent(api, held.id, { type: 'resume', text: 'Figures received.' });
    await caseEvent(api, held.id, { type: 'extend', text: 'Agreed by both.', days: 3 });
    await caseEvent(api, held.id, { type: 'escalate', text: 'Not settled between the practices.' });
    await caseEvent(api, held.id, { type: 'resolve', text: 'The practices share the pharmacist equally.' });
    const settlement = await eventually(async () => {
      const found = (await mails(api, 'Please sign')).filter((m) => m.subject.includes('Settlement Record: Recorded dispute'));
      return found.length >= 2 ? found : null;
    }, 'settlement requests');
    await signOnePartnerPerPractice(
      stack.baseUrl,
      settlement.map((m) => ({ to: m.to, token: m.links[0].split('/a/')[1] })),
    );
    await caseWhen(api, held.id, (c) => c.status === 'resolved', 'the recorded dispute to be resolved');
    const lmcCase = await openCase(api, network.id, parties, { title: 'Recorded LMC case' });
    await caseEvent(api, lmcCase.id, { type: 'escalate', text: 'Not settled.' });
    await caseEvent(api, lmcCase.id, { type: 'escalate', text: 'The board could not settle it.' });
    expect(
      (await api.post(`/disputes/${lmcCase.id}/external-person`, { name: 'Ms Jo Lee', email: 'jo.lee@lmc.test', organisation: 'Tower Hamlets LMC' })).status,
    ).toBe(201);
    const officer = await linkFor(api, 'You are asked to act as LMC officer: Recorded LMC case', 'jo.lee@lmc.test');
    expect((await anonymous.post(`/actions/${officer}/case-events`, { type: 'determine', text: 'Determined.' })).status).toBe(200);
    await caseWhen(api, lmcCase.id, (c) => c.status === 'determined', 'the LMC case to be determined');
    // a risk whose review is due at once, then reviewed
    const owner = network.practices[0].people[0];
    const risk = await api.post(`/networks/${network.id}/risks`, {
      title: 'Recorded risk',
      cause: 'c',
      impact: 'i',
      likelihood: 2,
      impactScore: 3,
      ownerPersonId: owner.id,
      mitigation: 'm',
      reviewOn: new Date(Date.now() - 86_400_000).toISOString().slice(0, 10),
    });
    expect(risk.status, JSON.stringify(risk.body)).toBe(201);
    await eventually(async () => ((await mails(api, 'Risk review due: Recorded risk')).length > 0 ? true : null), 'the risk reminder');
    expect((await api.put(`/networks/${network.id}/risks/${risk.body.id}`, { reviewOn: '2030-01-31', note: 'Reviewed.' })).status).toBe(200);

    // write every history on this stack's task queue, named by workflow type and a running number
    const connection = await Connection.connect({ address: injectedTemporalAddress() });
    try {
      const client = new Client({ connection });
      fs.mkdirSync(OUT, { recursive: true });
      // files of this recorder's own naming are replaced; earlier recordings under other names stay
      for (const f of fs.readdirSync(OUT)) if (/^[a-z]+Workflow-\d+\.json$/.test(f)) fs.rmSync(path.join(OUT, f));
      const counts = new Map<string, number>();
      const written = [];
      for await (const wf of client.workflow.list({ query: `TaskQueue = '${stack.taskQueue}'` })) {
        const n = (counts.get(wf.type) ?? 0) + 1;
        counts.set(wf.type, n);
        // stored decoded, so the replay needs no key (a payload written in clear replays through the codec unchanged)
        const history = await decodeHistoryInPlace(await client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory(), testCodec);
        const file = `${wf.type}-${String(n).padStart(2, '0')}.json`;
        fs.writeFileSync(
          path.join(OUT, file),
          `${JSON.stringify({ workflowId: wf.workflowId, type: wf.type, status: wf.status.name, history: temporal.api.history.v1.History.toObject(temporal.api.history.v1.History.fromObject(history), { longs: String, enums: String, bytes: String }) }, null, 1)}\n`,
        );
        written.push(file);
      }
      expect(new Set([...counts.keys()])).toEqual(
        new Set(['formationWorkflow', 'signoffWorkflow', 'voteWorkflow', 'electionWorkflow', 'disputeWorkflow', 'riskReviewWorkflow', 'panelLetterWorkflow']),
      );
      console.log(`recorded ${written.length} histories into test/fixtures/histories`);
    } finally {
      await connection.close();
    }
  });
});
