import { describe, expect, it } from 'vitest';
import { type ApiClient, eventually } from '../support/api';
import { createScenarioNetwork } from '../support/formation-driver';
import { testCodec, testDataConverter } from '../support/codec';
import { decodedHistoryText } from '../support/history';
import { useStack } from '../support/lifecycle';
import type { InProcessStack } from '../support/stack';
import { ballotLinks, castAll, inSeconds, waitForMotionClosed } from '../support/votes-driver';
import { injectedTemporalAddress } from '../setup/temporal-env';

/**
 * Motions through the real vote workflow on a real Temporal server and SQLite: each voting rule,
 * the Update validators' rejections, proxies, the casting vote, extension, reminders, early close,
 * the certificate, receipts, and what a secret ballot leaves in the store and in workflow history.
 */
describe('votes on motions', () => {
  let stack: InProcessStack;
  let api: ApiClient;
  let anonymous: ApiClient;

  useStack({}, (env) => ({ stack, api, anonymous } = env));

  async function network(practiceCount = 4, networkIndex = 0) {
    return (await createScenarioNetwork(api, { practiceCount, networkIndex })).network;
  }

  async function openMotion(networkId: string, body: Record<string, unknown>) {
    const res = await api.post(`/networks/${networkId}/motions`, { text: 'That the network adopts the proposal.', closesAt: inSeconds(3600), ...body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string; rule: { version: string; ballot: string; threshold: string } };
  }

  it('carries an ordinary open-ballot motion, closes early when everyone has voted, and certifies it', async () => {
    const net = await network(4);
    const motion = await openMotion(net.id, { title: 'Approve the work plan', decisionType: 'ordinary' });
    expect(motion.rule.version).toBe('programme-default-1');
    const links = await ballotLinks(api, stack.baseUrl, 'Vote: Approve the work plan', 4);
    expect(links).toHaveLength(4);

    const action = await anonymous.get(`/actions/${links[0].token}`);
    expect(action.body).toMatchObject({ kind: 'vote', status: 'pending', motion: { id: motion.id, ballot: 'open' } });

    const receipts = await castAll(stack.baseUrl, links.slice(0, 3), (_l, i) => (i < 2 ? 'for' : 'against'));
    expect(receipts[0].receiptCode).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);

    // already voted: refused with its reason, never counted twice
    const again = await anonymous.post(`/actions/${links[0].token}/ballot`, { choice: 'against' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ALREADY_VOTED');
    // a ballot of the wrong shape is a 422
    const wrong = await anonymous.post(`/actions/${links[3].token}/ballot`, { preferences: ['x'] });
    expect(wrong.status).toBe(422);

    // open ballot: the live count is visible while voting is open
    const live = await api.get(`/motions/${motion.id}`);
    expect(live.body.status).toBe('open');
    expect(live.body.live.tallies).toMatchObject({ for: 2, against: 1 });

    await castAll(stack.baseUrl, links.slice(3), () => 'abstain');
    const closed = await waitForMotionClosed(api, motion.id);
    expect(closed.result).toBe('carried');
    expect(closed.count.ruleVersion).toBe('programme-default-1');
    expect(closed.count.explanationLines.join('\n')).toContain('Votes for: 2 of 3 practices cast (66.6%)');
    expect(closed.turnout.voted).toBe(4);

    const pdf = await api.get(`/documents/${closed.certificate.documentId}/pdf`);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toContain('application/pdf');
    const docx = await api.get(`/documents/${closed.certificate.documentId}/docx`);
    expect(docx.status).toBe(200);
    const doc = await stack.db('documents').where({ id: closed.certificate.documentId }).first();
    expect(doc.type).toBe('vote-result');
    expect(doc.markdown).toContain('The motion was carried');
    expect(doc.markdown).toContain('Quorum');

    const receipt = await anonymous.get(`/motions/${motion.id}/receipts/${receipts[1].receiptCode}`);
    expect(receipt.body).toMatchObject({ counted: true, motionStatus: 'closed', result: 'carried' });
    const bogus = await anonymous.get(`/motions/${motion.id}/receipts/AAAA-BBBB-CCCC-DDDD`);
    expect(bogus.body.counted).toBe(false);

    // window closed: refused
    const late = await anonymous.post(`/actions/${links[0].token}/ballot`, { choice: 'for' });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('VOTING_CLOSED');
  });

  it('loses a constitutional special resolution at 2 of 3 and states the 75% arithmetic', async () => {
    const net = await network(4, 1);
    const motion = await openMotion(net.id, { title: 'Adopt the constitution', decisionType: 'constitutional' });
    expect(motion.rule.threshold).toBe('special-75');
    const links = await ballotLinks(api, stack.baseUrl, 'Vote: Adopt the constitution', 4);
    await castAll(stack.baseUrl, links, (_l, i) => (['for', 'for', 'against', 'abstain'] as const)[i]);
    const closed = await waitForMotionClosed(api, motion.id);
    expect(closed.result).toBe('lost');
    expect(closed.count.thresholdExplanation).toContain('A special resolution needs at least 75%');
    expect(closed.count.thresholdExplanation).toContain('Threshold not met');
  });

  it('is inquorate when closed by the facilitator with too few votes, and settles a tie by the casting vote', async () => {
    const net = await network(4, 2);
    const thin = await openMotion(net.id, { title: 'Thin motion', decisionType: 'ordinary' });
    const links = await ballotLinks(api, stack.baseUrl, 'Vote: Thin motion', 4);
    await castAll(stack.baseUrl, links.slice(0, 1), () => 'for');
    const closed = await api.post(`/motions/${thin.id}/close`);
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    expect(closed.body.result).toBe('inquorate');
    expect(closed.body.count.quorum.explanation).toContain('Not met');
    const twice = await api.post(`/motions/${thin.id}/close`);
    expect(twice.status).toBe(409);

    const tied = await openMotion(net.id, { title: 'Tied motion', decisionType: 'ordinary' });
    const tiedLinks = await ballotLinks(api, stack.baseUrl, 'Vote: Tied motion', 4);
    await castAll(stack.baseUrl, tiedLinks.slice(0, 3), (_l, i) => (['for', 'against', 'for'] as const)[i]);
    // a fourth "against" makes 2–2; the last ballot closes the vote, so close by hand before it to use the casting vote
    const fourth = tiedLinks[3];
    const res = await anonymous.post(`/actions/${fourth.token}/ballot`, { choice: 'against' });
    expect(res.status).toBe(200);
    const result = await waitForMotionClosed(api, tied.id);
    // closed early with no casting vote given: a tie is not carried
    expect(result.result).toBe('lost');
    expect(result.count.tie).toBe(true);

    const casting = await openMotion(net.id, { title: 'Casting motion', decisionType: 'ordinary' });
    const castingLinks = await ballotLinks(api, stack.baseUrl, 'Vote: Casting motion', 4);
    await castAll(stack.baseUrl, castingLinks.slice(0, 2), (_l, i) => (i === 0 ? 'for' : 'against'));
    await castAll(stack.baseUrl, castingLinks.slice(2, 3), () => 'abstain');
    const chair = await api.post(`/motions/${casting.id}/close`, { chairCasting: 'for' });
    expect(chair.status, JSON.stringify(chair.body)).toBe(200);
    expect(chair.body.result).toBe('carried');
    expect(chair.body.count.castingVoteUsed).toBe(true);
  });

  it('weights by list size under a network rule version, records proxies, and extends with an audit event', async () => {
    const net = await network(4, 3);
    const set = await api.put(`/networks/${net.id}/voting-rules`, { rules: [{ decisionType: 'allocation', basis: 'list-size', threshold: 'simple' }] });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body.version).toBe('network-rules-1');
    const bad = await api.put(`/networks/${net.id}/voting-rules`, { rules: [{ decisionType: 'allocation', basis: 'by-height' }] });
    expect(bad.status).toBe(422);

    const motion = await openMotion(net.id, { title: 'Share the fund by list', decisionType: 'allocation' });
    expect(motion.rule.version).toBe('network-rules-1');
    const links = await ballotLinks(api, stack.baseUrl, 'Vote: Share the fund by list', 4);
    const [a, b, c, d] = links;

    // d appoints c as its proxy; c casts both votes
    const proxy = await api.post(`/motions/${motion.id}/proxies`, { principalPracticeId: d.practiceId, proxyPracticeId: c.practiceId });
    expect(proxy.status, JSON.stringify(proxy.body)).toBe(201);
    const self = await api.post(`/motions/${motion.id}/proxies`, { principalPracticeId: a.practiceId, proxyPracticeId: a.practiceId });
    expect(self.body.error.code).toBe('PROXY_FOR_SELF');
    const notAppointed = await anonymous.post(`/actions/${a.token}/ballot`, { choice: 'for', onBehalfOf: b.practiceId });
    expect(notAppointed.status).toBe(403);
    expect(notAppointed.body.error.code).toBe('PROXY_NOT_APPOINTED');

    const extended = await api.post(`/motions/${motion.id}/extend`, { closesAt: inSeconds(7200) });
    expect(extended.status, JSON.stringify(extended.body)).toBe(200);
    const earlier = await api.post(`/motions/${motion.id}/extend`, { closesAt: inSeconds(60) });
    expect(earlier.body.error.code).toBe('INVALID_EXTENSION');
    const audit = await stack.db('audit_events').where({ type: 'motion.extended' });
    expect(audit).toHaveLength(1);

    await castAll(stack.baseUrl, [a, b, c], (_l, i) => (['for', 'against', 'for'] as const)[i]);
    const byProxy = await anonymous.post(`/actions/${c.token}/ballot`, { choice: 'against', onBehalfOf: d.practiceId });
    expect(byProxy.status, JSON.stringify(byProxy.body)).toBe(200);
    expect(byProxy.body.byProxy).toBe(true);

    const closed = await waitForMotionClosed(api, motion.id);
    const lists = Object.fromEntries(net.practices.map((p: { id: string; listSize: number }) => [p.id, p.listSize]));
    const forWeight = lists[a.practiceId] + lists[c.practiceId];
    const againstWeight = lists[b.practiceId] + lists[d.practiceId];
    expect(closed.count.perBasis[0]).toMatchObject({ measure: 'list-size', for: forWeight, against: againstWeight });
    expect(closed.result).toBe(forWeight > againstWeight ? 'carried' : 'lost');
    expect(closed.count.ruleVersion).toBe('network-rules-1');
    expect(closed.proxies).toEqual([expect.objectContaining({ principalPracticeId: d.practiceId, proxyPracticeId: c.practiceId })]);
    expect(closed.turnout.practices.find((p: { practiceId: string }) => p.practiceId === d.practiceId)).toMatchObject({ voted: true, byProxy: true });
  });

  it('keeps a secret ballot apart from who voted, in the store and in workflow history', async () => {
    const net = await network(4, 4);
    await api.put(`/networks/${net.id}/voting-rules`, { rules: [{ decisionType: 'appointment', ballot: 'secret' }] });
    const motion = await openMotion(net.id, { title: 'Appoint the clinical director', decisionType: 'appointment' });
    expect(motion.rule.ballot).toBe('secret');
    const links = await ballotLinks(api, stack.baseUrl, 'Vote: Appoint the clinical director', 4);
    const receipts = await castAll(stack.baseUrl, links, (_l, i) => (['for', 'for', 'against', 'for'] as const)[i]);
    expect(receipts[0].choice).toBeUndefined();
    const closed = await waitForMotionClosed(api, motion.id);
    expect(closed.result).toBe('carried');
    expect(closed.count.tallies).toMatchObject({ for: 3, against: 1 });
    expect(closed.count.accepted).toBeUndefined();
    expect(closed.turnout.practices.every((p: Record<string, unknown>) => p.voted === true && !('choice' in p))).toBe(true);

    // the store: turnout has no choice, ballots have no voter, neither has a time
    const turnoutCols = Object.keys(await stack.db('motion_turnout').columnInfo());
    const ballotRows = await stack.db('motion_ballots').where({ motion_id: motion.id });
    expect(turnoutCols).not.toContain('choice');
    expect(ballotRows).toHaveLength(4);
    expect(ballotRows.every((r) => r.voter_id === null && r.weight_list === 0 && r.weight_partners === 0)).toBe(true);
    expect(Object.keys(ballotRows[0]).some((k) => /_at$|time/.test(k))).toBe(false);
    const row = await stack.db('motions').where({ id: motion.id }).first();
    expect(row.ballot_key).toBeNull();
    const audit = await stack.db('audit_events').where({ type: 'motion.ballot-cast' });
    expect(audit.filter((e) => JSON.parse(e.data).motionId === motion.id).every((e) => !('choice' in JSON.parse(e.data)))).toBe(true);

    // workflow history: the update payloads carry a sealed blob, never the choice or receipt in clear,
    // even once the payload codec's encryption is taken off (it is the stack's test codec)
    const { Connection, Client } = await import('@temporalio/client');
    const connection = await Connection.connect({ address: injectedTemporalAddress() });
    try {
      const history = await new Client({ connection, dataConverter: testDataConverter }).workflow.getHandle(`vote-${motion.id}`).fetchHistory();
      const text = await decodedHistoryText(history, testCodec);
      expect(text).toContain('sealed');
      expect(text).not.toMatch(/"choice"\s*:\s*"(for|against|abstain)"/);
      for (const r of receipts) expect(text).not.toContain(r.receiptCode);
    } finally {
      await connection.close();
    }
    // receipts still check
    const check = await anonymous.get(`/motions/${motion.id}/receipts/${receipts[2].receiptCode}`);
    expect(check.body.counted).toBe(true);
  });

  it('reminds non-voters once half-way through and closes on the durable timer', async () => {
    const net = await network(3, 5);
    const motion = await openMotion(net.id, { title: 'Short window motion', decisionType: 'ordinary', closesAt: inSeconds(8) });
    const links = await ballotLinks(api, stack.baseUrl, 'Vote: Short window motion', 3);
    await castAll(stack.baseUrl, links.slice(0, 2), () => 'for');
    const reminders = await eventually(
      async () => {
        const outbox = await api.get('/outbox?limit=1000');
        const found = (outbox.body as { subject: string; to: string }[]).filter((m) => m.subject === 'Reminder – vote: Short window motion');
        return found.length > 0 ? found : null;
      },
      'a reminder',
      15_000,
    );
    const remindedPractice = links[2];
    expect(reminders.map((r) => r.to)).toContain(remindedPractice.to);
    expect(reminders.some((r) => r.to === links[0].to)).toBe(false);
    const closed = await waitForMotionClosed(api, motion.id, 20_000);
    expect(closed.result).toBe('carried');
    expect(closed.turnout.voted).toBe(2);
    const reminded = await stack.db('audit_events').where({ type: 'motion.reminded' });
    expect(reminded.filter((e) => JSON.parse(e.data).motionId === motion.id)).toHaveLength(1);
  });

  it('rejects bad motions with a clear 4xx', async () => {
    const net = await network(2, 6);
    const past = await api.post(`/networks/${net.id}/motions`, { title: 'x', decisionType: 'ordinary', closesAt: '2001-01-01T00:00:00Z' });
    expect(past.status).toBe(422);
    const kind = await api.post(`/networks/${net.id}/motions`, { title: 'x', decisionType: 'coup', closesAt: inSeconds(60) });
    expect(kind.status).toBe(422);
    const expel = await api.post(`/networks/${net.id}/motions`, { title: 'x', decisionType: 'expulsion', closesAt: inSeconds(60) });
    expect(expel.status).toBe(422);
    expect(expel.body.error.details[0].path).toBe('subjectPracticeId');
    const missing = await api.get('/motions/nope');
    expect(missing.status).toBe(404);
    const unauth = await anonymous.post(`/networks/${net.id}/motions`, { title: 'x', decisionType: 'ordinary', closesAt: inSeconds(60) });
    expect(unauth.status).toBe(401);
  });
});
