import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { embeddedStartEnv, spawnBin, type Spawned } from './processes';

/** The embedded default (`npm start`, bin/start.ts) on free ports with a fresh admin token. */
export interface EmbeddedStart {
  port: number;
  uiPort: number;
  token: string;
  baseUrl: string;
  /** where the stack keeps its state (DATA_DIR) */
  dataDir: string;
  /** starts bin/start.ts (again, after a kill) and resolves once it says it is running */
  start(): Promise<Spawned>;
  /** the process last started */
  current(): Spawned;
}

/**
 * For a crash test of `npm start`: a data directory made when the tests run (a filtered run would
 * otherwise leave it behind) and removed afterwards, with whatever was started stopped first.
 * `open()` inside a test picks the ports and the token; call `start()` to run the stack.
 */
export function useEmbeddedStart(prefix: string): { open(): Promise<EmbeddedStart> } {
  let dataDir = '';
  let running: Spawned | null = null;
  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  });
  afterAll(async () => {
    await running?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });
  return {
    async open() {
      const { port, uiPort, token, env } = await embeddedStartEnv(dataDir);
      return {
        port,
        uiPort,
        token,
        baseUrl: `http://localhost:${port}`,
        dataDir,
        async start() {
          const started = spawnBin('start.ts', env);
          running = started;
          await started.waitFor(/Formwork is running/);
          return started;
        },
        current() {
          if (!running) throw new Error('the embedded stack has not been started');
          return running;
        },
      };
    },
  };
}
