/**
 * A throwaway PostgreSQL cluster for tests: initdb into a temp dir, start on a free loopback port
 * with its unix socket inside that dir, create `formwork_test`, and delete everything on stop().
 *
 * PostgreSQL refuses to run as root, so under root the server runs as the `postgres` system user
 * (or `nobody`) and the temp dir is handed to that user.
 *
 * CLI: `tsx scripts/test-postgres.ts` prints the URL and keeps the cluster until Ctrl-C.
 */
import { spawn, spawnSync, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { findFreePort } from './temporal-dev-server';

export interface TestPostgres {
  /** postgres://postgres@127.0.0.1:<port>/formwork_test (trust auth, no password). */
  url: string;
  /** Stops the server immediately and removes its data directory. Safe to call more than once. */
  stop(): Promise<void>;
}

const DATABASE = 'formwork_test';
const SUPERUSER = 'postgres';
const START_ATTEMPTS = 3; // a free port can be taken by someone else before postgres binds it
const COMMAND_TIMEOUT_MS = 120_000;

/** Directory holding initdb and pg_ctl: PG_BIN, else the newest /usr/lib/postgresql/<v>/bin, else PATH. */
export function findPostgresBin(): string {
  const has = (dir: string) => ['initdb', 'pg_ctl'].every((b) => fs.existsSync(path.join(dir, b)));
  const fromEnv = process.env.PG_BIN;
  if (fromEnv) {
    if (!has(fromEnv)) throw new Error(`PG_BIN=${fromEnv} does not contain initdb and pg_ctl.`);
    return fromEnv;
  }
  const debianRoot = '/usr/lib/postgresql';
  if (fs.existsSync(debianRoot)) {
    const versions = fs
      .readdirSync(debianRoot)
      .filter((v) => /^\d+(\.\d+)?$/.test(v) && has(path.join(debianRoot, v, 'bin')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length) return path.join(debianRoot, versions[0], 'bin');
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && has(dir)) return dir;
  }
  throw new Error(
    'PostgreSQL server binaries (initdb, pg_ctl) not found. Install them (Debian: apt-get install -y postgresql-15) ' +
      'or set PG_BIN to the directory that contains them.',
  );
}

interface RunAs {
  uid: number;
  gid: number;
  name: string;
}

/** Under root, the unprivileged account to run PostgreSQL as; null when we are not root. */
function unprivilegedUser(): RunAs | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  const passwd = fs.readFileSync('/etc/passwd', 'utf8').split('\n');
  for (const name of ['postgres', 'nobody']) {
    const entry = passwd.find((line) => line.startsWith(`${name}:`));
    if (!entry) continue;
    const [, , uid, gid] = entry.split(':');
    return { name, uid: Number(uid), gid: Number(gid) };
  }
  throw new Error('Running as root and neither a `postgres` nor a `nobody` user exists to run PostgreSQL as.');
}

