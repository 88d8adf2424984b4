import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { resolveTemporalCli } from '../../scripts/provision-temporal';
import { findFreePort, findFreePorts } from '../../scripts/temporal-dev-server';
import { towerHamletsFacts } from '../fixtures/network-facts';
import { apiClient, eventually } from '../support/api';
import { createScenarioNetwork, signRequests, waitForStage } from '../support/formation-driver';
import { portFree, spawnCommand, type Spawned } from '../support/processes';
import { freshPostgresDatabase } from '../support/stack';

const ROOT = path.resolve(__dirname, '..', '..');

/**
 * node_modules as `npm ci --omit=dev` leaves it: a link to every installed top-level package that
 * the lockfile does not mark as dev-only. tsx, typescript and the test libraries are absent, so
 * the build cannot lean on them without failing here.
 */
function productionNodeModules(target: string): { linked: number; omitted: string[] } {
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  const omitted: string[] = [];
  let linked = 0;
  for (const [key, entry] of Object.entries(lock.packages)) {
    const m = /^node_modules\/((?:@[^/]+\/)?[^/]+)$/.exec(key);
    if (!m) continue;
    if (entry.dev) {
      omitted.push(m[1]);
      continue;
    }
    const source = path.join(ROOT, 'node_modules', m[1]);
    if (!fs.existsSync(source)) continue; // an optional package for another platform
    const link = path.join(target, m[1]);
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(fs.realpathSync(source), link, 'dir');
    linked++;
  }
  return { linked, omitted };
}

/**
 * The production build as it is deployed: `npm run build` into a folder outside the sources, run
 * with plain node and production dependencies only, the HTTP server and a worker as separate
 * processes on the shared Temporal server and a Postgres database.
 */
