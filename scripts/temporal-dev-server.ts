/**
 * Starts `temporal server start-dev` as a child process and waits until its frontend answers.
 *
 * Used by `bin/start` (persistent state in data/temporal.db, with UI) and by the test global setup
 * (in-memory, headless). The CLI path comes from scripts/provision-temporal.js.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';

/** The subset of a pino / console logger this module uses. */
export interface DevServerLog {
  info(msg: string): void;
  warn(msg: string): void;
  debug?(msg: string): void;
}

export interface DevServerOptions {
  /** Absolute path of the `temporal` CLI (see resolveTemporalCli). */
  cliPath: string;
  /** SQLite file for persistent state; omitted means in-memory (lost when the process exits). */
  dbFile?: string;
  /** Frontend gRPC port; a free loopback port when omitted. */
  port?: number;
  /** Web UI port; a free loopback port when omitted (ignored when headless). */
  uiPort?: number;
  /** No Web UI (tests). */
  headless?: boolean;
  /** Remote codec endpoint the Web UI decodes payloads through (`--ui-codec-endpoint`). */
  uiCodecEndpoint?: string;
  /** Extra namespace to create at launch; "default" always exists. */
  namespace?: string;
  log: DevServerLog;
  /** How long to wait for the frontend before giving up. */
  startTimeoutMs?: number;
}

export interface DevServer {
  /** host:port of the gRPC frontend, e.g. "127.0.0.1:40123". */
  address: string;
  uiUrl: string | null;
  /** SIGTERM, then SIGKILL after a grace period. Safe to call more than once. */
  stop(): Promise<void>;
  process: ChildProcess;
}

const HOST = '127.0.0.1';

/**
 * Server limits raised for Formwork's load: every signature and ballot is a workflow Update, and a
 * round or a vote can receive hundreds at once. The server's default of 10 updates in flight per
 * workflow would turn a busy vote into time-outs. (A production cluster needs the same setting.)
 */
export const DYNAMIC_CONFIG: Record<string, string> = {
  'history.maxInFlightUpdates': '1000',
  'history.maxTotalUpdates': '20000',
};

/**
 * How the dev server keeps a state file: write-ahead logging, synced at every commit (as Formwork's
 * own SQLite database, db/knex.ts). SQLite's default rollback journal creates, writes, syncs and
 * deletes a journal file around every commit (about four syncs and fifty writes each), a third of
 * the server's CPU under load; with a log the commit appends its pages and syncs once, and nothing
 * acknowledged is less durable.
 */
export const SQLITE_PRAGMAS: readonly string[] = ['journal_mode=wal', 'synchronous=full'];
const DEFAULT_START_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 10_000;
const POLL_INTERVAL_MS = 200;
const OUTPUT_LINES_KEPT = 40;

/** Ports the OS hands out for a bind to port 0 and for outgoing connections (Linux's ip_local_port_range). */
export function ephemeralPortRange(): { low: number; high: number } {
  try {
    const [low, high] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high) && low > 0 && high >= low) return { low, high };
  } catch {
    // not Linux: the IANA dynamic range, which other systems use
  }
  return { low: 49152, high: 65535 };
}

/** The lowest port findFreePort chooses: above the well-known and most registered services. */
const LOWEST_CHOSEN_PORT = 10_000;

/** Resolves whether `port` can be listened on at 127.0.0.1 now. */
function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host: HOST, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** A port the OS picks for a bind to port 0 (within the ephemeral range). */
function osPickedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen({ port: 0, host: HOST, exclusive: true }, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('could not determine a free port'))));
    });
  });
}

/**
 * A currently free TCP port on 127.0.0.1, chosen at random below the OS's ephemeral range. A port
 * the OS picked itself would be released before its user binds it, and in that moment the OS can
 * hand it to anyone binding port 0: a Temporal dev server binds five internal services that way as
 * it starts, and once took the HTTP port of the stack it was starting with. Below the range only
 * another caller choosing explicitly can take it. Falls back to the OS's choice where the range
 * leaves no room below it.
 */
export async function findFreePort(): Promise<number> {
  const ceiling = ephemeralPortRange().low - 1;
  if (ceiling - LOWEST_CHOSEN_PORT >= 1_000) {
    for (let attempt = 0; attempt < 50; attempt++) {
      const port = LOWEST_CHOSEN_PORT + crypto.randomInt(ceiling - LOWEST_CHOSEN_PORT + 1);
      if (await canListen(port)) return port;
    }
  }
  return osPickedPort();
}

