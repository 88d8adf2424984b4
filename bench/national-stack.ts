/**
 * The national bench's stack. On PostgreSQL it is docker-compose.yml's scale-out: one Temporal
 * server, a throwaway PostgreSQL cluster, Formwork's migrations run once, one HTTP server
 * (bin/server.ts) and K worker processes (bin/worker.ts) on one task queue. On SQLite it is the
 * embedded default (bin/start.ts: server and worker in one process, against the same kind of
 * Temporal server), because a SQLite file belongs to one process: writers in several processes
 * would refuse each other's transactions. Every process runs the production build under plain node
 * (`node --enable-source-maps dist/bin/….js`, as the Docker image does), or with `sources` the
 * TypeScript sources with tsx as a loader (as `npm run server` does); either way /proc shows one
 * process per role and its memory is that role's own.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { resolveTemporalCli } from '../scripts/provision-temporal';
import { findFreePort, startDevServer, type DevServer } from '../scripts/temporal-dev-server';
import { startTestPostgres, type TestPostgres } from '../scripts/test-postgres';
import { descendants, spawnCommand, type Spawned } from '../test/support/processes';
import { startMailSink, type MailSink } from './national-mail';

const ROOT = path.resolve(__dirname, '..');

export interface StackOptions {
  db: 'sqlite' | 'postgres';
  /** worker processes (PostgreSQL only; SQLite runs one process holding both) */
  workers: number;
  /** extra environment for the worker processes (worker tuning) */
  workerEnv?: Record<string, string>;
  /** write a V8 CPU profile of the server and each worker into this directory when they stop */
  profileDir?: string;
  /** the production build to run (`npm run build -- --out-dir <build>`); without it, the sources under tsx */
  build?: string;
  /** deliver every message over SMTP to a mail server in the bench (`mail`); without it the outbox is the only record */
  mail?: boolean;
}

export interface BenchStack {
  baseUrl: string;
  token: string;
  temporalAddress: string;
  taskQueue: string;
  /** codec keys of the stack, for a client of our own that decodes what it reads */
  codecKeys: string;
  databaseUrl: string;
  /** the audit chain's key, for repositories of our own (EXPLAIN of the read paths) */
  evidenceKey: string;
  /** pid of each role: the server, each worker, the Temporal server (and PostgreSQL's postmaster) */
  pids(): { role: string; pid: number }[];
  /** what the stack's mail delivered, when started with `mail` */
  mail: MailSink | null;
  /** the tail of a role's output, for a failure report */
  output(role: string): string;
  stop(): Promise<void>;
}

