/**
 * `npm run bench -- votes` (with bench/votes-domain.ts): motions and elections end to end through the
 * HTTP API against the embedded stack (bin/start: Temporal dev server + SQLite).
 *
 *  (a) Medway's weighted vote: 61 practices with list sizes, an `allocation` motion (the default
 *      dual majority: practices and list size); every ballot cast at once through the action links;
 *      the vote closes early when everyone has voted.
 *  (b) A Nene-style board election: 76 practices in four localities (2 seats each, 3 for the largest),
 *      STV; candidates nominated over the API, nominations closed over the API, ballots ranked by a
 *      seeded generator and cast at once (one practice per locality abstains), the ballot closed over
 *      the API and the count awaited.
 *
 * Every message is delivered over SMTP to the bench's mail server, and each practice's ballot link is
 * read from its partner's own mail. Prints setup time, p50/p99 latency of the ballot request with the
 * error count, and the time from close (or last ballot) to result; writes bench/out/votes.json.
 * Throws only if a result is missing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { apiClient, type ApiClient, tokenFromLink } from '../test/support/api';
import { embeddedStartEnv, spawnBin } from '../test/support/processes';
import { linksDelivered, startMailSink, type MailSink } from './national-mail';
import { seededRandom } from './seeded-random';

const MEDWAY_PRACTICES = 61;
const LOCALITIES = [
  { name: 'North', practices: 16, seats: 2, candidates: 6 },
  { name: 'South', practices: 18, seats: 2, candidates: 7 },
  { name: 'East', practices: 17, seats: 2, candidates: 6 },
  { name: 'Town', practices: 25, seats: 3, candidates: 9 },
];

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function inSeconds(seconds: number): string {
  return new Date(Date.now() + seconds * 1000).toISOString();
}

/** Polls every 50 ms (finer than the test helper, since the time to the result is what is measured). */
async function poll<T>(check: () => Promise<T | null | undefined | false>, what: string, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => null);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Each address's ballot link, from the first message it received whose subject starts with `subject`. */
async function ballotLinks(mail: MailSink, addresses: readonly string[], subject: string): Promise<{ to: string; token: string }[]> {
  const links = await linksDelivered(mail, addresses, `${addresses.length} links "${subject}…"`, { subject, timeoutMs: 60_000 });
  return links.map(({ to, link }) => ({ to, token: tokenFromLink(link) }));
}

interface Cast {
  latencies: number[];
  errors: number;
  wallMs: number;
}

/** Sends every ballot at once; times each request. */
async function castConcurrently(baseUrl: string, ballots: { token: string; body: unknown }[]): Promise<Cast> {
  const anonymous = apiClient(baseUrl);
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  await Promise.all(
    ballots.map(async ({ token, body }) => {
      const t0 = performance.now();
      const res = await anonymous.post(`/actions/${token}/ballot`, body).catch(() => null);
      latencies.push(performance.now() - t0);
      if (!res || res.status !== 200) errors += 1;
    }),
  );
  return { latencies: latencies.sort((a, b) => a - b), errors, wallMs: performance.now() - started };
}

function summarise(cast: Cast) {
  return {
    ballots: cast.latencies.length,
    p50Ms: Math.round(percentile(cast.latencies, 50)),
    p99Ms: Math.round(percentile(cast.latencies, 99)),
    maxMs: Math.round(cast.latencies.at(-1) ?? 0),
    errors: cast.errors,
    wallMs: Math.round(cast.wallMs),
  };
}

async function createNetwork(api: ApiClient, ids: { programmeId: string; waveId: string }, name: string, practices: unknown[]) {
  const network = await api.post('/networks', { ...ids, name, practices });
  if (network.status !== 201) throw new Error(`could not create ${name}: ${JSON.stringify(network.body)}`);
  return network.body as { id: string; practices: { id: string; name: string; odsCode: string; listSize: number; people: { id: string; name: string }[] }[] };
}

