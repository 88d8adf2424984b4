import { describe, expect, it } from 'vitest';
import { apiClient, type ApiClient, eventually } from '../support/api';
import { createScenarioNetwork, passPanel, signOnePartnerPerPractice, signRequests, waitForStage } from '../support/formation-driver';
import { useStack } from '../support/lifecycle';
import type { InProcessStack } from '../support/stack';

/**
 * A network's first stages end to end, on a real Temporal server and a real database:
 * HTTP → workflow → activities → database → document → e-signature → next stage.
 */
describe.each(['sqlite', 'postgres'] as const)('formation on %s', (database) => {
  let stack: InProcessStack;
  let api: ApiClient;

  useStack({ database }, (env) => ({ stack, api } = env));

  it('runs two stages through issue, signatures and completion', async () => {
    const { network } = await createScenarioNetwork(api, { practiceCount: 4 });
    expect(network.practices).toHaveLength(4);

    const started = await api.post(`/networks/${network.id}/formation`);
    expect(started.status).toBe(202);
    expect(started.body.workflowId).toBe(`formation-${network.id}`);
    const again = await api.post(`/networks/${network.id}/formation`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ALREADY_STARTED');

    await waitForStage(api, network.id, 'panel-presentation', 'drafting');
    const data = await api.put(`/networks/${network.id}/stages/panel-presentation`, {});
    expect(data.status, JSON.stringify(data.body)).toBe(200);
    expect(data.body.revision).toBe(1);

    // only the current stage can be issued
    const early = await api.post(`/networks/${network.id}/stages/terms-of-reference/issue`);
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('STAGE_NOT_CURRENT');

    const superseded = await api.post(`/networks/${network.id}/stages/panel-presentation/issue`);
    expect(superseded.status, JSON.stringify(superseded.body)).toBe(202);
    expect(superseded.body.document.version).toBe(1);
    expect(superseded.body.signingRule).toEqual({ partners: 'any-partner', practiceRoles: [], officers: [], order: 'parallel' });
    const oldRequests = await eventually(async () => {
      const found = await signRequests(api, 1, superseded.body.document.title);
      return found.length > 0 ? found : null;
    }, 'version 1 sign requests');

    // issuing again while the round is out voids it: a new version goes out and old links stop working
    const issued = await api.post(`/networks/${network.id}/stages/panel-presentation/issue`);
    expect(issued.status, JSON.stringify(issued.body)).toBe(202);
    expect(issued.body.document.version).toBe(2);
    expect(issued.body.document.sha256).toMatch(/^[0-9a-f]{64}$/);
    const stale = await eventually(async () => {
      const res = await apiClient(stack.baseUrl).get(`/actions/${oldRequests[0].token}`);
      return res.body.status === 'superseded' ? res : null;
    }, 'the old round to be voided');
    expect(stale.status).toBe(200);
    const staleSign = await apiClient(stack.baseUrl).post(`/actions/${oldRequests[0].token}/sign`, { typedName: stale.body.person.name, consent: true });
    expect(staleSign.status).toBe(409);
    expect(staleSign.body.error.code).toBe('WRONG_VERSION');

    await waitForStage(api, network.id, 'panel-presentation', 'awaiting-signatures');
    const requests = await eventually(async () => {
      const found = await signRequests(api, 2, issued.body.document.title);
      const partners = network.practices.flatMap((p: { people: { roles: string[] }[] }) => p.people.filter((x) => x.roles.includes('partner')));
      return found.length === partners.length ? found : null;
    }, 'a sign request for every partner');

    // the document can be fetched by staff, with its hash
    const pdf = await api.get(`/documents/${issued.body.document.id}/pdf`);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toContain('application/pdf');
    expect(pdf.headers.get('x-content-sha256')).toBe(issued.body.document.sha256);

    // a typed name that is not the signer's own is rejected with its reason
    const anonymous = apiClient(stack.baseUrl);
    const wrongName = await anonymous.post(`/actions/${requests[0].token}/sign`, { typedName: 'Somebody Else', consent: true });
    expect(wrongName.status).toBe(422);
    expect(wrongName.body.error.code).toBe('NAME_MISMATCH');
    const noConsent = await anonymous.post(`/actions/${requests[0].token}/sign`, { typedName: 'x', consent: false });
    expect(noConsent.status).toBe(422);

    const receipts = await signOnePartnerPerPractice(stack.baseUrl, requests);
    expect(receipts).toHaveLength(4);
    expect(receipts.at(-1)?.roundComplete).toBe(true);

    // a repeated signature is a 409, never a second signature
    const repeat = await anonymous.post(`/actions/${receipts[0].token}/sign`, { typedName: receipts[0].signedBy, consent: true });
    expect(repeat.status).toBe(409);
    expect(repeat.body.error.code).toBe('ALREADY_SIGNED');

    // the signed pack waits for the panel's outcome; a pass completes the stage
    await waitForStage(api, network.id, 'panel-presentation', 'awaiting-outcome');
    await passPanel(api, network.id);
    const status = await waitForStage(api, network.id, 'terms-of-reference', 'drafting');
    const first = status.stages.find((s: { key: string }) => s.key === 'panel-presentation');
    expect(first.status).toBe('completed');
    expect(first.documents.map((d: { version: number; status: string }) => [d.version, d.status])).toEqual([
      [1, 'superseded'],
      [2, 'signed'],
    ]);
    expect(first.signoff.practices.every((p: { signed: boolean }) => p.signed)).toBe(true);
    const rows = await stack.db('signatures').where({ document_id: issued.body.document.id });
    expect(rows).toHaveLength(4);

    // stage two: issue, one practice declines, it returns to drafting; reissue as version 2 and sign
    const tor = await api.post(`/networks/${network.id}/stages/terms-of-reference/issue`);
    expect(tor.status, JSON.stringify(tor.body)).toBe(202);
    const torRequests = await eventually(async () => {
      const found = await signRequests(api, 1, tor.body.document.title);
      return found.length === requests.length ? found : null;
    }, 'terms of reference sign requests');
    const declined = await anonymous.post(`/actions/${torRequests[0].token}/decline`, { reason: 'Clause 6 quorum is wrong' });
    expect(declined.status, JSON.stringify(declined.body)).toBe(200);
    await waitForStage(api, network.id, 'terms-of-reference', 'drafting');
    const afterDecline = await anonymous.post(`/actions/${torRequests[1].token}/sign`, { typedName: 'anyone', consent: true });
    expect(afterDecline.status).toBe(409);
    // the facilitator was told, with the reason
    const told = await eventually(async () => {
      const mail = (await api.get('/outbox?to=facilitator@localhost')).body as { subject: string; text: string }[];
      return mail.find((m) => m.subject.startsWith('Declined:')) ?? null;
    }, 'the facilitator to be told of the decline');
    expect(told.text).toContain('Clause 6 quorum is wrong');

    const reissued = await api.post(`/networks/${network.id}/stages/terms-of-reference/issue`);
    expect(reissued.status, JSON.stringify(reissued.body)).toBe(202);
    expect(reissued.body.document.version).toBe(2);
    const v2Requests = await eventually(async () => {
      const found = await signRequests(api, 2, reissued.body.document.title);
      return found.length === requests.length ? found : null;
    }, 'version 2 sign requests');
    await signOnePartnerPerPractice(stack.baseUrl, v2Requests);
    const done = await waitForStage(api, network.id, 'legal-entity', 'drafting');
    const torStage = done.stages.find((s: { key: string }) => s.key === 'terms-of-reference');
    expect(torStage.documents.map((d: { version: number; status: string }) => [d.version, d.status])).toEqual([
      [1, 'declined'],
      [2, 'signed'],
    ]);

    const audit = await api.get('/audit/verify');
    expect(audit.body).toMatchObject({ valid: true });
    expect(audit.body.checked).toBeGreaterThan(20);
  });
});
