import { parse } from 'csv-parse/sync';
import { inviteStaff } from '../support/people';
import { describe, expect, it } from 'vitest';
import { apiClient, type ApiClient, eventually } from '../support/api';
import { panelBody, signRequests, waitForStage } from '../support/formation-driver';
import { towerHamlets } from '../support/fixtures';
import { useStack } from '../support/lifecycle';
import type { InProcessStack } from '../support/stack';

const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

/** A commissioner reads a whole programme: every wave and network, over JSON and as a spreadsheet. */
describe('programme readiness', () => {
  let stack: InProcessStack;
  let api: ApiClient;
  useStack({}, (env) => ({ stack, api } = env));

  async function createProgramme(networks: ReturnType<typeof towerHamlets>['networks']) {
    const scenario = towerHamlets();
    const programme = (await api.post('/programmes', { ...scenario.programme, name: `${scenario.programme.name} ${Math.random().toString(36).slice(2, 8)}` }))
      .body;
    const waves = [];
    for (const [i, w] of scenario.waves.entries())
      waves.push((await api.post(`/programmes/${programme.id}/waves`, { ...w, panelDate: inDays(7 + i * 60) })).body);
    const created = [];
    for (const n of networks) {
      const res = await api.post('/networks', { programmeId: programme.id, waveId: waves[n.wave - 1].id, name: n.name, practices: n.practices });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      created.push(res.body);
    }
    return { programme, waves, created };
  }

  async function issuePack(networkId: string, data: Record<string, unknown> = {}) {
    await api.post(`/networks/${networkId}/formation`);
    await waitForStage(api, networkId, 'panel-presentation', 'drafting');
    expect((await api.put(`/networks/${networkId}/stages/panel-presentation`, data)).status).toBe(200);
    const issued = await api.post(`/networks/${networkId}/stages/panel-presentation/issue`);
    expect(issued.status, JSON.stringify(issued.body)).toBe(202);
    await waitForStage(api, networkId, 'panel-presentation', 'awaiting-signatures');
    return issued.body.document;
  }

  async function outcome(networkId: string, body: Record<string, unknown>) {
    const res = await eventually(async () => {
      const r = await api.post(`/networks/${networkId}/panel/outcome`, body);
      return r.status === 409 && ['PANEL_NOT_OPEN', 'STAGE_LOCKED'].includes(r.body.error.code) ? null : r;
    }, 'the outcome');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }

  it('reports every wave and network with blockers per practice, the panel, the checklist and decisions; as CSV too', async () => {
    const scenario = towerHamlets();
    const { programme, waves, created } = await createProgramme(scenario.networks);
    const [highway, network2, bow] = created;
    expect((await api.put(`/waves/${waves[0].id}/panel`, panelBody(inDays(7)))).status).toBe(200);

    // Highway: the pack names its Clinical Director and payee, and one practice has signed it
    const payee = highway.practices[1];
    const pack = await issuePack(highway.id, { clinicalDirector: 'Dr James Evans', nominatedPayee: payee.odsCode });
    const requests = await eventually(async () => {
      const found = await signRequests(api, pack.version, pack.title);
      return found.length >= highway.practices.length ? found : null;
    }, 'pack requests');
    // the sole partner of a one-partner practice signs, so a practice of several partners still owes
    const partnersOf = (p: { people: { email: string; roles: string[] }[] }) => p.people.filter((x) => x.roles.includes('partner'));
    const sole = partnersOf(highway.practices.find((p: { people: { email: string; roles: string[] }[] }) => partnersOf(p).length === 1))[0];
    const request = requests.find((r) => r.to === sole.email)!;
    const first = await apiClient(stack.baseUrl).get(`/actions/${request.token}`);
    expect((await apiClient(stack.baseUrl).post(`/actions/${request.token}/sign`, { typedName: first.body.person.name, consent: true })).status).toBe(200);
    // Network 2: passed with conditions; Bow: deferred to wave 2
    await issuePack(network2.id);
    await outcome(network2.id, { outcome: 'conditional', conditions: ['Agree the data-sharing agreement'], reason: 'Data sharing is not yet agreed.' });
    await issuePack(bow.id);
    await outcome(bow.id, { outcome: 'defer', reason: 'Not ready.' });

    // a commissioner decides on Highway, and it is audited
    const { api: commissioner, token: secret } = await inviteStaff(api, stack.baseUrl, {
      name: 'Commissioner Khan',
      email: 'khan@commissioner.test',
      role: 'commissioner',
      programmeIds: [programme.id],
    });
    expect((await commissioner.post(`/networks/${highway.id}/readiness/decision`, { decision: 'maybe', note: 'x' })).status).toBe(422);
    expect((await commissioner.post(`/networks/unknown/readiness/decision`, { decision: 'ready', note: 'x' })).status).toBe(404);
    const decided = await commissioner.post(`/networks/${highway.id}/readiness/decision`, {
      decision: 'not-ready',
      note: 'Waiting for every practice to sign the pack.',
    });
    expect(decided.status, JSON.stringify(decided.body)).toBe(201);
    expect(await stack.db('audit_events').where({ type: 'readiness.decided', network_id: highway.id })).toHaveLength(1);

    // the chart's history: yesterday as recorded then (one network, green), as a dashboard read that day left it
    const today = new Date().toISOString().slice(0, 10);
    const yesterday = new Date(Date.parse(today) - 86_400_000).toISOString().slice(0, 10);
    await stack.db('readiness_snapshots').insert({
      network_id: highway.id,
      day: yesterday,
      programme_id: programme.id,
      wave_id: waves[0].id,
      rag: 'green',
      stages_completed: 0,
      recorded_at: new Date(Date.parse(today) - 3_600_000).toISOString(),
    });

    const res = await commissioner.get(`/programmes/${programme.id}/readiness`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const view = res.body;
    expect(view.waves.map((w: { number: number }) => w.number)).toEqual([1, 2, 3]);
    expect(view.summary.networks).toBe(scenario.networks.length);
    const rows = view.waves.flatMap((w: { networks: unknown[] }) => w.networks);
    const row = (id: string) => rows.find((r: { networkId: string }) => r.networkId === id);

    // blockers speak per practice, in the words of the signing rule
    const h = row(highway.id);
    const unsigned = highway.practices.find((p: { people: { email: string; roles: string[] }[] }) => partnersOf(p).length > 1);
    const partners = unsigned.people.filter((p: { roles: string[] }) => p.roles.includes('partner')).length;
    expect(h.blockers.join('\n')).toContain(`${unsigned.name}: any one of its ${partners} partners`);
    expect(h.decision).toMatchObject({ decision: 'not-ready', decidedBy: 'Commissioner Khan' });
    const checklist = Object.fromEntries(h.checklist.map((c: { key: string }) => [c.key, c]));
    expect(checklist['clinical-director']).toMatchObject({
      met: true,
      detail: 'Dr James Evans',
      evidence: {
        kind: 'stage-data',
        stage: 'panel-presentation',
        field: 'clinicalDirector',
        href: expect.stringContaining(`/networks/${highway.id}/stages/panel-presentation/preview`),
      },
    });
    expect(checklist['nominated-payee']).toMatchObject({ met: true, detail: `${payee.name} (${payee.odsCode})` });
    expect(checklist['terms-of-reference-signed']).toMatchObject({ met: false, evidence: null });
    expect(checklist['ods-codes'].met).toBe(true);

    // the panel: conditions open, a deferral into wave 2, no disputes
    const n2 = row(network2.id);
    expect(n2.panel).toMatchObject({ outcome: 'conditional', openConditions: [{ n: 1, text: 'Agree the data-sharing agreement' }] });
    expect(n2.blockers).toContain('Panel condition open: 1. Agree the data-sharing agreement');
    const b = row(bow.id);
    expect(b.waveNumber).toBe(2);
    expect(view.waves[1].networks.map((n: { networkId: string }) => n.networkId)).toContain(bow.id);
    expect(b.panel).toMatchObject({ outcome: null, deferredFromWave: 1 });
    expect(rows.every((r: { openDisputes: unknown[] }) => r.openDisputes.length === 0)).toBe(true);
    // the funnel counts networks that started and completed each stage
    expect(view.waves[0].funnel[0]).toMatchObject({ key: 'started', networks: 2 });
    expect(view.waves[0].funnel[1]).toMatchObject({ key: 'panel-presentation', networks: 0 });

    // a snapshot of today's RAG per network, for the chart; the history has earlier days before today
    expect(view.today).toBe(today);
    expect(await stack.db('readiness_snapshots').where({ programme_id: programme.id, day: today })).toHaveLength(scenario.networks.length);
    const todays = { day: view.today, red: view.summary.red, amber: view.summary.amber, green: view.summary.green };
    expect(view.history).toEqual([{ day: yesterday, red: 0, amber: 0, green: 1 }, todays]);
    // read again: the same history (earlier days are counted once a day), today's as it is now
    const again = (await commissioner.get(`/programmes/${programme.id}/readiness`)).body;
    expect(again.history).toEqual([{ day: yesterday, red: 0, amber: 0, green: 1 }, todays]);

    // the spreadsheet carries the same rows, parsed back with a CSV library
    const csv = await fetch(`${stack.baseUrl}/api/v1/programmes/${programme.id}/readiness?format=csv`, { headers: { authorization: `Bearer ${secret}` } });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const records = parse(await csv.text(), { columns: true, bom: true }) as Record<string, string>[];
    expect(records).toHaveLength(scenario.networks.length);
    const hc = records.find((r) => r.network === highway.name)!;
    expect(hc).toMatchObject({
      wave: '1',
      rag: h.rag,
      listSize: String(h.listSize),
      'clinical-director': 'yes',
      'terms-of-reference-signed': 'no',
      decision: 'not-ready',
      decisionNote: 'Waiting for every practice to sign the pack.',
    });
    expect(hc.blockers.split('\n')).toEqual(h.blockers);
    expect(records.find((r) => r.network === network2.name)!.openConditions).toBe('1. Agree the data-sharing agreement');
    expect(records.find((r) => r.network === bow.name)).toMatchObject({ wave: '2', deferredFromWave: '1' });
    expect((await api.get('/programmes/unknown/readiness')).status).toBe(404);
    expect((await api.get(`/programmes/${programme.id}/readiness?format=xml`)).status).toBe(400);
  });

  it('reads a programme in the same few set queries whatever its number of networks', async () => {
    const scenario = towerHamlets();
    const small = await createProgramme(scenario.networks.slice(0, 1));
    const large = await createProgramme(scenario.networks);
    const count = async (programmeId: string) => {
      await api.get(`/programmes/${programmeId}/readiness`); // the day's snapshot is written on the first read
      // every network changed, so every row is built again rather than kept
      await stack.db('networks').where({ programme_id: programmeId }).increment('readiness_rev', 1);
      let queries = 0;
      const onQuery = () => {
        queries += 1;
      };
      stack.db.on('query', onQuery);
      try {
        expect((await api.get(`/programmes/${programmeId}/readiness`)).status).toBe(200);
      } finally {
        stack.db.removeListener('query', onQuery);
      }
      return queries;
    };
    const one = await count(small.programme.id);
    const eight = await count(large.programme.id);
    expect(eight).toBe(one);
    // a fixed handful: the caller's credential and standing, the programme's scope, then the read itself
    expect(one).toBeLessThan(30);
  });
});