/** (a) 61 practices, weighted by list size, every ballot at once; closes early when all have voted. */
async function weightedVote(api: ApiClient, mail: MailSink, baseUrl: string, ids: { programmeId: string; waveId: string }) {
  const rand = seededRandom(61);
  const t0 = performance.now();
  const practices = Array.from({ length: MEDWAY_PRACTICES }, (_, i) => ({
    name: `Medway Practice ${i + 1}`,
    odsCode: `M${String(i + 1).padStart(5, '0')}`,
    listSize: 2500 + Math.floor(rand() * 14000),
    people: [{ name: `Dr Medway ${i + 1}`, email: `medway${i + 1}@example.org`, roles: ['partner'] }],
  }));
  const network = await createNetwork(api, ids, 'Medway Network', practices);
  const title = 'Share the development fund by list size';
  const motion = await api.post(`/networks/${network.id}/motions`, {
    title,
    text: 'That the fund is shared among member practices.',
    decisionType: 'allocation',
    closesAt: inSeconds(3600),
  });
  if (motion.status !== 201) throw new Error(`could not open the motion: ${JSON.stringify(motion.body)}`);
  const links = await ballotLinks(
    mail,
    practices.map((p) => p.people[0].email),
    `Vote: ${title}`,
  );
  const setupMs = performance.now() - t0;

  // each practice's choice is seeded by its place in the list (the links come in the same order)
  const choices = practices.map(() => {
    const r = rand();
    return r < 0.62 ? 'for' : r < 0.92 ? 'against' : 'abstain';
  });
  const ballots = links.map(({ token }, i) => ({ token, body: { choice: choices[i] } }));
  const cast = await castConcurrently(baseUrl, ballots);
  const lastAck = performance.now();
  const closed = await poll(
    async () => {
      const res = await api.get(`/motions/${motion.body.id}`);
      return res.body.status === 'closed' && res.body.certificate ? res.body : null;
    },
    'the motion to close',
    120_000,
  );
  const closeToResultMs = performance.now() - lastAck;
  if (!closed.result) throw new Error(`the motion closed with no result: ${JSON.stringify(closed)}`);
  const perBasis = (closed.count.perBasis as { measure: string; for: number; against: number; counted: number }[]).map((m) => ({
    measure: m.measure,
    for: m.for,
    against: m.against,
    counted: m.counted,
  }));
  return {
    practices: MEDWAY_PRACTICES,
    decisionType: 'allocation',
    basis: closed.rule.basis as string,
    setupMs: Math.round(setupMs),
    cast: summarise(cast),
    closeToResultMs: Math.round(closeToResultMs),
    turnout: closed.turnout.voted as number,
    result: closed.result as string,
    perBasis,
  };
}

