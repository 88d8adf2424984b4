import { describe, expect, it } from 'vitest';
import { type ApiClient, eventually } from '../support/api';
import { createScenarioNetwork } from '../support/formation-driver';
import { replayAllHistories } from '../support/replay';
import { useStack } from '../support/lifecycle';
import type { InProcessStack } from '../support/stack';
import { ballotLinks, inSeconds } from '../support/votes-driver';
import { injectedTemporalAddress } from '../setup/temporal-env';
import { pdfText } from '../unit/documents/extract';

/** An STV election by constituency through the real election workflow, on real Temporal and SQLite. */
describe('elections', () => {
  let stack: InProcessStack;
  let api: ApiClient;
  let anonymous: ApiClient;

  useStack({}, (env) => ({ stack, api, anonymous } = env));

  it('takes nominations, checks eligibility, counts by STV with transfers and appoints the elected', async () => {
    const { network } = await createScenarioNetwork(api, { networkIndex: 1 });
    const { network: other } = await createScenarioNetwork(api, { networkIndex: 2, practiceCount: 1 });
    const p = network.practices as { id: string; name: string; people: { id: string; name: string }[] }[];
    expect(p).toHaveLength(5);
    const created = await api.post(`/networks/${network.id}/elections`, {
      title: 'Shadow board 2027',
      method: 'stv',
      constituencies: [
        { name: 'North', seats: 1, practiceIds: [p[0].id, p[1].id, p[2].id] },
        { name: 'South', seats: 1, practiceIds: [p[3].id, p[4].id] },
      ],
      nominationsCloseAt: inSeconds(3600),
      ballotCloseAt: inSeconds(7200),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const election = created.body;
    expect(election.phase).toBe('nominations');

    const nominate = (personId: string, constituency: string, extra: Record<string, unknown> = {}) =>
      api.post(`/elections/${election.id}/candidates`, { personId, constituency, statement: `I will serve ${constituency} well.`, ...extra });
    const north: string[] = [];
    for (const i of [0, 1, 2]) {
      const res = await nominate(p[i].people[0].id, 'North', i === 0 ? { conflictOfInterest: 'Director of a local pharmacy' } : {});
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      north.push(res.body.id);
    }
    const south: string[] = [];
    for (const i of [3, 4]) south.push((await nominate(p[i].people[0].id, 'South')).body.id);

    // a candidate withdraws while nominations are open, once; they may be nominated again
    const withdrawn = south[1];
    const withdrawal = await api.delete(`/elections/${election.id}/candidates/${withdrawn}`);
    expect(withdrawal.status, JSON.stringify(withdrawal.body)).toBe(204);
    const twiceWithdrawn = await api.delete(`/elections/${election.id}/candidates/${withdrawn}`);
    expect(twiceWithdrawn.status).toBe(404);
    expect(twiceWithdrawn.body.error.code).toBe('NOT_A_CANDIDATE');
    expect(await stack.db('audit_events').where({ type: 'election.candidate-withdrawn', network_id: network.id }).count({ n: '*' }).first()).toMatchObject({
      n: 1,
    });
    const standingSouth = (await api.get(`/elections/${election.id}`)).body.constituencies.find((c: { name: string }) => c.name === 'South').candidates;
    expect(standingSouth.map((c: { id: string }) => c.id)).toEqual([south[0]]);
    const renominated = await nominate(p[4].people[0].id, 'South');
    expect(renominated.status, JSON.stringify(renominated.body)).toBe(201);
    south[1] = renominated.body.id;
    expect(south[1]).not.toBe(withdrawn);

    const outsider = await nominate(other.practices[0].people[0].id, 'North');
    expect(outsider.status).toBe(422);
    expect(outsider.body.error.code).toBe('NOT_ELIGIBLE');
    const twice = await nominate(p[0].people[0].id, 'North');
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('ALREADY_NOMINATED');
    const nowhere = await nominate(p[1].people[1]?.id ?? p[1].people[0].id, 'East');
    expect(nowhere.status).toBe(422);

    const opened = await api.post(`/elections/${election.id}/close`);
    expect(opened.status, JSON.stringify(opened.body)).toBe(200);
    expect(opened.body.phase).toBe('ballot');
    const late = await nominate(p[1].people[0].id, 'South');
    expect(late.body.error.code).toBe('WRONG_PHASE');
    // once the ballot names them, a candidate can no longer withdraw
    const lateWithdrawal = await api.delete(`/elections/${election.id}/candidates/${north[2]}`);
    expect(lateWithdrawal.status).toBe(409);
    expect(lateWithdrawal.body.error.code).toBe('WRONG_PHASE');

    const links = await ballotLinks(api, stack.baseUrl, 'Election ballot: Shadow board 2027', 5);
    const linkOf = (practiceId: string) => links.find((l) => l.practiceId === practiceId)!;
    const view = await anonymous.get(`/actions/${linkOf(p[0].id).token}`);
    expect(view.body).toMatchObject({ kind: 'ballot', status: 'pending', constituency: { name: 'North', seats: 1 } });
    expect(view.body.candidates.map((c: { id: string }) => c.id).sort()).toEqual([...north].sort());
    expect(view.body.candidates.find((c: { id: string }) => c.id === north[0]).conflictOfInterest).toBe('Director of a local pharmacy');
    // the South ballot names the candidate nominated again, never the withdrawn nomination
    const southView = await anonymous.get(`/actions/${linkOf(p[3].id).token}`);
    expect(southView.body.candidates.map((c: { id: string }) => c.id).sort()).toEqual([...south].sort());

    // a South candidate on a North ballot would be spoilt: refused before it is cast
    const spoilt = await anonymous.post(`/actions/${linkOf(p[0].id).token}/ballot`, { preferences: [south[0]] });
    expect(spoilt.status).toBe(422);
    expect(spoilt.body.error.code).toBe('INVALID_BALLOT');

    const cast = async (practiceId: string, preferences: string[]) => {
      const res = await anonymous.post(`/actions/${linkOf(practiceId).token}/ballot`, { preferences });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body;
    };
    const r0 = await cast(p[0].id, [north[0], north[1]]);
    await cast(p[1].id, [north[1], north[0]]);
    await cast(p[2].id, [north[2], north[1]]);
    const again = await anonymous.post(`/actions/${linkOf(p[0].id).token}/ballot`, { preferences: [north[1]] });
    expect(again.body.error.code).toBe('ALREADY_VOTED');
    await cast(p[3].id, [south[0]]);
    await cast(p[4].id, [south[0], south[1]]);

    // everyone has voted: the ballot closes early and the count runs
    const counted = await eventually(async () => {
      const res = await api.get(`/elections/${election.id}`);
      return res.body.phase === 'counted' ? res.body : null;
    }, 'the count');
    const northResult = counted.constituencies.find((c: { name: string }) => c.name === 'North').result;
    expect(northResult.elected).toHaveLength(1);
    expect(northResult.count.quota).toBe(2);
    // three-way tie on first preferences: an exclusion by the seeded lot, then a transfer
    expect(northResult.count.tieBreaks.length).toBeGreaterThan(0);
    expect(northResult.count.seed).toBe(election.id);
    expect(northResult.count.rounds.some((r: { action: string }) => r.action === 'exclude')).toBe(true);
    // and the same count in words for the pages: names, not ids, and the tie said as one
    expect(northResult.words.elected).toEqual([northResult.elected[0].name]);
    expect(northResult.words.rounds.some((r: { heading: string }) => r.heading.includes('excluded'))).toBe(true);
    expect(northResult.words.ties.join(' ')).toContain('settled by lot');
    for (const id of north) expect(JSON.stringify(northResult.words)).not.toContain(id);
    const southResult = counted.constituencies.find((c: { name: string }) => c.name === 'South').result;
    expect(southResult.elected.map((e: { id: string }) => e.id)).toEqual([south[0]]);

    expect(counted.appointments).toHaveLength(2);
    const appointment = counted.appointments[0];
    const start = new Date(`${appointment.startsOn}T00:00:00Z`);
    start.setUTCMonth(start.getUTCMonth() + 24);
    expect(appointment.endsOn).toBe(start.toISOString().slice(0, 10));
    const rows = await stack.db('appointments').where({ election_id: election.id });
    expect(rows.every((r) => r.method === 'elected' && r.office === 'Board member')).toBe(true);

    // the result certificate: candidates by name, the count in words, the tie and how the lot broke it
    const withCertificate = await eventually(async () => {
      const res = await api.get(`/elections/${election.id}`);
      return res.body.certificate ? res.body : null;
    }, 'the election result certificate');
    const certificate = await api.get(`/documents/${withCertificate.certificate.documentId}/pdf`);
    const text = pdfText(certificate.body as Buffer).replace(/\s+/g, ' ');
    expect(text).toContain('Election Result: Shadow board 2027');
    const nameOf = (id: string) =>
      counted.constituencies.flatMap((c: { candidates: { id: string; name: string }[] }) => c.candidates).find((c: { id: string }) => c.id === id).name;
    expect(text).toContain(`Elected: ${nameOf(northResult.elected[0].id)}`);
    expect(text).toContain('settled by lot');
    expect(text).toContain(`excluded`);
    expect(text).toContain(election.id);
    for (const id of [...north, ...south]) expect(text.replace(election.id, '')).not.toContain(id);
    const meta = await api.get(`/documents/${withCertificate.certificate.documentId}`);
    expect(meta.body).toMatchObject({ type: 'election-result', networkId: network.id, version: 1 });

    const receipt = await anonymous.get(`/elections/${election.id}/receipts/${r0.receiptCode}`);
    expect(receipt.body).toMatchObject({ counted: true, phase: 'counted' });
    // ballots carry no voter; turnout carries no preferences
    const ballotRows = await stack.db('election_ballots').where({ election_id: election.id });
    expect(ballotRows).toHaveLength(5);
    expect(Object.keys(ballotRows[0])).not.toContain('voter_id');

    // the election's recorded history replays on today's code
    expect(await replayAllHistories(injectedTemporalAddress(), stack.taskQueue)).toContain('electionWorkflow');
  });
});
