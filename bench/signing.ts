/**
 * `npm run bench -- signing [--db sqlite|postgres] [--workers K] [--sources]`: 200 concurrent signers
 * through the HTTP API. By default against the embedded stack (bin/start: Temporal dev server +
 * SQLite, server and worker in one process); with `--db postgres`, against docker-compose's shape
 * as the national bench runs it (one HTTP server and K worker processes from the production build,
 * PostgreSQL, a Temporal server). Prints p50/p99 latency of the sign action and the error count,
 * where the time went (the round's history: events, workflow tasks, signature writes; CPU used by
 * each process during the burst), and writes all of it to bench/out/signing.json. Every message is
 * delivered over SMTP to the bench's mail server, and each signer's link is read from their own mail.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { historyBreakdown } from './history-breakdown';
import { productionBuild } from './national';
import { linksDelivered, startMailSink, type MailSink } from './national-mail';
import { cpuNow, startStack } from './national-stack';
import { cpuBetween, treeCpuMs } from './process-cpu';
import { apiClient, eventually, tokenFromLink } from '../test/support/api';
import { embeddedStartEnv, spawnBin } from '../test/support/processes';

const SIGNERS = 200;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

interface SigningOptions {
  db: 'sqlite' | 'postgres';
  workers: number;
  sources: boolean;
}

function parseOptions(args: readonly string[]): SigningOptions {
  const opts: SigningOptions = { db: 'sqlite', workers: 1, sources: false };
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--db' && (args[i + 1] === 'sqlite' || args[i + 1] === 'postgres')) opts.db = args[++i] as SigningOptions['db'];
    else if (args[i] === '--workers') opts.workers = Math.max(1, Number.parseInt(args[++i], 10) || 1);
    else if (args[i] === '--sources') opts.sources = true;
  }
  return opts;
}

/** The stack signed against: where it answers, and the CPU its processes have used (ms, by role). */
interface SigningStack {
  baseUrl: string;
  token: string;
  temporalAddress: string;
  /** where the stack's mail went */
  mail: MailSink;
  cpuMs(): Record<string, number>;
  stop(): Promise<void>;
}