/** `count` different free ports (findFreePort, drawn again when a draw repeats). */
export async function findFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await findFreePort());
  return [...ports];
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves true once something accepts TCP connections on host:port (cheap pre-check before gRPC). */
function tcpAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: HOST, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** True when the frontend serves gRPC and knows the namespace (it is registered shortly after boot). */
async function frontendReady(address: string, namespace: string): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address, connectTimeout: 2_000 });
    const conn = connection;
    await conn.withDeadline(Date.now() + 2_000, () => conn.workflowService.describeNamespace({ namespace }));
    return true;
  } catch {
    return false;
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

/** Spawns the Temporal dev server and resolves once it accepts requests for `namespace` (or "default"). */
export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  const { cliPath, dbFile, namespace, log, headless = false } = opts;
  const port = opts.port ?? (await findFreePort());
  const uiPort = headless ? null : (opts.uiPort ?? (await findFreePort()));
  const address = `${HOST}:${port}`;

  const args = ['server', 'start-dev', '--ip', HOST, '--port', String(port), '--log-level', 'warn'];
  for (const [key, value] of Object.entries(DYNAMIC_CONFIG)) args.push('--dynamic-config-value', `${key}=${value}`);
  if (dbFile) {
    fs.mkdirSync(path.dirname(path.resolve(dbFile)), { recursive: true });
    args.push('--db-filename', path.resolve(dbFile));
    for (const pragma of SQLITE_PRAGMAS) args.push('--sqlite-pragma', pragma);
  }
  if (uiPort === null) args.push('--headless');
  else {
    args.push('--ui-port', String(uiPort));
    if (opts.uiCodecEndpoint) args.push('--ui-codec-endpoint', opts.uiCodecEndpoint);
  }
  if (namespace && namespace !== 'default') args.push('--namespace', namespace);

  log.info(`Starting Temporal dev server on ${address}${dbFile ? ` (state in ${dbFile})` : ' (in memory)'}`);
  const child = spawn(cliPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });

  // Keep the tail of the output: it is the only useful thing to show when start-up fails.
  const lastLines: string[] = [];
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      lastLines.push(line);
      if (lastLines.length > OUTPUT_LINES_KEPT) lastLines.shift();
      log.debug?.(`[temporal] ${line}`);
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  let spawnError: Error | null = null;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve();
    });
    child.once('error', (err) => {
      spawnError = err;
      exited ??= { code: null, signal: null };
      resolve();
    });
  });

  // If our process goes away without calling stop(), do not leave an orphaned server behind.
  const killOnExit = () => {
    if (!exited) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      process.removeListener('exit', killOnExit);
      if (exited) return;
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const graceful = await Promise.race([
        exitPromise.then(() => true),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), STOP_GRACE_MS))),
      ]);
      clearTimeout(timer);
      if (!graceful) {
        log.warn(`Temporal dev server did not stop within ${STOP_GRACE_MS / 1000} s; killing it`);
        child.kill('SIGKILL');
        await exitPromise;
      }
    })();
    return stopping;
  };

  const timeoutMs = opts.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  const failure = (why: string) =>
    new Error(
      `Temporal dev server (${cliPath} ${args.join(' ')}) ${why}.` + (lastLines.length ? `\nLast output:\n${lastLines.join('\n')}` : ' It printed nothing.'),
    );

  const startedAt = Date.now();
  for (;;) {
    if (exited) {
      const { code, signal } = exited as { code: number | null; signal: NodeJS.Signals | null };
      process.removeListener('exit', killOnExit);
      const reason = spawnError ? `could not be started: ${(spawnError as Error).message}` : `exited during start-up (code ${code}, signal ${signal})`;
      throw failure(reason);
    }
    if (Date.now() > deadline) {
      await stop();
      throw failure(`did not accept connections on ${address} within ${timeoutMs / 1000} s`);
    }
    if ((await tcpAccepts(port)) && (await frontendReady(address, namespace ?? 'default'))) break;
    await delay(POLL_INTERVAL_MS);
  }

  const uiUrl = uiPort === null ? null : `http://${HOST}:${uiPort}`;
  log.info(`Temporal dev server ready on ${address} in ${Date.now() - startedAt} ms${uiUrl ? `; UI ${uiUrl}` : ''}`);
  return { address, uiUrl, stop, process: child };
}
