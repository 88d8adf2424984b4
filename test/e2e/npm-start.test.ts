import Database from 'better-sqlite3';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePorts } from '../../scripts/temporal-dev-server';
import { apiClient, eventually } from '../support/api';
import { useEmbeddedStart } from '../support/embedded-start';
import { createScenarioNetwork, passPanel, signRequests, waitForStage } from '../support/formation-driver';
import { descendants, portFree, processAlive, spawnCommand, type Spawned } from '../support/processes';

/**
 * The embedded default as a person runs it: `npm start` (bin/start.ts) with its own Temporal dev
 * server and SQLite. The whole stack is killed with SIGKILL in the middle of a signing round and
 * started again; every acknowledged signature must still count and the round must finish.
 */
describe('npm start survives SIGKILL mid-round', () => {
  const embedded = useEmbeddedStart('formwork-start-');

  it('keeps every acknowledged signature across a kill -9 of the whole stack', { timeout: 180_000 }, async () => {
    const stack = await embedded.open();
    const { port, uiPort, token } = stack;
    const start = async () => {
      const running = await stack.start();
      expect(running.output()).toContain(`http://localhost:${port}`);
      // on localhost, like the app, so the UI's codec calls carry the staff sign-in cookie
      expect(running.output()).toContain(`Temporal UI:  http://localhost:${uiPort}`);
      const settings = await fetch(`http://127.0.0.1:${uiPort}/api/v1/settings`).then((r) => r.json());
      expect(settings.Codec.Endpoint).toBe(`http://localhost:${port}/api/v1/codec`);
      expect(running.output()).toContain(`Facilitator API token: ${token}`);
    };
    await start();
    // Temporal's state file keeps a write-ahead log synced at each commit (scripts/temporal-dev-server.ts)
    const temporalState = new Database(path.join(stack.dataDir, 'temporal.db'), { readonly: true });
    try {
      expect(temporalState.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      temporalState.close();
    }
    const api = apiClient(stack.baseUrl, token);
    const anonymous = apiClient(stack.baseUrl);

    const { network } = await createScenarioNetwork(api, { practiceCount: 4 });
    expect((await api.post(`/networks/${network.id}/formation`)).status).toBe(202);
    await waitForStage(api, network.id, 'panel-presentation', 'drafting');

    const signRound = async (stage: string) => {
      const issued = await api.post(`/networks/${network.id}/stages/${stage}/issue`);
      expect(issued.status, JSON.stringify(issued.body)).toBe(202);
      const requests = await eventually(async () => {
        const found = await signRequests(api, issued.body.document.version, issued.body.document.title);
        return found.length >= 4 ? found : null;
      }, `${stage} sign requests`);
      return { issued: issued.body.document, requests };
    };
    const signFor = async (requests: { token: string }[], practiceIds: Set<string>, limit: number) => {
      const acknowledged: { token: string; signatureId: string }[] = [];
      for (const r of requests) {
        if (acknowledged.length >= limit) break;
        const action = await anonymous.get(`/actions/${r.token}`);
        if (practiceIds.has(action.body.practice.id) || action.body.status !== 'pending') continue;
        const res = await anonymous.post(`/actions/${r.token}/sign`, { typedName: action.body.person.name, consent: true });
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        practiceIds.add(action.body.practice.id);
        acknowledged.push({ token: r.token, signatureId: res.body.signatureId });
      }
      return acknowledged;
    };

    // stage 1: a whole round
    const first = await signRound('panel-presentation');
    await signFor(first.requests, new Set(), 4);
    await passPanel(api, network.id);
    await waitForStage(api, network.id, 'terms-of-reference', 'drafting');

    // stage 2: two practices sign, then the whole stack is killed
    const second = await signRound('terms-of-reference');
    const practices = new Set<string>();
    const before = await signFor(second.requests, practices, 2);
    expect(before).toHaveLength(2);
    await stack.current().kill9();

    await start();
    const status = await api.get(`/networks/${network.id}/formation`);
    const tor = status.body.stages.find((s: { key: string }) => s.key === 'terms-of-reference');
    expect(tor.signoff.practices.filter((p: { signed: boolean }) => p.signed)).toHaveLength(2);
    // a repeat of an acknowledged signature is a 409, not a second signature
    const repeat = await anonymous.post(`/actions/${before[0].token}/sign`, { typedName: 'whoever', consent: true });
    expect(repeat.status).toBe(409);
    expect(repeat.body.error.code).toBe('ALREADY_SIGNED');

    const after = await signFor(second.requests, practices, 2);
    expect(after).toHaveLength(2);
    const done = await waitForStage(api, network.id, 'legal-entity', 'drafting');
    for (const key of ['panel-presentation', 'terms-of-reference']) {
      const stage = done.stages.find((s: { key: string }) => s.key === key);
      expect(stage.status).toBe('completed');
      expect(stage.documents.length).toBeGreaterThan(0);
      expect(stage.documents.every((d: { sha256: string }) => /^[0-9a-f]{64}$/.test(d.sha256))).toBe(true);
    }
    const doc = await api.get(`/documents/${second.issued.id}`);
    expect(doc.body.signatures.map((s: { practiceId: string }) => s.practiceId).sort()).toEqual([...practices].sort());
    expect(doc.body.signatures).toHaveLength(4);

    // killing only the launcher leaves the stack orphaned on the data directory; a new start takes over
    const orphaned = stack.current();
    await orphaned.kill9LauncherOnly();
    await start();
    expect(stack.current().output()).toContain('stopped an earlier Formwork');
    expect((await api.get('/health')).body).toEqual({ status: 'ok', temporal: 'ok', database: 'ok' });
    expect((await api.get(`/networks/${network.id}/formation`)).body.currentStage).toBe('legal-entity');
  });
});

/**
 * A process manager stops `npm start` by signalling npm's pid alone, not its process group. npm
 * passes the signal on; everything below it (the app and the Temporal dev server it started) must
 * stop, and the ports must be free again, whether the signal comes once it runs or while it starts.
 */
describe('npm start stops when npm alone is signalled', () => {
  let dataDir = '';
  let running: Spawned | null = null;
  const seen = new Map<number, string>();
  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'formwork-npm-start-'));
  });
  afterAll(async () => {
    // whatever a failed run left behind, even once npm itself has gone
    for (const pid of seen.keys()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone, as it should be */
      }
    }
    await running?.kill9();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const cases = [
    { signal: 'SIGTERM', when: 'running', waitFor: /Formwork is running/ },
    { signal: 'SIGINT', when: 'running', waitFor: /Formwork is running/ },
    { signal: 'SIGTERM', when: 'starting', waitFor: /Starting Temporal dev server/ },
  ] as const;
  for (const { signal, when, waitFor } of cases) {
    it(`stops the app and the Temporal dev server on ${signal} to npm while ${when}`, { timeout: 150_000 }, async () => {
      const [port, temporalPort, uiPort] = await findFreePorts(3);
      const env = {
        DATA_DIR: dataDir,
        PORT: String(port),
        TEMPORAL_PORT: String(temporalPort),
        TEMPORAL_UI_PORT: String(uiPort),
        FORMWORK_ADMIN_TOKEN: crypto.randomBytes(24).toString('base64url'),
        LOG_LEVEL: 'info',
        npm_config_update_notifier: 'false',
      };
      seen.clear();
      const npm = spawnCommand('npm start', 'npm', ['start'], env);
      running = npm;
      const npmPid = npm.child.pid!;
      // every process ever seen below npm, sampled until npm exits
      const sample = () => {
        // a process between fork and exec, or a zombie, shows no command line: keep the last real one
        for (const p of descendants(npmPid)) if (p.cmdline || !seen.has(p.pid)) seen.set(p.pid, p.cmdline);
      };
      const sampler = setInterval(sample, 50);
      const npmExited = new Promise<void>((resolve) => npm.child.once('exit', () => resolve()));
      try {
        await npm.waitFor(waitFor);
        if (when === 'running')
          expect((await apiClient(`http://localhost:${port}`).get('/health')).body).toEqual({ status: 'ok', temporal: 'ok', database: 'ok' });
        sample();
        process.kill(npmPid, signal);
        const exited = await Promise.race([npmExited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 30_000))]);
        expect(exited, `npm did not exit after ${signal}; output:\n${npm.output().slice(-3000)}`).toBe(true);
      } finally {
        clearInterval(sampler);
      }
      const cmdlines = [...seen.values()];
      expect(
        cmdlines.some((c) => c.includes('bin/start')),
        JSON.stringify(cmdlines),
      ).toBe(true);
      if (when === 'running')
        expect(
          cmdlines.some((c) => c.includes('start-dev')),
          JSON.stringify(cmdlines),
        ).toBe(true);
      // npm waits for the app, and the app for the dev server: once npm has gone, so has everything
      const alive = [...seen].filter(([pid]) => processAlive(pid));
      expect(alive, 'still running after npm exited').toEqual([]);
      for (const p of [port, temporalPort, uiPort]) expect(await portFree(p), `port ${p} is still taken`).toBe(true);
      expect(npm.output()).toContain('shutting down');
      expect(fs.existsSync(path.join(dataDir, 'formwork.pid'))).toBe(false);
      expect(fs.existsSync(path.join(dataDir, 'temporal.pid'))).toBe(false);
      running = null;
    });
  }
});
