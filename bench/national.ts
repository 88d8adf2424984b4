/**
 * `npm run bench -- national [--networks N] [--db sqlite|postgres] [--workers K] [--concurrency C] [--by-vote] [--sources]`:
 * a national wave. A programme of three waves and N networks of 4–8 practices (list sizes as in
 * 2019, when about 6,800 practices formed about 1,250 networks) goes through all six formation stages
 * by the public API, with up to C networks in flight at once. It runs a quarter of N first and then N
 * on the same stack, and writes bench/out/national.json: counts, errors, wall time, growth (cost per
 * network at N over cost per network at N/4), programme readiness and signing latency percentiles,
 * peak memory of each process, and Temporal history events per network.
 *
 * The stack is docker-compose.yml's shape: one Temporal server, one HTTP server, K workers on one
 * task queue, and PostgreSQL (a throwaway cluster) or one SQLite file. Its processes run the
 * production build, made first into bench/out/build as the Docker image makes it (`--sources` runs
 * the TypeScript sources under tsx instead, as `npm run server` does).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Api, emptyMetrics, type Metrics } from './national-api';
import { NetworkDriver, PANEL_CRITERIA, type ProgrammeContext } from './national-driver';
import { explainReadPaths, type ExplainReport } from './national-explain';
import { resetStatements, statementReport, type StatementReport } from './national-statements';
import { historyEvents, type HistoryEvents } from './national-histories';
import { FOOTPRINT, growth, inPool, percentile, planNetworks } from './national-plan';
import { cpuNow, cpuPerNetwork, sampleUsage, startStack, type BenchStack } from './national-stack';

const WAVES = 3;
/** programme readiness read this many times, one after another, once the programme is through */
const READINESS_CALLS = 40;
/** and every few seconds while it is running, as a commissioner's dashboard would */
const READINESS_EVERY_MS = 5_000;
/** networks whose Temporal histories are counted */
const HISTORY_SAMPLE = 25;

export interface NationalOptions {
  networks: number;
  db: 'sqlite' | 'postgres';
  workers: number;
  concurrency: number;
  byVote: boolean;
  /** V8 CPU profiles of the server and workers, into bench/out/profiles */
  profile: boolean;
  /** run the TypeScript sources under tsx rather than the production build */
  sources: boolean;
}

