import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

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

/** Runs one of bin/ in its own process group, as a person or a supervisor would. */
export function spawnBin(script: string, env: Record<string, string>): Spawned {
  const child = spawn(TSX, [path.join(ROOT, 'bin', script)], { cwd: ROOT, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
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
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern} from ${script}; output:\n${out.slice(-3000)}`)), timeoutMs);
        waiters.push({ pattern, resolve: (line) => (clearTimeout(timer), resolve(line)) });
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`${script} exited (${code}) before printing ${pattern}; output:\n${out.slice(-3000)}`));
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