describe('the production build', () => {
  let dir = '';
  let dist = '';
  const children: Spawned[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of children) await c.kill9();
    for (const cleanup of cleanups) await cleanup();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'formwork-build-'));
    dist = path.join(dir, 'dist');
    const built = spawnSync('npm', ['run', 'build', '--', '--out-dir', dist], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, npm_config_update_notifier: 'false' },
    });
    expect(built.status, `${built.stdout}\n${built.stderr}`).toBe(0);
    fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'));
    const modules = productionNodeModules(path.join(dir, 'node_modules'));
    expect(modules.omitted).toEqual(expect.arrayContaining(['tsx', 'typescript', 'vitest', '@temporalio/testing', 'playwright-core']));
    expect(modules.linked).toBeGreaterThan(50);
  }, 300_000);

  it('holds plain JavaScript and what it reads at run time, and no TypeScript', () => {
    const files = fs.readdirSync(dist, { recursive: true, encoding: 'utf8' });
    expect(files.filter((f) => f.endsWith('.ts'))).toEqual([]);
    for (const f of [
      'bin/server.js',
      'bin/worker.js',
      'bin/start.js',
      'bin/migrate.js',
      'documents/render-worker.cjs',
      'documents/render-worker.js',
      'workflows/workflow-bundle.js',
      'server/static/formwork.css',
      'server/views/layout.hbs',
      'templates/terms-of-reference/template.md.hbs',
      'scripts/provision-temporal.js',
    ]) {
      expect(fs.existsSync(path.join(dist, f)), f).toBe(true);
    }
    const templates = fs.readdirSync(path.join(ROOT, 'templates'), { withFileTypes: true }).filter((d) => d.isDirectory());
    for (const t of templates)
      expect(fs.readdirSync(path.join(dist, 'templates', t.name)).filter((f) => f.endsWith('.hbs'))).toEqual(
        fs.readdirSync(path.join(ROOT, 'templates', t.name)).filter((f) => f.endsWith('.hbs')),
      );
  });

  it('migrates a database up and down with dist/bin/migrate.js', () => {
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: `sqlite:${path.join(dir, 'migrate.db')}`, DATA_DIR: path.join(dir, 'migrate') };
    delete env.NODE_OPTIONS;
    for (const [args, said] of [
      [[], 'migrations applied'],
      [['down'], 'migrations rolled back'],
    ] as const) {
      const res = spawnSync(process.execPath, [path.join(dist, 'bin', 'migrate.js'), ...args], { cwd: dir, encoding: 'utf8', env, timeout: 60_000 });
      expect(res.status, res.stderr).toBe(0);
      expect(res.stdout).toContain(said);
    }
  });

  it('renders documents on its render threads', () => {
    const factsFile = path.join(dir, 'facts.json');
    fs.writeFileSync(factsFile, JSON.stringify(towerHamletsFacts()));
    const script = `
      const { renderTemplate, STAGE_TEMPLATES } = require('./dist/templates');
      const { renderThreadStatus } = require('./dist/documents/render-threads');
      const facts = require(${JSON.stringify(factsFile)});
      const t = STAGE_TEMPLATES['terms-of-reference'];
      renderTemplate(t.documentType, t.buildContext(facts, {}), { documentId: 'd', version: 1, networkName: facts.network.name, issuedOn: '2026-01-05' })
        .then((doc) => { console.log(JSON.stringify({ threads: renderThreadStatus(), pdf: doc.pdf.subarray(0, 5).toString(), docx: doc.docx.subarray(0, 2).toString() })); process.exit(0); })
        .catch((err) => { console.error(err); process.exit(1); });`;
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    const res = spawnSync(process.execPath, ['-e', script], { cwd: dir, encoding: 'utf8', env, timeout: 60_000 });
    expect(res.status, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout.trim().split('\n').pop()!)).toEqual({ threads: { docx: 'thread', pdf: 'thread' }, pdf: '%PDF-', docx: 'PK' });
  });

  it('runs the server and a worker with node alone', { timeout: 180_000 }, async () => {
    const port = await findFreePort();
    const token = crypto.randomBytes(24).toString('base64url');
    // separate processes share Postgres, as in production (SQLite is the embedded default, one process)
    const database = await freshPostgresDatabase(inject('postgresUrl'));
    cleanups.push(database.drop);
    const env = {
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: `build-${crypto.randomUUID()}`,
      DATABASE_URL: database.url,
      DATA_DIR: path.join(dir, 'data'),
      PORT: String(port),
      FORMWORK_ADMIN_TOKEN: token,
      FORM_SECRET: crypto.randomBytes(32).toString('hex'),
      LOG_LEVEL: 'info',
      NODE_OPTIONS: undefined,
    };
    // at debug level the SDK names the workflow code it loads, and says so when it bundles sources
    const worker = spawnCommand('dist/bin/worker.js', process.execPath, [path.join(dist, 'bin', 'worker.js')], { ...env, LOG_LEVEL: 'debug' }, dir);
    children.push(worker);
    const server = spawnCommand('dist/bin/server.js', process.execPath, [path.join(dist, 'bin', 'server.js')], env, dir);
    children.push(server);
    await Promise.all([worker.waitFor(/worker running/i, 90_000), server.waitFor(/listening/i, 90_000)]);
    try {
      await exerciseAndStop(port, token, server, worker);
    } catch (err) {
      throw new Error(`${(err as Error).message}\nserver output:\n${server.output().slice(-3000)}\nworker output:\n${worker.output().slice(-3000)}`, {
        cause: err,
      });
    }
  });

  it('runs the embedded default (its own Temporal dev server) with node alone', { timeout: 120_000 }, async () => {
    const [port, temporalPort, uiPort] = await findFreePorts(3);
    const token = crypto.randomBytes(24).toString('base64url');
    const env = {
      DATA_DIR: path.join(dir, 'embedded'),
      PORT: String(port),
      TEMPORAL_PORT: String(temporalPort),
      TEMPORAL_UI_PORT: String(uiPort),
      TEMPORAL_CLI_PATH: resolveTemporalCli({ provision: false }).path,
      TEMPORAL_ADDRESS: undefined,
      DATABASE_URL: undefined,
      FORMWORK_ADMIN_TOKEN: token,
      LOG_LEVEL: 'warn',
      NODE_OPTIONS: undefined,
    };
    const start = spawnCommand('dist/bin/start.js', process.execPath, [path.join(dist, 'bin', 'start.js')], env, dir);
    children.push(start);
    await start.waitFor(/Formwork is running/, 90_000);
    // the UI is printed on the app's own host name, so the browser sends the sign-in cookie to the codec endpoint
    expect(start.output()).toMatch(new RegExp(String.raw`Temporal UI:  http://(127\.0\.0\.1|localhost):${uiPort}`));
    const api = apiClient(`http://127.0.0.1:${port}`, token);
    expect((await api.get('/health')).body).toEqual({ status: 'ok', temporal: 'ok', database: 'ok' });
    expect((await api.get('/programmes')).status).toBe(200);
    const exited = new Promise<number | null>((resolve) => start.child.once('exit', (code) => resolve(code)));
    start.child.kill('SIGTERM');
    expect(await exited, start.output().slice(-2000)).toBe(0);
    for (const p of [port, temporalPort, uiPort]) expect(await portFree(p), `port ${p} is still taken`).toBe(true);
  });

  async function exerciseAndStop(port: number, token: string, server: Spawned, worker: Spawned) {
    const baseUrl = `http://127.0.0.1:${port}`;
    const api = apiClient(baseUrl, token);
    expect((await api.get('/health')).body).toEqual({ status: 'ok', temporal: 'ok', database: 'ok' });
    const login = await fetch(`${baseUrl}/login`);
    expect(login.status).toBe(200);
    expect(await login.text()).toContain('/static/formwork.css');
    expect((await fetch(`${baseUrl}/static/formwork.css`)).status).toBe(200);

    // a stage document issued through the worker: the prebuilt workflows, templates, fonts, rendering
    const { network } = await createScenarioNetwork(api, { practiceCount: 4 });
    expect((await api.post(`/networks/${network.id}/formation`)).status).toBe(202);
    await waitForStage(api, network.id, 'panel-presentation', 'drafting');
    const issued = await api.post(`/networks/${network.id}/stages/panel-presentation/issue`);
    expect(issued.status, JSON.stringify(issued.body)).toBe(202);
    const requests = await eventually(async () => {
      const found = await signRequests(api, issued.body.document.version, issued.body.document.title);
      return found.length >= 4 ? found : null;
    }, 'sign requests');
    expect(requests.length).toBeGreaterThanOrEqual(4);
    const pdf = await api.get(`/documents/${issued.body.document.id}/pdf`);
    expect(pdf.status).toBe(200);
    expect((pdf.body as Buffer).subarray(0, 5).toString()).toBe('%PDF-');

    // SIGTERM stops both cleanly
    for (const c of [server, worker]) {
      const exited = new Promise<number | null | 'still running'>((resolve) => {
        const timer = setTimeout(() => resolve('still running'), 30_000);
        c.child.once('exit', (code) => (clearTimeout(timer), resolve(code)));
      });
      c.child.kill('SIGTERM');
      expect(await exited, 'exit code 30 s after SIGTERM').toBe(0);
    }
    expect(worker.output()).toContain(path.join(dist, 'workflows', 'workflow-bundle.js'));
    expect(worker.output()).not.toContain('Workflow bundle created');
  }
});