export function parseNationalArgs(argv: readonly string[]): NationalOptions {
  const value = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const int = (name: string, fallback: number, min: number) => {
    const raw = value(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number of at least ${min} (got ${raw})`);
    return n;
  };
  const db = value('db') ?? 'sqlite';
  if (db !== 'sqlite' && db !== 'postgres') throw new Error(`--db must be sqlite or postgres (got ${db})`);
  const networks = int('networks', 200, 1);
  const workers = int('workers', 1, 1);
  if (db === 'sqlite' && workers > 1) throw new Error('--workers above 1 needs --db postgres: a SQLite file belongs to one process');
  return {
    networks,
    db,
    workers,
    concurrency: int('concurrency', Math.min(networks, 48), 1),
    byVote: argv.includes('--by-vote'),
    profile: argv.includes('--profile'),
    sources: argv.includes('--sources'),
  };
}

interface PhaseResult {
  programmeId: string;
  /** a network that went through, for EXPLAIN of its read paths */
  sampleNetworkId: string | null;
  networks: number;
  practices: number;
  signatures: number;
  documents: number;
  stagesCompleted: number;
  networksCompleted: number;
  scores: number;
  ballots: number;
  conditionsClosed: number;
  errors: number;
  errorSamples: string[];
  wallMs: number;
  signP50Ms: number;
  signP99Ms: number;
  readinessP50Ms: number;
  readinessP99Ms: number;
  readinessUnderLoadP99Ms: number;
  readinessBytes: number;
  historyEventsPerNetwork: HistoryEvents;
  /** the bench's requests per network, by route */
  requestsPerNetwork: Record<string, number>;
  /** CPU seconds per network of each process (and this bench) while the phase ran, and their total */
  cpuSecondsPerNetwork: Record<string, number>;
  /** SQL statements per network while the phase ran (Postgres only) */
  sqlStatements: StatementReport | null;
}

async function setUpProgramme(api: Api, tag: string, label: string, byVote: boolean): Promise<ProgrammeContext> {
  const programme = await api.expect<{ id: string }>('create programme', 201, 'POST', '/programmes', {
    name: `National wave ${label}`,
    sponsor: 'NHS England',
    footprint: FOOTPRINT,
  });
  if (byVote) await api.expect('programme settings', 200, 'PUT', `/programmes/${programme.id}/settings`, { decideStagesByVote: true, voteWindowDays: 14 });
  const waves = [];
  const panels = [];
  for (let w = 1; w <= WAVES; w++) {
    const wave = await api.expect<{ id: string; number: number }>('create wave', 201, 'POST', `/programmes/${programme.id}/waves`, {
      number: w,
      panelDate: `2027-0${w + 2}-15`,
    });
    const members = [
      { name: `Ms Jo Reed (wave ${w})`, email: `${tag}-w${w}-jo.reed@panel.example.org`, organisation: 'NHS England region', external: false },
      { name: `Prof Sam Okafor (wave ${w})`, email: `${tag}-w${w}-sam.okafor@panel.example.org`, organisation: 'A university', external: true },
    ];
    await api.expect('set the wave panel', 200, 'PUT', `/waves/${wave.id}/panel`, { date: `2027-0${w + 2}-15`, members, criteria: PANEL_CRITERIA });
    waves.push(wave);
    panels.push(members);
  }
  return { programmeId: programme.id, waves, panels, decideStagesByVote: byVote };
}

async function runPhase(stack: BenchStack, opts: NationalOptions, size: number, tag: string, label: string): Promise<PhaseResult> {
  const metrics: Metrics = emptyMetrics();
  const api = new Api(stack.baseUrl, stack.token, metrics);
  const plan = planNetworks({ networks: size, waves: WAVES, tag, seed: size * 7919 + tag.charCodeAt(0) });
  const postgres = opts.db === 'postgres';
  const auditSeqBefore = postgres ? await resetStatements(stack.databaseUrl) : 0;
  const cpuBefore = cpuNow(stack);
  const started = performance.now();
  const programme = await setUpProgramme(api, tag, label, opts.byVote);

  // commissioners watch the dashboard while the wave runs
  const underLoad: number[] = [];
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      const read = await api.timedGet(`/programmes/${programme.programmeId}/readiness`).catch(() => null);
      if (read?.ok) underLoad.push(read.ms);
      else if (watching) api.error('programme readiness under load', read ?? 'no answer');
      await new Promise((r) => setTimeout(r, READINESS_EVERY_MS));
    }
  })();

  const mail = stack.mail;
  if (!mail) throw new Error('the national bench reads links from its mail server');
  const drivers = plan.map((network) => new NetworkDriver(api, programme, network, metrics, mail));
  let through = 0;
  const outcomes = await inPool(drivers, opts.concurrency, async (driver, i) => {
    try {
      await driver.create();
      const view = await driver.run();
      through += 1;
      if (through % Math.max(1, Math.round(size / 10)) === 0)
        process.stdout.write(`  ${label}: ${through}/${size} networks through after ${Math.round((performance.now() - started) / 1000)} s\n`);
      return { id: driver.networkId, view };
    } catch (err) {
      api.error(`network ${plan[i].name}`, (err as Error).message);
      return { id: driver.networkId, view: null };
    }
  });
  const wallMs = performance.now() - started;
  const cpuAfter = cpuNow(stack);
  watching = false;
  await watcher;
  const sqlStatements = postgres ? await statementReport(stack.databaseUrl, size, auditSeqBefore) : null;

  const reads = [];
  for (let i = 0; i < READINESS_CALLS; i++) reads.push(await api.timedGet(`/programmes/${programme.programmeId}/readiness`));
  const ok = reads.filter((r) => r.ok);
  if (ok.length !== reads.length) api.error('programme readiness', `${reads.length - ok.length} of ${reads.length} reads failed`);

  const completed = outcomes.filter((o) => o.view);
  const sample = completed.filter((_, i) => i % Math.max(1, Math.floor(completed.length / HISTORY_SAMPLE)) === 0).slice(0, HISTORY_SAMPLE);
  const histories = await historyEvents(
    stack,
    api,
    sample.map((o) => o.id!),
  );

  return {
    programmeId: programme.programmeId,
    sampleNetworkId: completed.at(-1)?.id ?? null,
    networks: size,
    practices: plan.reduce((n, p) => n + p.practices.length, 0),
    signatures: metrics.signatures,
    documents: completed.reduce((n, o) => n + o.view!.stages.reduce((m, s) => m + s.documents.length, 0), 0),
    stagesCompleted: completed.reduce((n, o) => n + o.view!.stages.filter((s) => s.status === 'completed').length, 0),
    networksCompleted: completed.filter((o) => o.view!.status === 'completed').length,
    scores: metrics.scores,
    ballots: metrics.ballots,
    conditionsClosed: metrics.conditionsClosed,
    errors: metrics.errors,
    errorSamples: metrics.errorSamples,
    wallMs: Math.round(wallMs),
    signP50Ms: Math.round(percentile(metrics.signLatenciesMs, 50)),
    signP99Ms: Math.round(percentile(metrics.signLatenciesMs, 99)),
    readinessP50Ms: Math.round(
      percentile(
        ok.map((r) => r.ms),
        50,
      ),
    ),
    readinessP99Ms: Math.round(
      percentile(
        ok.map((r) => r.ms),
        99,
      ),
    ),
    readinessUnderLoadP99Ms: Math.round(percentile(underLoad, 99)),
    readinessBytes: ok.at(-1)?.bytes ?? 0,
    historyEventsPerNetwork: histories,
    cpuSecondsPerNetwork: cpuPerNetwork(cpuBefore, cpuAfter, size),
    sqlStatements,
    requestsPerNetwork: Object.fromEntries(
      Object.entries(metrics.requests)
        .sort(([, a], [, b]) => b - a)
        .map(([route, n]) => [route, Math.round((n / size) * 10) / 10]),
    ),
  };
}

/** `npm run build` into bench/out/build: the plain JavaScript the Docker image runs. */
export function productionBuild(): string {
  const out = path.join(__dirname, 'out', 'build');
  const root = path.resolve(__dirname, '..');
  const built = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', 'build.ts'), '--out-dir', out], { cwd: root, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`the production build failed:\n${built.stdout}${built.stderr}`);
  console.log(`  ${built.stdout.trim().split('\n').at(-1)}`);
  return out;
}

export async function benchNational(argv: readonly string[] = process.argv.slice(2)): Promise<{ errors: number }> {
  const opts = parseNationalArgs(argv);
  const quarter = Math.max(1, Math.round(opts.networks / 4));
  console.log(
    `national: ${quarter} then ${opts.networks} networks, ${opts.db}, ${opts.workers} worker(s), up to ${opts.concurrency} networks in flight, stages decided by ${opts.byVote ? 'vote (where the stage has one) and signatures' : 'signatures'}`,
  );
  const profileDir = path.join(__dirname, 'out', 'profiles');
  if (opts.profile) fs.mkdirSync(profileDir, { recursive: true });
  const build = opts.sources ? undefined : productionBuild();
  const stack = await startStack({ db: opts.db, workers: opts.workers, profileDir: opts.profile ? profileDir : undefined, build, mail: true });
  const usage = sampleUsage(stack);
  const loadBefore = os.loadavg();
  let small: PhaseResult;
  let full: PhaseResult;
  let explain: ExplainReport | null = null;
  let mail = { received: 0, unreadable: 0 };
  try {
    small = await runPhase(stack, opts, quarter, 'q', `quarter (${quarter})`);
    console.log(`  quarter: ${small.networks} networks in ${(small.wallMs / 1000).toFixed(1)} s, ${small.errors} errors`);
    full = await runPhase(stack, opts, opts.networks, 'n', `full (${opts.networks})`);
    if (opts.db === 'postgres' && full.sampleNetworkId) {
      explain = await explainReadPaths({
        databaseUrl: stack.databaseUrl,
        evidenceKey: stack.evidenceKey,
        programmeId: full.programmeId,
        networkId: full.sampleNetworkId,
      });
    }
  } catch (err) {
    printOutputs(stack);
    throw err;
  } finally {
    if (small! && full! && small.errors + full.errors > 0) printOutputs(stack);
    usage.stop();
    mail = stack.mail?.counts() ?? mail;
    await stack.stop();
  }
  const peaks = usage.peaks();
  const workerPeaks = Object.entries(peaks)
    .filter(([role]) => role.includes('worker'))
    .map(([, mb]) => mb);
  const result = {
    date: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      memoryGb: Math.round(os.totalmem() / 2 ** 30),
      loadAverageBefore: loadBefore.map((l) => Math.round(l * 100) / 100),
      loadAverageAfter: os.loadavg().map((l) => Math.round(l * 100) / 100),
    },
    options: { ...opts, decidedBy: opts.byVote ? 'vote and signatures' : 'signatures' },
    networks: full.networks,
    practices: full.practices,
    signatures: full.signatures,
    documents: full.documents,
    stagesCompleted: full.stagesCompleted,
    networksCompleted: full.networksCompleted,
    scores: full.scores,
    ballots: full.ballots,
    conditionsClosed: full.conditionsClosed,
    // a delivered message the bench could not read is counted as an error
    errors: small.errors + full.errors + mail.unreadable,
    mailDelivered: mail.received,
    wallMs: full.wallMs,
    growth: Math.round(growth(small, full) * 100) / 100,
    readinessP50Ms: full.readinessP50Ms,
    readinessP99Ms: full.readinessP99Ms,
    readinessUnderLoadP99Ms: full.readinessUnderLoadP99Ms,
    readinessBytes: full.readinessBytes,
    signP50Ms: full.signP50Ms,
    signP99Ms: full.signP99Ms,
    peakRssMb: { ...peaks, workerMax: Math.max(0, ...workerPeaks) },
    cpuSeconds: { ...usage.cpuSeconds(), bench: Math.round(process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6) },
    cpuSecondsPerNetwork: full.cpuSecondsPerNetwork,
    // the driver polls while it waits, so a slower run makes more reads: compare CPU with these
    requestsPerNetwork: full.requestsPerNetwork,
    historyEventsPerNetwork: full.historyEventsPerNetwork,
    sqlStatementsPerNetwork: full.sqlStatements,
    explain: explain
      ? {
          withSeqScans: explain.withSeqScans,
          unexplained: explain.unexplained,
          slowest: [...explain.queries].sort((a, b) => b.executionMs - a.executionMs).slice(0, 5),
          seqScans: explain.queries.filter((q) => q.seqScans.length),
        }
      : null,
    quarter: small,
    errorSamples: [...small.errorSamples, ...full.errorSamples].slice(0, 20),
  };
  fs.mkdirSync(path.join(__dirname, 'out'), { recursive: true });
  fs.writeFileSync(path.join(__dirname, 'out', 'national.json'), JSON.stringify(result, null, 2));
  printTable(result);
  return { errors: result.errors };
}

/** What the server and workers logged (warnings and errors): the first place to look when a run has errors. */
function printOutputs(stack: BenchStack) {
  for (const { role } of stack.pids()) if (role !== 'temporal') console.error(`--- ${role} output (tail) ---\n${stack.output(role)}`);
}

function printTable(r: {
  networks: number;
  practices: number;
  signatures: number;
  documents: number;
  stagesCompleted: number;
  errors: number;
  mailDelivered: number;
  wallMs: number;
  growth: number;
  readinessP99Ms: number;
  readinessUnderLoadP99Ms: number;
  cpuSecondsPerNetwork: Record<string, number>;
  signP50Ms: number;
  signP99Ms: number;
  peakRssMb: Record<string, number>;
  historyEventsPerNetwork: { mean: number; max: number; sampled: number };
  sqlStatementsPerNetwork: StatementReport | null;
  quarter: PhaseResult;
  errorSamples: string[];
}) {
  const rows: [string, string][] = [
    ['networks (quarter run first)', `${r.networks} (${r.quarter.networks})`],
    ['practices', String(r.practices)],
    ['signatures', String(r.signatures)],
    ['documents', String(r.documents)],
    ['stages completed', `${r.stagesCompleted} of ${r.networks * 6}`],
    ['errors (both runs)', String(r.errors)],
    ['mail delivered over SMTP', String(r.mailDelivered)],
    ['wall time', `${(r.wallMs / 1000).toFixed(1)} s (quarter: ${(r.quarter.wallMs / 1000).toFixed(1)} s)`],
    ['growth (per network, N over N/4)', String(r.growth)],
    ['programme readiness p99', `${r.readinessP99Ms} ms after the run, ${r.readinessUnderLoadP99Ms} ms during it`],
    ['sign p50 / p99', `${r.signP50Ms} ms / ${r.signP99Ms} ms`],
    [
      'CPU s per network (at N)',
      Object.entries(r.cpuSecondsPerNetwork)
        .map(([role, s]) => `${role} ${s}`)
        .join(', '),
    ],
    [
      'peak RSS',
      Object.entries(r.peakRssMb)
        .map(([role, mb]) => `${role} ${mb} MiB`)
        .join(', '),
    ],
    [
      'Temporal history events per network',
      `${r.historyEventsPerNetwork.mean} mean, ${r.historyEventsPerNetwork.max} max (${r.historyEventsPerNetwork.sampled} sampled)`,
    ],
  ];
  if (r.sqlStatementsPerNetwork) {
    rows.push(['SQL statements per network', String(r.sqlStatementsPerNetwork.perNetwork)]);
    rows.push(['deadlocks (PostgreSQL, at N)', String(r.sqlStatementsPerNetwork.deadlocks)]);
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
  for (const sample of r.errorSamples) console.log(`  error: ${sample}`);
}
