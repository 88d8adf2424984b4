import { expect } from 'vitest';
import { type ApiClient, apiClient, eventually, tokenFromLink } from './api';
import { makeNetworkBody, towerHamlets } from './fixtures';

/** Creates the Tower Hamlets programme, its waves and one network, as a facilitator's script would. */
export async function createScenarioNetwork(api: ApiClient, opts: { practiceCount?: number; networkIndex?: number; name?: string } = {}) {
  const scenario = towerHamlets();
  const programme = await api.post('/programmes', { ...scenario.programme, name: `${scenario.programme.name} ${Math.random().toString(36).slice(2, 8)}` });
  expect(programme.status, JSON.stringify(programme.body)).toBe(201);
  const waves = [];
  for (const wave of scenario.waves) {
    const created = await api.post(`/programmes/${programme.body.id}/waves`, wave);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    waves.push(created.body);
  }
  const body = makeNetworkBody({ programmeId: programme.body.id, waveId: waves[0].id }, opts);
  const network = await api.post('/networks', body);
  expect(network.status, JSON.stringify(network.body)).toBe(201);
  return { programme: programme.body, waves, network: network.body };
}

export async function waitForStage(api: ApiClient, networkId: string, stage: string, status: string) {
  return eventually(async () => {
    const res = await api.get(`/networks/${networkId}/formation`);
    const s = res.body.stages?.find((x: { key: string }) => x.key === stage);
    return res.body.currentStage === stage && s?.status === status ? res.body : null;
  }, `${stage} to be ${status}`);
}

/** Sign requests of one document version found in the outbox, one per recipient. */
export async function signRequests(api: ApiClient, documentVersion: number, documentTitle: string) {
  const outbox = await api.get('/outbox?limit=1000');
  expect(outbox.status).toBe(200);
  return (outbox.body as { to: string; subject: string; links: string[] }[])
    .filter((m) => m.subject.includes(documentTitle) && m.subject.includes(`(version ${documentVersion})`))
    .map((m) => ({ to: m.to, token: tokenFromLink(m.links[0]) }));
}

/** Signs as the person each link was sent to; returns the receipts. Only one partner per practice signs. */
/** A new scenario network's formation started and its panel pack issued: the network, the issue answer and the first request to sign. */
export async function issueFirstPack(api: ApiClient, opts: { practiceCount?: number; networkIndex?: number; name?: string }) {
  const { network } = await createScenarioNetwork(api, opts);
  expect((await api.post(`/networks/${network.id}/formation`)).status).toBe(202);
  await waitForStage(api, network.id, 'panel-presentation', 'drafting');
  const issued = await api.post(`/networks/${network.id}/stages/panel-presentation/issue`);
  expect(issued.status).toBe(202);
  const [request] = await eventually(async () => {
    const found = await signRequests(api, 1, issued.body.document.title);
    return found.length > 0 ? found : null;
  }, 'a sign request');
  return { network, issued, request };
}

export async function signOnePartnerPerPractice(baseUrl: string, requests: { to: string; token: string }[]) {
  const anonymous = apiClient(baseUrl);
  const donePractices = new Set<string>();
  const receipts = [];
  for (const request of requests) {
    const action = await anonymous.get(`/actions/${request.token}`);
    expect(action.status).toBe(200);
    if (donePractices.has(action.body.practice.id)) continue;
    const signed = await anonymous.post(`/actions/${request.token}/sign`, { typedName: action.body.person.name, consent: true });
    expect(signed.status, JSON.stringify(signed.body)).toBe(200);
    donePractices.add(action.body.practice.id);
    receipts.push({ ...signed.body, token: request.token });
  }
  return receipts;
}

/** The criteria of `panelBody`'s panel, weighted 2:1:1. */
const PANEL_CRITERIA = [
  { key: 'vision', title: 'Vision and aspirations', weight: 2 },
  { key: 'freedoms', title: 'Use of the new freedoms', weight: 1 },
  { key: 'leadership', title: 'Leadership and payee', weight: 1 },
] as const;

/** Two external panel members and an internal one; criteria weighted 2:1:1. */
export function panelBody(date = '2009-03-16', members: { name: string; email: string; organisation: string; external: boolean }[] = []) {
  return {
    date,
    members: [
      { name: 'Ms Jo Reed', email: 'jo.reed@panel.example.org', organisation: 'Tower Hamlets PCT', external: false },
      { name: 'Prof Sam Okafor', email: 'sam.okafor@panel.example.org', organisation: 'Queen Mary University of London', external: true },
      ...members,
    ],
    criteria: PANEL_CRITERIA.map((c) => ({ ...c })),
  };
}

/**
 * A panel member's score sheet for `panelBody`'s criteria, in their order: a score for each, or a
 * score and a comment.
 */
export function scoreSheet(
  scores: Record<(typeof PANEL_CRITERIA)[number]['key'], number | [number, string]>,
  recommendation: 'pass' | 'conditional' | 'defer',
  conditions?: string[],
) {
  return {
    scores: PANEL_CRITERIA.map(({ key }) => {
      const [score, comment] = typeof scores[key] === 'number' ? [scores[key], ''] : scores[key];
      return { criterion: key, score, comment };
    }),
    recommendation,
    ...(conditions ? { conditions } : {}),
  };
}

/** Score links sent to panel members for a network, one per member. */
export async function scoreLinks(api: ApiClient, networkName: string) {
  const outbox = await api.get('/outbox?limit=1000');
  return (outbox.body as { to: string; subject: string; links: string[] }[])
    .filter((m) => m.subject.startsWith(`Please score ${networkName}'s panel presentation`))
    .map((m) => ({ to: m.to, token: tokenFromLink(m.links[0]) }));
}

/** Records a pass, as a facilitator does once the panel has met (the stage then completes when the pack is signed). */
export async function passPanel(api: ApiClient, networkId: string) {
  const res = await eventually(async () => {
    const r = await api.post(`/networks/${networkId}/panel/outcome`, { outcome: 'pass', reason: 'The panel supports the network going ahead.' });
    // the pack may still be being issued
    return r.status === 409 && ['PANEL_NOT_OPEN', 'STAGE_LOCKED'].includes(r.body.error?.code) ? null : r;
  }, 'the panel to be open for an outcome');
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}
