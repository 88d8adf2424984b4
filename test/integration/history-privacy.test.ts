import { Client, Connection } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { apiClient, type ApiClient, eventually } from '../support/api';
import { testCodec } from '../support/codec';
import { createScenarioNetwork, passPanel, signOnePartnerPerPractice, signRequests, waitForStage } from '../support/formation-driver';
import { clearPayloads, decodedHistoryText, rawHistoryText } from '../support/history';
import { useStack } from '../support/lifecycle';
import type { InProcessStack } from '../support/stack';
import { ballotLinks, castAll, proposeMotion, waitForMotionClosed } from '../support/votes-driver';
import { injectedTemporalAddress } from '../setup/temporal-env';

const MARKER_FIELDS = new Set(['seq', 'attempt', 'activity_id', 'activity_type', 'complete_time', 'backoff', 'original_schedule_time']);

/** The SDK's record of a local activity run: the activity's name and id, numbers and times, nothing else. */
function isLocalActivityMarkerData(text: string): boolean {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return false;
  }
  if (!value || typeof value !== 'object') return false;
  return Object.entries(value).every(([k, v]) => {
    if (!MARKER_FIELDS.has(k)) return false;
    if (k === 'activity_type' || k === 'activity_id') return typeof v === 'string' && /^[A-Za-z0-9]+$/.test(v);
    // seq and attempt, or a time ({ seconds, nanos }), or nothing
    return v === null || typeof v === 'number' || (typeof v === 'object' && Object.values(v).every((n) => typeof n === 'number'));
  });
}

/**
 * What the Temporal server keeps: the histories of a signing round run to completion and of a
 * secret vote, read straight from the server without the payload codec, hold no partner's name,
 * email or typed signature and no ballot choice.
 */
describe('Temporal histories', () => {
  let stack: InProcessStack;
  let api: ApiClient;
  useStack({}, (env) => {
    ({ stack, api } = env);
  });

  it('hold no personal data or ballot choice in clear', async () => {
    const anonymous = apiClient(stack.baseUrl);
    const { network } = await createScenarioNetwork(api, { practiceCount: 3, networkIndex: 2 });
    const people = (network.practices as { people: { name: string; email: string; roles: string[] }[] }[]).flatMap((p) => p.people);
    const partners = people.filter((p) => p.roles.includes('partner'));
    expect(partners.length).toBeGreaterThan(3);

    // a signing round to completion
    expect((await api.post(`/networks/${network.id}/formation`)).status).toBe(202);
    await waitForStage(api, network.id, 'panel-presentation', 'drafting');
    expect((await api.put(`/networks/${network.id}/stages/panel-presentation`, {})).status).toBe(200);
    const issued = await api.post(`/networks/${network.id}/stages/panel-presentation/issue`);
    expect(issued.status, JSON.stringify(issued.body)).toBe(202);
    const requests = await eventually(async () => {
      const found = await signRequests(api, 1, issued.body.document.title);
      return found.length === partners.length ? found : null;
    }, 'sign requests');
    // a wrong typed name is refused (its failure message names the signer) before the real signatures
    const wrong = await anonymous.post(`/actions/${requests[0].token}/sign`, { typedName: 'Somebody Else Entirely', consent: true });
    expect(wrong.status).toBe(422);
    const receipts = await signOnePartnerPerPractice(stack.baseUrl, requests);
    expect(receipts.at(-1)?.roundComplete).toBe(true);
    await passPanel(api, network.id);
    await waitForStage(api, network.id, 'terms-of-reference', 'drafting');

    // a secret vote
    await api.put(`/networks/${network.id}/voting-rules`, { rules: [{ decisionType: 'appointment', ballot: 'secret' }] });
    const motion = await proposeMotion(api, network.id, {
      title: 'Appoint the privacy lead',
      text: 'That the network appoints its privacy lead.',
      decisionType: 'appointment',
    });
    const links = await ballotLinks(api, stack.baseUrl, 'Vote: Appoint the privacy lead', 3);
    const ballots = await castAll(stack.baseUrl, links, (_l, i) => (['for', 'against', 'abstain'] as const)[i]);
    await waitForMotionClosed(api, motion.id);

    // every history on this stack's task queue, as stored: a client with no codec
    const connection = await Connection.connect({ address: injectedTemporalAddress() });
    try {
      const client = new Client({ connection });
      const histories: { type: string; raw: string; clear: string[]; decoded: string }[] = [];
      for await (const wf of client.workflow.list({ query: `TaskQueue = '${stack.taskQueue}'` })) {
        const history = await client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
        histories.push({ type: wf.type, raw: rawHistoryText(history), clear: clearPayloads(history), decoded: await decodedHistoryText(history, testCodec) });
      }
      const types = histories.map((h) => h.type);
      expect(types).toEqual(expect.arrayContaining(['formationWorkflow', 'signoffWorkflow', 'voteWorkflow']));

      const secrets = [
        ...people.flatMap((p) => [p.name, p.email]),
        ...receipts.map((r) => r.signedBy as string),
        'Somebody Else Entirely',
        ...ballots.map((b) => b.receiptCode as string),
      ];
      for (const h of histories) {
        for (const secret of secrets) expect(h.raw.includes(secret), `${h.type} history holds "${secret}" in clear`).toBe(false);
        expect(h.raw).not.toMatch(/"choice"/);
        // the only payloads left in clear are the SDK's patch markers (a patch id), their search
        // attribute, and a local activity's marker data (its type, attempt and times; its result is encrypted)
        for (const clear of h.clear) {
          if (isLocalActivityMarkerData(clear)) continue;
          expect(clear, `${h.type} holds a clear payload`).toMatch(/^(\{"id":"[a-z0-9-]+","deprecated":(true|false)\}|\["[a-z0-9-]+"(,"[a-z0-9-]+")*\])$/);
        }
      }

      // the check looks where the data would be: with the codec's key, the same histories show it
      const signoff = histories
        .filter((h) => h.type === 'signoffWorkflow')
        .map((h) => h.decoded)
        .join('\n');
      expect(signoff).toContain(receipts[0].signedBy);
      const everything = histories.map((h) => h.decoded).join('\n');
      expect(people.some((p) => everything.includes(p.email) || everything.includes(p.name))).toBe(true);
    } finally {
      await connection.close();
    }
  });
});
