import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { type ApiClient, eventually } from '../support/api';
import { caseEvent, caseWhen, mails, openCase } from '../support/disputes-driver';
import { createScenarioNetwork, passPanel, signOnePartnerPerPractice, signRequests, waitForStage } from '../support/formation-driver';
import { useStack } from '../support/lifecycle';
import type { InProcessStack } from '../support/stack';

/**
 * What a case does around it: a case tied to a formation stage holds the stage until it closes
 * (whether opened before the formation started or during it), the case's history goes into the
 * stage's evidence pack, the network's adopted procedure sets the ladder, and the risk and issue
 * log keeps its entries, reminds owners when a review is due, and escalates an issue into a case.
 */
describe('dispute cases around formation, and the risk and issue log', () => {
  let stack: InProcessStack;
  let api: ApiClient;
  useStack({}, (env) => ({ stack, api } = env));

  async function signPanelPack(networkId: string) {
    const issued = await api.post(`/networks/${networkId}/stages/panel-presentation/issue`);
    expect(issued.status, JSON.stringify(issued.body)).toBe(202);
    const requests = await eventually(async () => {
      const found = await signRequests(api, issued.body.document.version, issued.body.document.title);
      return found.length >= 2 ? found : null;
    }, 'panel pack requests');
    await signOnePartnerPerPractice(stack.baseUrl, requests);
    // the panel passes the network: only the open case holds the stage now
    await passPanel(api, networkId);
  }

  /** The panel stage's round is signed, yet the stage has not completed. */
  async function expectHeld(networkId: string) {
    const formation = await eventually(async () => {
      const res = (await api.get(`/networks/${networkId}/formation`)).body;
      return res.stages[0].signoff?.status === 'signed' ? res : null;
    }, 'the panel pack to be signed');
    // the workflow has had every chance to complete the stage; it waits for the case instead
    await new Promise((r) => setTimeout(r, 1500));
    const again = (await api.get(`/networks/${networkId}/formation`)).body;
    expect(again.currentStage).toBe('panel-presentation');
    expect(again.stages[0].status).not.toBe('completed');
    expect(formation.stages[0].status).not.toBe('completed');
    const reissue = await api.post(`/networks/${networkId}/stages/panel-presentation/issue`);
    expect(reissue.status).toBe(409);
    expect(reissue.body.error.message).toContain('completes once the dispute cases that hold it are closed');
  }

  it('holds a stage while its case is open, from before the formation starts or during it, and packs the case as evidence', async () => {
    // opened before the formation runs: the formation reads it from the record as it starts
    const early = await createScenarioNetwork(api, { practiceCount: 2, name: 'Held before start' });
    const parties = early.network.practices.map((p: { id: string }) => p.id);
    const before = await openCase(api, early.network.id, parties, { title: 'Panel pack wording', stage: 'panel-presentation' });
    expect((await api.post(`/networks/${early.network.id}/formation`)).status).toBe(202);
    await waitForStage(api, early.network.id, 'panel-presentation', 'drafting');
    await signPanelPack(early.network.id);
    await expectHeld(early.network.id);
    await caseEvent(api, before.id, { type: 'withdraw', text: 'The wording was agreed at the board.' });
    await waitForStage(api, early.network.id, 'terms-of-reference', 'drafting');
    // a completed stage can no longer be held
    const late = await api.post(`/networks/${early.network.id}/disputes`, { title: 'Too late', summary: 'S', parties, stage: 'panel-presentation' });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('STAGE_COMPLETED');

    // opened while the formation runs: the case tells it
    const during = await createScenarioNetwork(api, { practiceCount: 2, name: 'Held during' });
    expect((await api.post(`/networks/${during.network.id}/formation`)).status).toBe(202);
    await waitForStage(api, during.network.id, 'panel-presentation', 'drafting');
    const held = await openCase(
      api,
      during.network.id,
      during.network.practices.map((p: { id: string }) => p.id),
      { title: 'Leadership', stage: 'panel-presentation' },
    );
    await caseEvent(api, held.id, { type: 'note', text: 'Meeting arranged.' });
    await signPanelPack(during.network.id);
    await expectHeld(during.network.id);
    const page = await (await fetch(`${stack.baseUrl}/disputes/${held.id}`, { headers: { authorization: `Bearer ${stack.token}` } })).text();
    expect(page).toContain('Panel presentation: it cannot complete while this case is open');
    await caseEvent(api, held.id, { type: 'withdraw', text: 'Settled.' });
    await waitForStage(api, during.network.id, 'terms-of-reference', 'drafting');

    // the stage's evidence pack carries the case's history, listed in its manifest
    const pack = await api.get(`/networks/${during.network.id}/stages/panel-presentation/evidence`);
    expect(pack.status).toBe(200);
    const zip = await JSZip.loadAsync(pack.body);
    const manifest = JSON.parse(await zip.file('manifest.json')!.async('string'));
    expect(manifest.disputes).toHaveLength(1);
    expect(manifest.disputes[0]).toMatchObject({ id: held.id, title: 'Leadership', status: 'withdrawn', events: 3 });
    const kase = JSON.parse(await zip.file(manifest.disputes[0].path)!.async('string'));
    expect(kase.history.map((h: { type: string }) => h.type)).toEqual(['opened', 'note', 'withdraw']);
    expect(manifest.files.map((f: { path: string }) => f.path)).toContain(manifest.disputes[0].path);
  });

  it('climbs the ladder of the procedure the network adopted', async () => {
    const { network } = await createScenarioNetwork(api, { practiceCount: 3, name: 'Own procedure' });
    expect(
      (await api.put(`/networks/${network.id}/dispute-procedure`, { adoptedOn: '2026-11-30', options: { timescales: { informalWorkingDays: 0 } } })).status,
    ).toBe(422);
    const adopted = await api.put(`/networks/${network.id}/dispute-procedure`, {
      adoptedOn: '2026-11-30',
      options: { lmcName: 'Tower Hamlets LMC', timescales: { informalWorkingDays: 5, mediationDays: 21 } },
    });
    expect(adopted.status, JSON.stringify(adopted.body)).toBe(200);
    expect(adopted.body.ladder.map((s: { name: string; limit: { amount: number } | null }) => [s.name, s.limit?.amount ?? null])).toEqual([
      ['Informal discussion', 5],
      ['Network board', 20],
      ['Tower Hamlets LMC', 28],
      ['Mediation', 21],
      ['Arbitration', null],
    ]);
    const opened = await openCase(
      api,
      network.id,
      network.practices.slice(0, 2).map((p: { id: string }) => p.id),
    );
    const kase = (await api.get(`/disputes/${opened.id}`)).body;
    expect(kase.step.limit).toBe('5 working days');
    expect(kase.ladder.map((s: { name: string }) => s.name)).toContain('Tower Hamlets LMC');
    expect(kase.timeLeft).toBe('5 working days left');
  });

  it('keeps a risk register and issue log, reminds a risk’s owner when its review is due, and escalates an issue into a case with its history', async () => {
    const { network } = await createScenarioNetwork(api, { practiceCount: 3, name: 'Risk log' });
    const manager = network.practices[0].people.find((p: { roles: string[] }) => p.roles.includes('practice-manager'));
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const risk = {
      title: 'Pharmacist leaves',
      cause: 'One pharmacist shared by three practices',
      impact: 'Medication reviews stop',
      likelihood: 3,
      impactScore: 4,
      ownerPersonId: manager.id,
      mitigation: 'Train a second pharmacist',
      reviewOn: yesterday,
    };
    expect((await api.post(`/networks/${network.id}/risks`, { ...risk, likelihood: 6 })).status).toBe(422);
    expect((await api.post(`/networks/${network.id}/risks`, { ...risk, ownerPersonId: 'someone-else' })).status).toBe(422);
    const created = await api.post(`/networks/${network.id}/risks`, risk);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ score: 12, rating: 'medium', status: 'open' });

    // its review date has passed: the owner (and the facilitator) are reminded by its timer
    const reminder = await eventually(
      async () => (await mails(api, 'Risk review due: Pharmacist leaves')).find((m) => m.to === manager.email),
      'the review reminder',
    );
    expect(reminder.text).toContain('It scores 12 (likelihood × impact): a medium risk.');
    const reviewed = await api.put(`/networks/${network.id}/risks/${created.body.id}`, {
      reviewOn: '2027-06-30',
      likelihood: 4,
      note: 'Second pharmacist in training.',
    });
    expect(reviewed.status, JSON.stringify(reviewed.body)).toBe(200);
    expect(reviewed.body).toMatchObject({ score: 16, rating: 'high', reviewOn: '2027-06-30' });

    const issue = await api.post(`/networks/${network.id}/issues`, {
      title: 'Pharmacist sessions not shared',
      description: 'Highway Practice has had no sessions since October.',
      ownerPersonId: manager.id,
      action: 'Agree a rota',
      dueOn: '2026-12-18',
      riskId: created.body.id,
    });
    expect(issue.status, JSON.stringify(issue.body)).toBe(201);
    expect((await api.put(`/networks/${network.id}/issues/${issue.body.id}`, { note: 'Rota not agreed at the board.' })).status).toBe(200);
    const parties = network.practices.slice(0, 2).map((p: { id: string }) => p.id);
    const escalated = await api.post(`/networks/${network.id}/issues/${issue.body.id}/escalate`, { parties });
    expect(escalated.status, JSON.stringify(escalated.body)).toBe(201);
    const kase = await caseWhen(api, escalated.body.id, (c) => c.status === 'open', 'the escalated case');
    expect(kase.title).toBe('Pharmacist sessions not shared');
    expect(kase.fromIssue).toEqual({ id: issue.body.id, title: 'Pharmacist sessions not shared' });
    expect(kase.history.map((h: { type: string }) => h.type)).toEqual(['issue-history', 'issue-history', 'issue-history', 'opened']);
    expect(kase.history[1].text).toBe('Rota not agreed at the board.');
    expect((await api.post(`/networks/${network.id}/issues/${issue.body.id}/escalate`, { parties })).status).toBe(409);

    const log = (await api.get(`/networks/${network.id}/risks`)).body;
    expect(log.risks[0]).toMatchObject({ title: 'Pharmacist leaves', score: 16, reviewOverdue: false });
    expect(log.risks[0].log.map((e: { type: string }) => e.type)).toEqual(['recorded', 'reminder', 'reviewed']);
    expect(log.issues[0]).toMatchObject({ status: 'escalated', disputeId: escalated.body.id });

    // the register page and the readiness read (open cases and breaches, many networks at once)
    const page = await (await fetch(`${stack.baseUrl}/networks/${network.id}/disputes`, { headers: { authorization: `Bearer ${stack.token}` } })).text();
    expect(page).toContain('Pharmacist sessions not shared');
    expect(page).toContain('16 (4 × 4), high');
    const counts = await stack.repos.disputes.openCasesAndBreaches(stack.db, [network.id, 'no-such-network']);
    expect(counts.get(network.id)).toEqual({ openCases: 1, breachedCases: 0, breaches: 0 });
    expect(counts.has('no-such-network')).toBe(false);
    expect(await stack.repos.disputes.scopeOf(stack.db, escalated.body.id)).toEqual({
      programmeId: network.programmeId,
      networkId: network.id,
      practiceIds: parties,
    });
  });
});