async function startSigningStack(opts: SigningOptions): Promise<SigningStack> {
  if (opts.db === 'postgres') {
    const stack = await startStack({ db: 'postgres', workers: opts.workers, build: opts.sources ? undefined : productionBuild(), mail: true });
    return {
      baseUrl: stack.baseUrl,
      token: stack.token,
      temporalAddress: stack.temporalAddress,
      mail: stack.mail!,
      cpuMs: () => Object.fromEntries(Object.entries(cpuNow(stack)).map(([role, s]) => [role, s * 1000])),
      stop: () => stack.stop(),
    };
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'formwork-bench-'));
  const { port, temporalPort, token, env } = await embeddedStartEnv(dataDir);
  const mail = await startMailSink();
  const stack = spawnBin('start.ts', { ...env, SMTP_URL: mail.url });
  try {
    await stack.waitFor(/Formwork is running/);
  } catch (err) {
    await stack.stop();
    await mail.stop();
    throw err;
  }
  return {
    baseUrl: `http://localhost:${port}`,
    token,
    temporalAddress: `127.0.0.1:${temporalPort}`,
    mail,
    cpuMs: () => treeCpuMs(stack.child.pid!),
    stop: async () => {
      await stack.stop();
      await mail.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function benchSigning(args: readonly string[] = []): Promise<{ errors: number }> {
  const opts = parseOptions(args);
  console.log(
    `signing: ${SIGNERS} signers at once, ${opts.db === 'sqlite' ? 'the embedded stack (SQLite, server and worker in one process)' : `PostgreSQL, one server and ${opts.workers} worker(s)${opts.sources ? ' (sources)' : ''}`}`,
  );
  const stack = await startSigningStack(opts);
  try {
    const { baseUrl, token } = stack;
    const api = apiClient(baseUrl, token);
    const programme = await api.post('/programmes', { name: 'Bench programme', sponsor: 'Bench', footprint: { minListSize: 1, maxListSize: 10_000_000 } });
    const wave = await api.post(`/programmes/${programme.body.id}/waves`, { number: 1, panelDate: '2027-01-15' });
    const practices = Array.from({ length: SIGNERS }, (_, i) => ({
      name: `Bench Practice ${i + 1}`,
      odsCode: `B${String(i + 1).padStart(5, '0')}`,
      listSize: 4000 + i,
      people: [{ name: `Dr Signer ${i + 1}`, email: `signer${i + 1}@example.org`, roles: ['partner'] }],
    }));
    const network = await api.post('/networks', { programmeId: programme.body.id, waveId: wave.body.id, name: 'Bench Network', practices });
    if (network.status !== 201) throw new Error(`could not create the network: ${JSON.stringify(network.body)}`);
    await api.post(`/networks/${network.body.id}/formation`);
    await eventually(
      async () => (await api.get(`/networks/${network.body.id}/formation`)).body.stages?.[0]?.status === 'drafting',
      'first stage drafting',
      60_000,
    );
    const issued = await api.post(`/networks/${network.body.id}/stages/panel-presentation/issue`);
    if (issued.status !== 202) throw new Error(`could not issue: ${JSON.stringify(issued.body)}`);
    const signers = practices.map((p) => p.people[0]);
    const requests = await linksDelivered(
      stack.mail,
      signers.map((p) => p.email),
      'sign requests',
    );

    const anonymous = apiClient(baseUrl);
    const latencies: number[] = [];
    let errors = 0;
    const cpuBefore = stack.cpuMs();
    const started = performance.now();
    await Promise.all(
      requests.map(async (request, i) => {
        const t0 = performance.now();
        const res = await anonymous.post(`/actions/${tokenFromLink(request.link)}/sign`, { typedName: signers[i].name, consent: true }).catch(() => null);
        latencies.push(performance.now() - t0);
        if (!res || res.status !== 200) errors += 1;
      }),
    );
    const wallMs = performance.now() - started;
    const cpuMs = cpuBetween(cpuBefore, stack.cpuMs());
    const sorted = [...latencies].sort((a, b) => a - b);
    const history = await roundHistory(stack.temporalAddress);
    const result = {
      stack: opts,
      signers: SIGNERS,
      p50Ms: Math.round(percentile(sorted, 50)),
      p99Ms: Math.round(percentile(sorted, 99)),
      maxMs: Math.round(sorted.at(-1) ?? 0),
      errors,
      wallMs: Math.round(wallMs),
      cpuMs,
      history,
    };
    fs.mkdirSync(path.join(__dirname, 'out'), { recursive: true });
    fs.writeFileSync(path.join(__dirname, 'out', 'signing.json'), JSON.stringify(result, null, 2));
    console.log(
      `sign action, ${SIGNERS} concurrent signers: p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, max ${result.maxMs} ms, errors ${errors}, all done in ${result.wallMs} ms`,
    );
    const writes = (history.activities.recordSignature?.ran.count ?? 0) + (history.markers.core_local_activity ?? 0);
    console.log(
      `round history: ${history.events} events (${(history.events / SIGNERS).toFixed(1)} per signer), ${history.workflowTasks.count} workflow tasks (held p50 ${history.workflowTasks.p50Ms} ms, max ${history.workflowTasks.maxMs} ms), ${writes} signature writes`,
    );
    console.log(
      `CPU during the burst: ${Object.entries(cpuMs)
        .map(([k, v]) => `${k} ${v} ms`)
        .join(', ')}`,
    );
    return { errors };
  } finally {
    await stack.stop();
  }
}

/** The finished round's history, read straight from Temporal (types and times only). */
async function roundHistory(address: string) {
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({ connection });
    const ids: string[] = [];
    for await (const w of client.workflow.list({ query: "WorkflowType = 'signoffWorkflow'" })) ids.push(w.workflowId);
    if (ids.length !== 1) throw new Error(`expected one signing round, found ${ids.length}`);
    const handle = client.workflow.getHandle(ids[0]);
    await eventually(async () => ((await handle.describe()).status.name === 'RUNNING' ? null : true), 'round closed', 120_000);
    const history = await handle.fetchHistory();
    return historyBreakdown(history.events ?? []);
  } finally {
    await connection.close();
  }
}
