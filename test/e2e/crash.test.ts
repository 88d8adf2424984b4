import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { resolveTemporalCli } from '../../scripts/provision-temporal';
import { findFreePort, startDevServer, type DevServer } from '../../scripts/temporal-dev-server';
import { apiClient, eventually } from '../support/api';
import { createScenarioNetwork, passPanel, signRequests, waitForStage } from '../support/formation-driver';
import { spawnBin, type Spawned } from '../support/processes';
import { freshPostgresDatabase } from '../support/stack';

const quiet = { info() {}, warn() {}, debug() {} };
const step = (m: string) => process.env.CRASH_TEST_TRACE && console.log(`[crash] ${new Date().toISOString()} ${m}`);

/**
 * The scale-out topology (bin/server + bin/worker on Postgres + a Temporal server with state on disk), with
 * the worker killed, and then the Temporal server killed, in the middle of a sign-off round.
 */
describe('crash in the middle of a sign-off', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'formwork-crash-'));
  const children: Spawned[] = [];
  let temporal: DevServer | null = null;
  let database: { url: string; drop(): Promise<void> } | null = null;
  afterAll(async () => {
    for (const c of children) await c.kill9();
    await temporal?.stop();
    await database?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('loses no acknowledged signature and completes the stage', async () => {
    const cli = resolveTemporalCli({ provision: false }).path;
    const temporalPort = await findFreePort();
    const startTemporal = async () => {
      temporal = await startDevServer({ cliPath: cli, dbFile: path.join(dir, 'temporal.db'), port: temporalPort, headless: true, log: quiet });
    };
    await startTemporal();
    const port = await findFreePort();
    const token = crypto.randomBytes(24).toString('base64url');
    // the separate server and worker share Postgres, as in production (SQLite is the embedded default, one process)
    database = await freshPostgresDatabase(inject('postgresUrl'));
    const env = {
      TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
      DATABASE_URL: database.url,
      DATA_DIR: dir,
      PORT: String(port),
      FORMWORK_ADMIN_TOKEN: token,
      FORM_SECRET: crypto.randomBytes(32).toString('hex'),
      LOG_LEVEL: 'warn',
    };
    const server = spawnBin('server.ts', env);
    children.push(server);
    let worker = spawnBin('worker.ts', { ...env, LOG_LEVEL: 'info' });
    children.push(worker);
    await server.waitFor(/listening/i).catch(() => undefined);
    const baseUrl = `http://127.0.0.1:${port}`;
    const api = apiClient(baseUrl, token);
    const anonymous = apiClient(baseUrl);
    await eventually(async () => (await fetch(`${baseUrl}/api/v1/health`).catch(() => null))?.status === 200, 'server health', 60_000).catch((err) => {
      throw new Error(`${(err as Error).message}\nserver output:\n${server.output()}\nworker output:\n${worker.output()}`);
    });
    await worker.waitFor(/worker running/i);

    const { network } = await createScenarioNetwork(api, { practiceCount: 4 });
    expect((await api.post(`/networks/${network.id}/formation`)).status).toBe(202);
    await waitForStage(api, network.id, 'panel-presentation', 'drafting');
    const issued = await api.post(`/networks/${network.id}/stages/panel-presentation/issue`);
    expect(issued.status).toBe(202);
    const requests = await eventually(async () => {
      const found = await signRequests(api, 1, issued.body.document.title);
      return found.length >= 4 ? found : null;
    }, 'sign requests');

    // one signer per practice, in practice order
    const byPractice = new Map<string, { token: string; name: string }>();
    for (const r of requests) {
      const a = await anonymous.get(`/actions/${r.token}`);
      if (!byPractice.has(a.body.practice.id)) byPractice.set(a.body.practice.id, { token: r.token, name: a.body.person.name });
    }
    const signers = [...byPractice.values()];
    expect(signers).toHaveLength(4);
    const sign = (s: { token: string; name: string }) => anonymous.post(`/actions/${s.token}/sign`, { typedName: s.name, consent: true });

    expect((await sign(signers[0])).status).toBe(200);
    step('first signature');

    // kill the worker; a signature sent while it is down is answered once a worker is back
    await worker.kill9();
    const pending = sign(signers[1]);
    await new Promise((r) => setTimeout(r, 1_000));
    worker = spawnBin('worker.ts', { ...env, LOG_LEVEL: 'info' });
    children.push(worker);
    const whileDown = await pending;
    step(`signature while the worker was down: ${whileDown.status}`);
    if (whileDown.status !== 200) {
      // the server gave up waiting (503); the signer tries again once the worker is back
      expect(whileDown.status).toBe(503);
      await worker.waitFor(/worker running/i);
      expect((await sign(signers[1])).status).toBe(200);
    }

    // kill the Temporal server itself; start it again on the same state
    await temporal!.stop();
    await startTemporal();
    step('temporal restarted');
    const third = await eventually(
      async () => {
        const res = await sign(signers[2]);
        return res.status === 200 || res.status === 409 ? res : null;
      },
      'a signature after the Temporal restart',
      90_000,
    );
    expect([200, 409]).toContain(third.status);
    expect((await sign(signers[3])).status).toBe(200);

    await passPanel(api, network.id);
    await waitForStage(api, network.id, 'terms-of-reference', 'drafting');
    const rows = await eventually(async () => {
      const doc = await api.get(`/documents/${issued.body.document.id}`);
      return doc.body.signatures?.length === 4 ? doc.body.signatures : null;
    }, 'four signatures');
    expect(new Set(rows.map((s: { practiceId: string }) => s.practiceId)).size).toBe(4);
    const repeat = await sign(signers[0]);
    expect(repeat.status).toBe(409);
    expect((await api.get('/audit/verify')).body.valid).toBe(true);
  }, 300_000);
});
