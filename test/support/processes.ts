import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import crypto from 'node:crypto';
import path from 'node:path';
import { findFreePorts } from '../../scripts/temporal-dev-server';

const ROOT = path.resolve(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

export interface Spawned {
  child: ChildProcess;
  output(): string;
  /** resolves when a line matching `pattern` has been printed */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGKILL to the whole process group: nothing gets to clean up */
  kill9(): Promise<void>;
  /** SIGKILL to the launcher alone, leaving what it started orphaned and running */
  kill9LauncherOnly(): Promise<void>;
  stop(): Promise<void>;
}

/** Free ports, a fresh administrator token and the environment for `bin/start.ts` on the embedded default in `dataDir`. */
export async function embeddedStartEnv(dataDir: string) {
  const [port, temporalPort, uiPort] = await findFreePorts(3);
  const token = crypto.randomBytes(24).toString('base64url');
  const env = {
    DATA_DIR: dataDir,
    PORT: String(port),
    TEMPORAL_PORT: String(temporalPort),
    TEMPORAL_UI_PORT: String(uiPort),
    FORMWORK_ADMIN_TOKEN: token,
    LOG_LEVEL: 'warn',
  };
  return { port, temporalPort, uiPort, token, env };
}

/** Runs one of bin/ in its own process group, as a person or a supervisor would. */
export function spawnBin(script: string, env: Record<string, string>): Spawned {
  return spawnCommand(script, TSX, [path.join(ROOT, 'bin', script)], env);
}

/**
 * Runs any command in its own process group (so kill9 and stop reach everything it starts), from
 * the project root unless `cwd` says otherwise. An env value of undefined removes the variable.
 */
export function spawnCommand(label: string, command: string, args: string[], env: Record<string, string | undefined>, cwd = ROOT): Spawned {
  const merged: Record<string, string | undefined> = { ...process.env, ...env };
  for (const [key, value] of Object.entries(merged)) if (value === undefined) delete merged[key];
  const child = spawn(command, args, { cwd, env: merged, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const onData = (chunk: Buffer) => {
    out += chunk.toString();
    for (const w of [...waiters]) {
      const m = w.pattern.exec(out);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m[0]);
      }
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output: () => out,
    waitFor(pattern, timeoutMs = 120_000) {
      const m = pattern.exec(out);
      if (m) return Promise.resolve(m[0]);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern} from ${label}; output:\n${out.slice(-3000)}`)), timeoutMs);
        waiters.push({ pattern, resolve: (line) => (clearTimeout(timer), resolve(line)) });
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`${label} exited (${code}) before printing ${pattern}; output:\n${out.slice(-3000)}`));
        });
      });
    },
    async kill9() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
      await exited;
    },
    async kill9LauncherOnly() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      process.kill(-child.pid!, 'SIGTERM');
      const done = await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 20_000))]);
      if (!done) await this.kill9();
    },
  };
}

/** Whether a process is still there (a zombie waiting to be reaped counts as gone). */
export function processAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Every live descendant of `pid` (children, their children, …), read from /proc. */
export function descendants(pid: number): { pid: number; cmdline: string }[] {
  const parentOf = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      /* gone meanwhile */
    }
  }
  const found: { pid: number; cmdline: string }[] = [];
  const walk = (parent: number) => {
    for (const [child, ppid] of parentOf) {
      if (ppid !== parent) continue;
      let cmdline = '';
      try {
        cmdline = fs.readFileSync(`/proc/${child}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      } catch {
        /* gone meanwhile */
      }
      found.push({ pid: child, cmdline });
      walk(child);
    }
  };
  walk(pid);
  return found;
}

/** Whether nothing listens on 127.0.0.1:port (we could bind it ourselves). */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => srv.close(() => resolve(true)));
  });
}
