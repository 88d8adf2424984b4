import { describe, expect, it } from 'vitest';
import { apiClient, type ApiClient, eventually } from '../support/api';
import {
  createScenarioNetwork,
  panelBody,
  passPanel,
  scoreLinks,
  scoreSheet,
  signOnePartnerPerPractice,
  signRequests,
  waitForStage,
} from '../support/formation-driver';
import { makeNetworkBody } from '../support/fixtures';
import { useStack } from '../support/lifecycle';
import type { InProcessStack } from '../support/stack';

const SHEET = scoreSheet({ vision: [4, 'A clear, shared vision'], freedoms: 3, leadership: [2, 'No payee yet'] }, 'conditional', ['Name the nominated payee']);

/** The wave panel end to end: score links, a conflicted member excluded, scoring once, each outcome. */
describe('the wave panel', () => {
  let stack: InProcessStack;
  let api: ApiClient;
  useStack({}, (env) => ({ stack, api } = env));

  async function issuePack(networkId: string) {
    await waitForStage(api, networkId, 'panel-presentation', 'drafting');
    const issued = await api.post(`/networks/${networkId}/stages/panel-presentation/issue`);
    expect(issued.status, JSON.stringify(issued.body)).toBe(202);
    return issued.body.document;
  }

  async function signPack(document: { version: number; title: string }, practices: number) {
    const requests = await eventually(async () => {
      const found = await signRequests(api, document.version, document.title);
      return found.length >= practices ? found : null;
    }, 'pack sign requests');
    await signOnePartnerPerPractice(stack.baseUrl, requests);
  }

  it('sends score links, excludes a partner of the network, scores once per member, and a conditional pass holds back the legal entity', async () => {
    const { waves, network } = await createScenarioNetwork(api, { practiceCount: 2 });
    // the third member is a partner of the network's first practice: a conflict
    const partner = network.practices[0].people.find((p: { roles: string[] }) => p.roles.includes('partner'));
    const set = await api.put(
      `/waves/${waves[0].id}/panel`,
      panelBody('2009-03-16', [{ name: partner.name, email: partner.email.toUpperCase(), organisation: 'Local GP', external: false }]),
    );
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body.members).toHaveLength(3);
    expect(
      (
        await api.put(`/waves/${waves[0].id}/panel`, {
          ...panelBody(),
          criteria: [
            { key: 'a', title: 'A', weight: 1 },
            { key: 'a', title: 'B', weight: 1 },
          ],
        })
      ).body.error.code,
    ).toBe('VALIDATION_FAILED');
    expect((await api.put(`/waves/unknown/panel`, panelBody())).status).toBe(404);

    // before the pack is issued there is nothing to decide
    expect((await api.post(`/networks/${network.id}/formation`)).status).toBe(202);
    await waitForStage(api, network.id, 'panel-presentation', 'drafting');
    const early = await api.post(`/networks/${network.id}/panel/outcome`, { outcome: 'pass', reason: 'Too soon' });
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('PANEL_NOT_OPEN');

    const pack = await issuePack(network.id);
    const links = await eventually(async () => {
      const found = await scoreLinks(api, network.name);
      return found.length === 2 ? found : null;
    }, 'two score links');
    expect(links.map((l) => l.to).sort()).toEqual(['jo.reed@panel.example.org', 'sam.okafor@panel.example.org']);
    // the partner is told why, and the exclusion is recorded and shown
    const told = (await api.get(`/outbox?to=${encodeURIComponent(partner.email)}`)).body.find((m: { subject: string }) =>
      m.subject.startsWith('You will not score'),
    );
    expect(told.text).toContain(`a partner of ${network.practices[0].name}, a member practice of the network, may not score it`);
    const shown = await api.get(`/networks/${network.id}/panel`);
    expect(shown.body.current.members.find((m: { name: string }) => m.name === partner.name)).toMatchObject({
      status: 'excluded',
      exclusionReason: expect.stringContaining(network.practices[0].name),
    });

    // a member reads what the link allows, and the pack
    const anonymous = apiClient(stack.baseUrl);
    const [jo, sam] = [links.find((l) => l.to.startsWith('jo'))!, links.find((l) => l.to.startsWith('sam'))!];
    const action = await anonymous.get(`/actions/${jo.token}`);
    expect(action.body).toMatchObject({ kind: 'score', status: 'pending', network: { name: network.name }, pack: { version: pack.version } });
    const packPdf = await anonymous.get(`/actions/${jo.token}/pack`);
    expect(packPdf.headers.get('content-type')).toContain('application/pdf');
    expect((await anonymous.get(`/documents/${pack.id}/pdf?token=${jo.token}`)).status).toBe(200);

    // scores are judged against the panel's criteria
    const incomplete = await anonymous.post(`/actions/${jo.token}/score`, { ...SHEET, scores: SHEET.scores.slice(0, 2) });
    expect(incomplete.status).toBe(422);
    expect(incomplete.body.error).toMatchObject({ code: 'INVALID_SCORES', details: [{ path: 'scores', message: 'leadership has no score' }] });
    expect((await anonymous.post(`/actions/${jo.token}/score`, { ...SHEET, scores: [{ criterion: 'vision', score: 6, comment: '' }] })).body.error.code).toBe(
      'VALIDATION_FAILED',
    );

    // once per member: a repeat is a 409, and of concurrent repeats exactly one is recorded
    const scored = await anonymous.post(`/actions/${jo.token}/score`, SHEET);
    expect(scored.status, JSON.stringify(scored.body)).toBe(200);
    const repeat = await anonymous.post(`/actions/${jo.token}/score`, SHEET);
    expect(repeat.status).toBe(409);
    expect(repeat.body.error.code).toBe('ALREADY_SCORED');
    const samSheet = scoreSheet({ vision: 5, freedoms: 4, leadership: 4 }, 'pass');
    const racing = await Promise.all([1, 2, 3].map(() => anonymous.post(`/actions/${sam.token}/score`, samSheet)));
    expect(racing.map((r) => r.status).sort()).toEqual([200, 409, 409]);
    expect(racing.filter((r) => r.status === 409).every((r) => r.body.error.code === 'ALREADY_SCORED')).toBe(true);
    expect(await stack.db('panel_scores').where({ network_id: network.id })).toHaveLength(2);

    // the panel view: by member and criterion, the weighted mean, the recommendations
    const view = (await api.get(`/networks/${network.id}/panel`)).body;
    expect(view.current.members.filter((m: { status: string }) => m.status === 'scored')).toHaveLength(2);
    // Jo: (2·4 + 3 + 2) / 4 = 3.25; Sam: (2·5 + 4 + 4) / 4 = 4.5
    expect(view.current.weightedMean).toBeCloseTo((3.25 + 4.5) / 2, 10);
    expect(view.current.criteriaMeans.find((c: { key: string }) => c.key === 'vision').mean).toBe(4.5);
    expect(view.current.recommendations).toEqual({ pass: 1, conditional: 1, defer: 0 });

    // the outcome: conditional, with two conditions; a second outcome is refused
    expect((await api.post(`/networks/${network.id}/panel/outcome`, { outcome: 'conditional', reason: 'No payee' })).body.error.code).toBe('VALIDATION_FAILED');
    const outcome = await api.post(`/networks/${network.id}/panel/outcome`, {
      outcome: 'conditional',
      conditions: ['Name the nominated payee', 'Appoint the Clinical Director'],
      reason: 'A strong vision; the leadership is not yet in place.',
    });
    expect(outcome.status, JSON.stringify(outcome.body)).toBe(200);
    // answered once recorded: the letter follows, and the panel view gives it once sent
    expect(outcome.body).toMatchObject({ outcome: 'conditional', conditions: [{ n: 1 }, { n: 2 }], toWave: null, letterDocumentId: null });
    const letterDocumentId: string = await eventually(
      async () => (await api.get(`/networks/${network.id}/panel`)).body.current.outcome.letterDocumentId,
      'the outcome letter to be sent',
    );
    expect((await api.post(`/networks/${network.id}/panel/outcome`, { outcome: 'pass', reason: 'Again' })).body.error.code).toBe('OUTCOME_RECORDED');
    // scoring has closed
    expect((await anonymous.get(`/actions/${jo.token}`)).body.status).toBe('scored');

    // the letter is stored and mailed to the practices, with a link to its PDF
    const letters = (await api.get('/outbox?limit=1000')).body.filter(
      (m: { subject: string }) => m.subject === `Panel outcome for ${network.name}: passed with conditions`,
    );
    expect(letters.length).toBeGreaterThanOrEqual(2);
    expect(letters[0].text).toContain('1. Name the nominated payee\n2. Appoint the Clinical Director');
    expect(letters[0].links[0]).toContain(`/api/v1/documents/${letterDocumentId}/pdf?token=`);
    const letterPdf = await fetch(letters[0].links[0]);
    expect(letterPdf.status).toBe(200);
    expect(letterPdf.headers.get('content-type')).toContain('application/pdf');

    // the stage completes once the pack is signed too
    await signPack(pack, 2);
    await waitForStage(api, network.id, 'terms-of-reference', 'drafting');
    const tor = await api.post(`/networks/${network.id}/stages/terms-of-reference/issue`);
    await signPack(tor.body.document, 2);
    await waitForStage(api, network.id, 'legal-entity', 'drafting');

    // open conditions hold back the legal-entity stage until each is closed with its evidence
    const blocked = await api.post(`/networks/${network.id}/stages/legal-entity/issue`);
    expect(blocked.status).toBe(409);
    expect(blocked.body.error.code).toBe('CONDITIONS_OPEN');
    expect(blocked.body.error.message).toContain('1 ("Name the nominated payee"), 2 ("Appoint the Clinical Director")');
    expect(
      (await api.post(`/networks/${network.id}/panel/conditions/1/close`, { note: 'Payee named in the ToR', evidenceDocumentId: tor.body.document.id })).status,
    ).toBe(200);
    expect((await api.post(`/networks/${network.id}/panel/conditions/1/close`, { note: 'Again' })).body.error.code).toBe('CONDITION_CLOSED');
    expect((await api.post(`/networks/${network.id}/panel/conditions/9/close`, { note: 'No such' })).status).toBe(404);
    expect((await api.post(`/networks/${network.id}/panel/conditions/2/close`, { note: 'x', evidenceDocumentId: 'not-a-document' })).body.error.code).toBe(
      'VALIDATION_FAILED',
    );
    const stillBlocked = await api.post(`/networks/${network.id}/stages/legal-entity/issue`);
    expect(stillBlocked.body.error.message).toContain('2 ("Appoint the Clinical Director")');
    expect(stillBlocked.body.error.message).not.toContain('nominated payee');
    expect((await api.post(`/networks/${network.id}/panel/conditions/2/close`, { note: 'Dr Evans appointed at the board of 2 April' })).status).toBe(200);
    expect((await api.post(`/networks/${network.id}/stages/legal-entity/issue`)).status).toBe(202);
    const closed = (await api.get(`/networks/${network.id}/panel`)).body.conditions;
    expect(closed).toMatchObject([
      { n: 1, status: 'closed', evidenceDocumentId: tor.body.document.id },
      { n: 2, status: 'closed', note: 'Dr Evans appointed at the board of 2 April' },
    ]);
  });

  it('defers a network into the next wave, where it starts again at the panel; with no next wave it is a clear 409', async () => {
    const { programme, waves, network } = await createScenarioNetwork(api, { practiceCount: 2, name: 'Deferred network' });
    expect((await api.put(`/waves/${waves[0].id}/panel`, panelBody('2009-03-16'))).status).toBe(200);
    expect(
      (
        await api.put(
          `/waves/${waves[1].id}/panel`,
          panelBody('2009-06-15', [{ name: 'Mr Lee Wong', email: 'lee.wong@panel.example.org', organisation: 'Local Medical Committee', external: true }]),
        )
      ).status,
    ).toBe(200);
    await api.post(`/networks/${network.id}/formation`);
    const pack = await issuePack(network.id);
    const requests = await eventually(async () => {
      const found = await signRequests(api, pack.version, pack.title);
      return found.length >= 2 ? found : null;
    }, 'pack requests');

    const deferred = await eventually(async () => {
      const r = await api.post(`/networks/${network.id}/panel/outcome`, { outcome: 'defer', reason: 'The practices have not agreed a vision.' });
      return r.status === 409 && r.body.error.code === 'STAGE_LOCKED' ? null : r;
    }, 'the deferral');
    expect(deferred.status, JSON.stringify(deferred.body)).toBe(200);
    expect(deferred.body.toWave).toMatchObject({ id: waves[1].id, number: 2 });
    expect((await api.get(`/networks/${network.id}`)).body.waveId).toBe(waves[1].id);
    // the round on the wave 1 pack is voided; the stage starts again at drafting
    const stale = await eventually(async () => {
      const r = await apiClient(stack.baseUrl).get(`/actions/${requests[0].token}`);
      return r.body.status === 'superseded' ? r : null;
    }, 'the pack round to be voided');
    expect(stale.status).toBe(200);
    const drafting = await waitForStage(api, network.id, 'panel-presentation', 'drafting');
    expect(drafting.stages[0].lastOutcome).toMatchObject({ outcome: 'voided', reason: 'deferred by the panel to wave 2' });

    // in wave 2 the network presents to wave 2's panel: fresh links, and the earlier presentation is kept
    const again = await issuePack(network.id);
    expect(again.version).toBe(2);
    const links = await eventually(async () => {
      const found = (await scoreLinks(api, network.name)).filter((l) => l.to === 'lee.wong@panel.example.org');
      return found.length === 1 ? found : null;
    }, 'a score link from the wave 2 panel');
    const view = (await api.get(`/networks/${network.id}/panel`)).body;
    expect(view.current.wave.number).toBe(2);
    expect(view.earlier).toHaveLength(1);
    expect(view.earlier[0]).toMatchObject({ wave: { number: 1 }, outcome: { outcome: 'defer', toWave: { number: 2 } } });
    expect((await apiClient(stack.baseUrl).post(`/actions/${links[0].token}/score`, { ...SHEET, recommendation: 'pass', conditions: undefined })).status).toBe(
      200,
    );
    await passPanel(api, network.id);
    await signPack(again, 2);
    await waitForStage(api, network.id, 'terms-of-reference', 'drafting');

    // a network of the last wave has nowhere to go: nothing changes
    const last = await api.post('/networks', makeNetworkBody({ programmeId: programme.id, waveId: waves[2].id }, { networkIndex: 6, practiceCount: 2 }));
    expect(last.status, JSON.stringify(last.body)).toBe(201);
    await api.post(`/networks/${last.body.id}/formation`);
    await issuePack(last.body.id);
    const refused = await eventually(async () => {
      const r = await api.post(`/networks/${last.body.id}/panel/outcome`, { outcome: 'defer', reason: 'Not ready' });
      return r.status === 409 && ['STAGE_LOCKED', 'PANEL_NOT_OPEN'].includes(r.body.error.code) ? null : r;
    }, 'the refused deferral');
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('NO_NEXT_WAVE');
    expect(refused.body.error.message).toContain("wave 3 is the programme's last wave");
    expect((await api.get(`/networks/${last.body.id}`)).body.waveId).toBe(waves[2].id);
    expect((await api.get(`/networks/${last.body.id}/panel`)).body.current.outcome).toBeNull();
    // and a pass still goes through afterwards
    expect((await api.post(`/networks/${last.body.id}/panel/outcome`, { outcome: 'pass', reason: 'On reflection, ready' })).status).toBe(200);
  });
});