/** (b) 76 practices in four localities, STV; nominations and the ballot closed over the API. */
async function stvElection(api: ApiClient, mail: MailSink, baseUrl: string, ids: { programmeId: string; waveId: string }) {
  const rand = seededRandom(76);
  const t0 = performance.now();
  const practices = LOCALITIES.flatMap((loc) =>
    Array.from({ length: loc.practices }, (_, i) => ({
      name: `Nene ${loc.name} Practice ${i + 1}`,
      odsCode: `N${loc.name[0]}${String(i + 1).padStart(4, '0')}`,
      listSize: 3000 + Math.floor(rand() * 12000),
      people: [{ name: `Dr ${loc.name} ${i + 1}`, email: `nene-${loc.name.toLowerCase()}-${i + 1}@example.org`, roles: ['partner'] }],
    })),
  );
  const network = await createNetwork(api, ids, 'Nene Network', practices);
  const byLocality = LOCALITIES.map((loc) => network.practices.filter((p) => p.odsCode.startsWith(`N${loc.name[0]}`)));
  const title = 'Shadow board 2027 (bench)';
  const created = await api.post(`/networks/${network.id}/elections`, {
    title,
    method: 'stv',
    constituencies: LOCALITIES.map((loc, k) => ({ name: loc.name, seats: loc.seats, practiceIds: byLocality[k].map((p) => p.id) })),
    nominationsCloseAt: inSeconds(3600),
    ballotCloseAt: inSeconds(7200),
  });
  if (created.status !== 201) throw new Error(`could not open the election: ${JSON.stringify(created.body)}`);
  const electionId = created.body.id as string;

  const tNominations = performance.now();
  const nominations = await Promise.all(
    LOCALITIES.flatMap((loc, k) =>
      byLocality[k]
        .slice(0, loc.candidates)
        .map((p) =>
          api.post(`/elections/${electionId}/candidates`, { personId: p.people[0].id, constituency: loc.name, statement: `I will serve ${loc.name} well.` }),
        ),
    ),
  );
  const refused = nominations.filter((n) => n.status !== 201);
  if (refused.length) throw new Error(`${refused.length} nominations refused: ${JSON.stringify(refused[0].body)}`);
  const nominationsMs = performance.now() - tNominations;

  const opened = await api.post(`/elections/${electionId}/close`);
  if (opened.status !== 200 || opened.body.phase !== 'ballot') throw new Error(`the ballot did not open: ${JSON.stringify(opened.body)}`);
  const links = await ballotLinks(
    mail,
    practices.map((p) => p.people[0].email),
    `Election ballot: ${title} (`,
  );
  const anonymous = apiClient(baseUrl);
  const views = await Promise.all(
    links.map(async ({ token }) => {
      const view = await anonymous.get(`/actions/${token}`);
      if (view.status !== 200) throw new Error(`could not read a ballot link: ${JSON.stringify(view.body)}`);
      return {
        token,
        practiceId: view.body.practice.id as string,
        constituency: view.body.constituency.name as string,
        candidates: (view.body.candidates as { id: string }[]).map((c) => c.id),
      };
    }),
  );
  const setupMs = performance.now() - t0;

  // each candidate has a seeded popularity; a ballot ranks some of its locality's candidates by popularity × chance,
  // drawn in the network's practice order so that every run casts the same ballots
  const popularity = new Map(nominations.map((n) => [n.body.id as string, 0.2 + rand()]));
  const order = new Map(network.practices.map((p, i) => [p.id, i]));
  // the last practice of each locality does not vote, so the ballot is closed over the API
  const abstaining = new Set(byLocality.map((ps) => ps.at(-1)!.id));
  const ballots = views
    .filter((v) => !abstaining.has(v.practiceId))
    .sort((a, b) => order.get(a.practiceId)! - order.get(b.practiceId)!)
    .map((v) => {
      const ranked = [...popularity.keys()]
        .filter((id) => v.candidates.includes(id))
        .map((id) => ({ id, key: popularity.get(id)! * rand() }))
        .sort((a, b) => b.key - a.key);
      return { token: v.token, body: { preferences: ranked.slice(0, 1 + Math.floor(rand() * ranked.length)).map((x) => x.id) } };
    });
  const cast = await castConcurrently(baseUrl, ballots);

  const tClose = performance.now();
  const closing = await api.post(`/elections/${electionId}/close`);
  if (closing.status !== 200) throw new Error(`could not close the ballot: ${JSON.stringify(closing.body)}`);
  const counted = await poll(
    async () => {
      const res = await api.get(`/elections/${electionId}`);
      return res.body.phase === 'counted' ? res.body : null;
    },
    'the count',
    120_000,
  );
  const closeToResultMs = performance.now() - tClose;

  const constituencies = (
    counted.constituencies as {
      name: string;
      seats: number;
      result: { ballots: number; elected: { name: string }[]; count: { quota: number; rounds: unknown[] } } | null;
    }[]
  ).map((c) => {
    if (!c.result) throw new Error(`no count for ${c.name}`);
    return {
      name: c.name,
      seats: c.seats,
      ballots: c.result.ballots,
      quota: c.result.count.quota,
      steps: c.result.count.rounds.length,
      elected: c.result.elected.map((e) => e.name),
    };
  });
  return {
    practices: network.practices.length,
    method: 'stv',
    candidates: nominations.length,
    seats: LOCALITIES.reduce((n, l) => n + l.seats, 0),
    setupMs: Math.round(setupMs),
    nominationsMs: Math.round(nominationsMs),
    cast: summarise(cast),
    closeToResultMs: Math.round(closeToResultMs),
    turnout: counted.turnout.voted as number,
    appointments: (counted.appointments as unknown[]).length,
    constituencies,
  };
}

