import { describe, expect, it } from 'vitest';
import { type ApiClient, eventually } from '../support/api';
import { createScenarioNetwork, passPanel, signOnePartnerPerPractice, signRequests, waitForStage } from '../support/formation-driver';
import { replayAllHistories } from '../support/replay';
import { useStack } from '../support/lifecycle';
import type { InProcessStack } from '../support/stack';
import { ballotLinks, castAll } from '../support/votes-driver';
import { injectedTemporalAddress } from '../setup/temporal-env';

/**
 * Formation decided by votes, for a programme that chooses it: the ToR is adopted by a
 * constitutional vote before it goes for signatures; the legal form is chosen by vote alone; a lost
 * vote returns the stage to drafting with the result recorded.
 */
describe('formation with votes', () => {
  let stack: InProcessStack;
  let api: ApiClient;
  useStack({}, (env) => ({ stack, api } = env));

  it('votes on the ToR before signatures, and on the legal form alone', async () => {
    const { programme, network } = await createScenarioNetwork(api, { practiceCount: 3, networkIndex: 2 });
    const settings = await api.put(`/programmes/${programme.id}/settings`, { decideStagesByVote: true, voteWindowDays: 7 });
    expect(settings.body.settings).toMatchObject({ decideStagesByVote: true, voteWindowDays: 7, signingCodeByEmail: false });
    await api.post(`/networks/${network.id}/formation`);
    await waitForStage(api, network.id, 'panel-presentation', 'drafting');

    // stage 1 is signed as before
    const panel = await api.post(`/networks/${network.id}/stages/panel-presentation/issue`);
    const panelRequests = await eventually(async () => {
      const found = await signRequests(api, 1, panel.body.document.title);
      return found.length >= 3 ? found : null;
    }, 'panel sign requests');
    await signOnePartnerPerPractice(stack.baseUrl, panelRequests);
    await passPanel(api, network.id);
    await waitForStage(api, network.id, 'terms-of-reference', 'drafting');

    // stage 2: the ToR states its own voting matrix; a constitutional vote comes first and no sign
    // requests go out until it carries
    expect((await api.put(`/networks/${network.id}/stages/terms-of-reference`, { votingRules: { 'legal-form': { threshold: 'two-thirds' } } })).status).toBe(
      200,
    );
    const tor = await api.post(`/networks/${network.id}/stages/terms-of-reference/issue`);
    expect(tor.status).toBe(202);
    const voting = await waitForStage(api, network.id, 'terms-of-reference', 'voting');
    const motionId = voting.stages.find((s: { key: string }) => s.key === 'terms-of-reference').vote.motionId;
    expect((await signRequests(api, 1, tor.body.document.title)).length).toBe(0);
    expect((await api.post(`/networks/${network.id}/stages/terms-of-reference/issue`)).body.error.code).toBe('STAGE_LOCKED');
    const motion = await eventually(async () => {
      const res = await api.get(`/motions/${motionId}`);
      return res.status === 200 ? res : null;
    }, 'the motion to open');
    expect(motion.body.decisionType).toBe('constitutional');
    const torBallots = await ballotLinks(api, stack.baseUrl, `Approve ${tor.body.document.title}`, 3);
    await castAll(stack.baseUrl, torBallots, () => 'for');
    const signing = await waitForStage(api, network.id, 'terms-of-reference', 'awaiting-signatures');
    const torVote = signing.stages.find((s: { key: string }) => s.key === 'terms-of-reference').vote;
    expect(torVote.result).toBe('carried');
    expect(torVote.explanation.join(' ')).toMatch(/75/);
    const torRequests = await eventually(async () => {
      const found = await signRequests(api, 1, tor.body.document.title);
      return found.length >= 3 ? found : null;
    }, 'ToR sign requests after the vote');
    await signOnePartnerPerPractice(stack.baseUrl, torRequests);
    await waitForStage(api, network.id, 'legal-entity', 'drafting');

    // stage 3: the legal form is decided by vote alone; a lost vote returns it to drafting
    const legal = await api.post(`/networks/${network.id}/stages/legal-entity/issue`);
    expect(legal.status).toBe(202);
    const lost = await ballotLinks(api, stack.baseUrl, `Approve ${legal.body.document.title}, version 1`, 3);
    await castAll(stack.baseUrl, lost, (_l, i) => (i === 0 ? 'for' : 'against'));
    // the signed ToR's rules are now the network's: the legal-form vote ran under them
    const rules = await api.get(`/networks/${network.id}/voting-rules`);
    expect(JSON.stringify(rules.body)).toContain('constitution-v1');
    const back = await eventually(async () => {
      const res = await api.get(`/networks/${network.id}/formation`);
      const stage = res.body.stages.find((s: { key: string }) => s.key === 'legal-entity');
      return stage.status === 'drafting' && stage.lastOutcome?.outcome === 'lost' ? stage : null;
    }, 'the legal form vote to be lost');
    expect(back.vote.result).toBe('lost');
    expect(back.vote.ruleVersion).toBe('constitution-v1');
    expect((await api.get(`/motions/${back.vote.motionId}`)).body.rule).toMatchObject({ threshold: 'two-thirds', version: 'constitution-v1' });
    expect(back.lastOutcome.documentVersion).toBe(1);

    const again = await api.post(`/networks/${network.id}/stages/legal-entity/issue`);
    expect(again.body.document.version).toBe(2);
    const carried = await ballotLinks(api, stack.baseUrl, `Approve ${again.body.document.title}, version 2`, 3);
    await castAll(stack.baseUrl, carried, () => 'for');
    const done = await waitForStage(api, network.id, 'data-sharing-agreement', 'drafting');
    const legalStage = done.stages.find((s: { key: string }) => s.key === 'legal-entity');
    expect(legalStage.status).toBe('completed');
    expect(legalStage.signoff).toBeNull();
    expect(legalStage.vote.result).toBe('carried');
    // each vote left a result certificate among the network's documents
    const closed = await api.get(`/motions/${legalStage.vote.motionId}`);
    expect(closed.body.result).toBe('carried');
    expect(closed.body.certificate).toBeTruthy();

    // every history recorded here (formation, sign-off and vote workflows) replays on today's code
    const replayed = await replayAllHistories(injectedTemporalAddress(), stack.taskQueue);
    expect(new Set(replayed)).toEqual(new Set(['formationWorkflow', 'signoffWorkflow', 'voteWorkflow']));
  });
});