function runOrThrow(cmd: string, args: string[], runAs: RunAs | null, cwd: string, logFile?: string): void {
  // Node drops to the given uid/gid (and clears supplementary groups) itself; no runuser/su needed.
  const opts: SpawnOptions = { cwd, timeout: COMMAND_TIMEOUT_MS, env: { ...process.env, LC_ALL: 'C' } };
  if (runAs) Object.assign(opts, { uid: runAs.uid, gid: runAs.gid });
  const res = spawnSync(cmd, args, { ...opts, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (res.status === 0) return;
  const output = `${res.stdout ?? ''}${res.stderr ?? ''}`;
  const serverLog = logFile && fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
  const tail = (output + '\n' + serverLog).trim().split('\n').slice(-20).join('\n');
  throw new Error(
    `\`${path.basename(cmd)} ${args.join(' ')}\` failed (${res.error?.message ?? `exit ${res.status ?? res.signal}`})` +
      `${runAs ? ` as user ${runAs.name}` : ''}:\n${tail}`,
  );
}

async function createDatabase(port: number, statementStats: boolean): Promise<void> {
  const client = new Client({ host: '127.0.0.1', port, user: SUPERUSER, database: 'postgres' });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
  if (!statementStats) return;
  const inDatabase = new Client({ host: '127.0.0.1', port, user: SUPERUSER, database: DATABASE });
  await inDatabase.connect();
  try {
    await inDatabase.query('CREATE EXTENSION pg_stat_statements');
  } finally {
    await inDatabase.end();
  }
}

/**
 * Creates, starts and returns a private PostgreSQL cluster with an empty `formwork_test` database.
 * `statementStats` loads pg_stat_statements (the bench counts statements with it).
 */
export async function startTestPostgres(opts: { statementStats?: boolean } = {}): Promise<TestPostgres> {
  const bin = findPostgresBin();
  const runAs = unprivilegedUser();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'formwork-pg-'));
  const dataDir = path.join(dir, 'data');
  const socketDir = path.join(dir, 'socket');
  const logFile = path.join(dir, 'postgres.log');
  fs.mkdirSync(socketDir);
  if (runAs) {
    for (const p of [dir, socketDir]) fs.chownSync(p, runAs.uid, runAs.gid);
  }

  const pgCtl = path.join(bin, 'pg_ctl');
  let started = false;
  const stopNow = () => {
    if (started) {
      spawnSync(pgCtl, ['-D', dataDir, 'stop', '-m', 'immediate', '-w'], {
        stdio: 'ignore',
        timeout: 30_000,
        ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
      });
      started = false;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  // A crashed test run must not leave a postmaster (pg_ctl daemonises it) and its files behind.
  process.once('exit', stopNow);

  try {
    runOrThrow(path.join(bin, 'initdb'), ['-D', dataDir, '-A', 'trust', '-U', SUPERUSER, '-E', 'UTF8', '--locale=C', '--no-sync'], runAs, dir);

    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await findFreePort();
      // Durability settings off: this cluster lives for one test run.
      const serverOpts = [
        `-p ${port}`,
        `-k ${socketDir}`,
        '-c listen_addresses=127.0.0.1',
        '-c fsync=off',
        '-c synchronous_commit=off',
        '-c full_page_writes=off',
        ...(opts.statementStats ? ['-c shared_preload_libraries=pg_stat_statements', '-c pg_stat_statements.track=all'] : []),
      ].join(' ');
      try {
        runOrThrow(pgCtl, ['-D', dataDir, '-l', logFile, '-w', '-t', '60', '-o', serverOpts, 'start'], runAs, dir, logFile);
        started = true;
        break;
      } catch (err) {
        // pg_ctl may report failure while a half-started postmaster lingers; make sure it is gone.
        spawnSync(pgCtl, ['-D', dataDir, 'stop', '-m', 'immediate'], {
          stdio: 'ignore',
          timeout: 30_000,
          ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
        });
        if (attempt >= START_ATTEMPTS) throw err;
      }
    }

    await createDatabase(port, opts.statementStats ?? false);
    const url = `postgres://${SUPERUSER}@127.0.0.1:${port}/${DATABASE}`;
    let stopped = false;
    return {
      url,
      async stop() {
        if (stopped) return;
        stopped = true;
        process.removeListener('exit', stopNow);
        await new Promise<void>((resolve) => {
          const child = spawn(pgCtl, ['-D', dataDir, 'stop', '-m', 'immediate', '-w'], {
            stdio: 'ignore',
            ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
          });
          child.once('exit', () => resolve());
          child.once('error', () => resolve());
        });
        started = false;
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    process.removeListener('exit', stopNow);
    stopNow();
    throw err;
  }
}

async function main(): Promise<void> {
  const pg = await startTestPostgres();
  console.log(pg.url);
  console.error('PostgreSQL is running; press Ctrl-C to stop it and delete its data.');
  // Signal listeners alone do not keep Node running; this timer does, until a signal arrives.
  const keepAlive = setInterval(() => undefined, 60_000);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  clearInterval(keepAlive);
  await pg.stop();
  console.error('Stopped and removed.');
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