/** Starts the stack and waits until the server answers its health check. */
export async function startStack(opts: StackOptions): Promise<BenchStack> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'formwork-national-'));
  const stops: (() => Promise<void> | void)[] = [() => fs.rmSync(dir, { recursive: true, force: true })];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await Promise.resolve(stop()).catch(() => undefined);
  };
  try {
    let databaseUrl: string;
    let postmaster: number | null = null;
    if (opts.db === 'postgres') {
      const pg: TestPostgres = await startTestPostgres({ statementStats: true });
      stops.push(() => pg.stop());
      databaseUrl = pg.url;
      postmaster = postmasterPid(new URL(pg.url).port);
    } else {
      databaseUrl = `sqlite:${path.join(dir, 'formwork.db')}`;
    }

    const cli = resolveTemporalCli({ provision: true, log: () => undefined });
    const quiet = { info: () => undefined, warn: (m: string) => console.warn(m), debug: () => undefined };
    // Temporal's state in a file, as `npm start` keeps it: in memory its footprint would grow with the run
    const devServer: DevServer = await startDevServer({ cliPath: cli.path, dbFile: path.join(dir, 'temporal.db'), headless: true, log: quiet });
    stops.push(() => devServer.stop());

    const port = await findFreePort();
    const token = crypto.randomBytes(24).toString('base64url');
    const codecKeys = `k1:${crypto.randomBytes(32).toString('base64')}`;
    const taskQueue = 'formwork';
    const env: Record<string, string> = {
      DATA_DIR: path.join(dir, 'data'),
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: devServer.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      FORMWORK_ADMIN_TOKEN: token,
      FORM_SECRET: crypto.randomBytes(32).toString('hex'),
      EVIDENCE_KEY: crypto.randomBytes(32).toString('hex'),
      EVIDENCE_CHECKPOINT_DIR: path.join(dir, 'checkpoints'),
      TEMPORAL_CODEC_KEYS: codecKeys,
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
    };
    const profile = opts.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.profileDir}`] : [];
    if (opts.build) env.NODE_ENV = 'production';
    const mail = opts.mail ? await startMailSink() : null;
    if (mail) {
      stops.push(() => mail.stop());
      env.SMTP_URL = mail.url;
    }
    const build = opts.build;
    const args = (script: string) => [
      ...(script === 'migrate.ts' ? [] : profile),
      ...(build ? ['--enable-source-maps', path.join(build, 'bin', script.replace(/\.ts$/, '.js'))] : ['--import', 'tsx', path.join('bin', script)]),
    ];

    // migrations once, before anything else starts (docker-compose's `migrate` job)
    const migrated = spawnSync(process.execPath, args('migrate.ts'), { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
    if (migrated.status !== 0) throw new Error(`migrations failed:\n${migrated.stdout}${migrated.stderr}`);

    const roles: { role: string; process: Spawned }[] = [];
    stops.push(async () => {
      await Promise.all(roles.map((r) => r.process.stop()));
    });
    if (opts.db === 'sqlite') {
      roles.push({ role: 'server+worker', process: spawnCommand('server and worker', process.execPath, args('start.ts'), { ...env, ...opts.workerEnv }) });
    } else {
      roles.push({ role: 'server', process: spawnCommand('server', process.execPath, args('server.ts'), env) });
      for (let i = 1; i <= opts.workers; i++) {
        roles.push({ role: `worker${i}`, process: spawnCommand(`worker ${i}`, process.execPath, args('worker.ts'), { ...env, ...opts.workerEnv }) });
      }
    }
    // at LOG_LEVEL=warn nothing is printed on start: the server is up when its health check passes,
    // and the workers when Temporal sees each of them polling the task queue
    await waitUntil(async () => (await fetch(`${env.PUBLIC_URL}/api/v1/health`).catch(() => null))?.ok === true, 'the server', 120_000, roles);
    await waitUntil(
      async () => (await pollers(devServer.address, taskQueue)) >= (opts.db === 'sqlite' ? 1 : opts.workers),
      `${opts.workers} worker(s) polling`,
      180_000,
      roles,
    );
    return {
      baseUrl: env.PUBLIC_URL,
      token,
      temporalAddress: devServer.address,
      taskQueue,
      codecKeys,
      databaseUrl,
      evidenceKey: env.EVIDENCE_KEY,
      mail,
      pids: () => [
        ...roles.map((r) => ({ role: r.role, pid: r.process.child.pid! })),
        { role: 'temporal', pid: devServer.process.pid! },
        ...(postmaster ? [{ role: 'postgres', pid: postmaster }] : []),
      ],
      output: (role) =>
        roles
          .find((r) => r.role === role)
          ?.process.output()
          .slice(-4000) ?? '',
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs: number, roles: { role: string; process: Spawned }[]): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    const exited = roles.find((r) => r.process.child.exitCode !== null);
    if (exited) throw new Error(`${exited.role} exited during start-up:\n${exited.process.output().slice(-3000)}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** How many distinct workers poll the task queue for both workflow and activity tasks. */