export async function benchVotes(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'formwork-bench-votes-'));
  const { port, token, env } = await embeddedStartEnv(dataDir);
  const mail = await startMailSink();
  const t0 = performance.now();
  const stack = spawnBin('start.ts', { ...env, SMTP_URL: mail.url });
  try {
    await stack.waitFor(/Formwork is running/);
    const stackStartMs = Math.round(performance.now() - t0);
    const baseUrl = `http://localhost:${port}`;
    const api = apiClient(baseUrl, token);
    const programme = await api.post('/programmes', {
      name: 'Votes bench programme',
      sponsor: 'Bench',
      footprint: { minListSize: 1, maxListSize: 10_000_000 },
    });
    const wave = await api.post(`/programmes/${programme.body.id}/waves`, { number: 1, panelDate: '2027-01-15' });
    if (programme.status !== 201 || wave.status !== 201) throw new Error(`could not create the programme: ${JSON.stringify([programme.body, wave.body])}`);
    const ids = { programmeId: programme.body.id as string, waveId: wave.body.id as string };

    const vote = await weightedVote(api, mail, baseUrl, ids);
    const election = await stvElection(api, mail, baseUrl, ids);

    const result = { stackStartMs, weightedVote: vote, election };
    fs.mkdirSync(path.join(__dirname, 'out'), { recursive: true });
    fs.writeFileSync(path.join(__dirname, 'out', 'votes.json'), JSON.stringify(result, null, 2));

    const line = (c: ReturnType<typeof summarise>) => `p50 ${c.p50Ms} ms, p99 ${c.p99Ms} ms, max ${c.maxMs} ms, errors ${c.errors}, all in ${c.wallMs} ms`;
    console.log(`embedded stack started in ${stackStartMs} ms`);
    console.log(`weighted vote, ${vote.practices} practices (${vote.decisionType}, basis ${vote.basis}):`);
    console.log(`  setup (network, motion, ballot links out)       ${vote.setupMs} ms`);
    console.log(`  ballot request, ${vote.cast.ballots} at once                      ${line(vote.cast)}`);
    console.log(`  last ballot to result + certificate             ${vote.closeToResultMs} ms`);
    console.log(
      `  ${vote.result}; turnout ${vote.turnout}/${vote.practices}; ${vote.perBasis.map((m) => `${m.measure} ${m.for} for / ${m.against} against`).join('; ')}`,
    );
    console.log(
      `STV election, ${election.practices} practices in ${election.constituencies.length} localities (${election.seats} seats, ${election.candidates} candidates):`,
    );
    console.log(
      `  setup (network, election, nominations, ballot links out)  ${election.setupMs} ms (of which ${election.candidates} nominations ${election.nominationsMs} ms)`,
    );
    console.log(`  ballot request, ${election.cast.ballots} at once                                ${line(election.cast)}`);
    console.log(`  close of the ballot to the count                          ${election.closeToResultMs} ms`);
    for (const c of election.constituencies)
      console.log(`  ${c.name}: ${c.ballots} ballots, quota ${c.quota}, ${c.steps} steps, elected ${c.elected.join(', ')}`);
  } finally {
    await stack.stop();
    await mail.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchVotes().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