async function pollers(address: string, taskQueue: string): Promise<number> {
  const connection = await Connection.connect({ address });
  try {
    const count = async (taskQueueType: temporal.api.enums.v1.TaskQueueType) => {
      const res = await connection.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, taskQueueType });
      return new Set((res.pollers ?? []).map((p) => p.identity)).size;
    };
    return Math.min(
      await count(temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW),
      await count(temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY),
    );
  } finally {
    await connection.close();
  }
}

/**
 * The postmaster of the throwaway cluster listening on `port` (pg_ctl daemonises it, so it is no
 * child of ours): its CPU, with that of its backends, is PostgreSQL's share of a run.
 */
function postmasterPid(port: string): number | null {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (/\/postgres$/.test(args[0]) && args.includes('-p') && args[args.indexOf('-p') + 1] === port) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return null;
}

function statFields(pid: number): string[] {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // fields[] starts at field 3 of stat (after the command name in parentheses)
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/**
 * Resident memory (MiB) and CPU seconds of a process, from /proc; null once it has gone. With
 * `withChildren` (PostgreSQL: a backend per connection), the CPU of its live children and of the
 * children it has reaped is counted too.
 */
export function processUsage(pid: number, withChildren = false): { rssMb: number; cpuSeconds: number } | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    const fields = statFields(pid);
    // utime and stime are fields 14 and 15 of stat, cutime and cstime (reaped children) 16 and 17
    let ticks = Number(fields[11]) + Number(fields[12]);
    if (withChildren) {
      ticks += Number(fields[13]) + Number(fields[14]);
      for (const child of descendants(pid)) {
        try {
          const f = statFields(child.pid);
          ticks += Number(f[11]) + Number(f[12]);
        } catch {
          // exited meanwhile: counted in the parent's reaped-children time once reaped
        }
      }
    }
    return { rssMb: rssKb / 1024, cpuSeconds: ticks / CLOCK_TICKS };
  } catch {
    return null;
  }
}

/** Linux's USER_HZ: 100 on every platform Node runs on with /proc. */
const CLOCK_TICKS = 100;

/** The CPU seconds each role (and this bench process) has used so far. */
export function cpuNow(stack: BenchStack): Record<string, number> {
  const out: Record<string, number> = {};
  for (const { role, pid } of stack.pids()) {
    const usage = processUsage(pid, role === 'postgres');
    if (usage) out[role] = usage.cpuSeconds;
  }
  const own = process.cpuUsage();
  out.bench = (own.user + own.system) / 1e6;
  return out;
}

/** CPU seconds per network each role used between two readings of `cpuNow`, and their total. */
export function cpuPerNetwork(before: Record<string, number>, after: Record<string, number>, networks: number): Record<string, number> {
  const out: Record<string, number> = {};
  let total = 0;
  for (const role of Object.keys(after)) {
    const s = (after[role] - (before[role] ?? 0)) / networks;
    out[role] = Math.round(s * 100) / 100;
    total += s;
  }
  out.total = Math.round(total * 100) / 100;
  return out;
}

/** Samples every role's memory each second; `peaks()` gives the highest seen and the CPU used. */
export function sampleUsage(stack: BenchStack, everyMs = 1000) {
  const peak = new Map<string, number>();
  const cpu = new Map<string, number>();
  const sample = () => {
    // PostgreSQL's memory is its shared buffers and a backend per connection, not one process's
    // peak; its CPU is read (walking its children) only at the ends of a phase, by cpuNow
    for (const { role, pid } of stack.pids()) {
      if (role === 'postgres') continue;
      const usage = processUsage(pid);
      if (!usage) continue;
      peak.set(role, Math.max(peak.get(role) ?? 0, usage.rssMb));
      cpu.set(role, usage.cpuSeconds);
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  timer.unref();
  return {
    stop: () => {
      sample();
      clearInterval(timer);
    },
    peaks: () => Object.fromEntries([...peak.entries()].map(([role, mb]) => [role, Math.round(mb)])),
    cpuSeconds: () => Object.fromEntries([...cpu.entries()].map(([role, s]) => [role, Math.round(s)])),
  };
}
