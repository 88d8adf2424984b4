/**
 * `npm run bench -- readiness [--networks N] [--db sqlite|postgres]`: what a commissioner's
 * programme dashboard costs at national size, without taking N networks through the workflows first.
 * The records a formation leaves behind (practices and people, stage data and statuses, rounds with
 * their slots and signatures, documents, sealed copies, panel outcomes) are written straight through
 * the repositories for N networks spread over every point of the programme, then the real HTTP
 * server (in this process, its Temporal client never used) answers GET /programmes/:id/readiness,
 * its CSV and one wave's readiness, each read many times one after another on a quiet stack. The
 * programme is some months in: 90 days of daily snapshots feed the dashboard's chart.
 * Writes bench/out/readiness.json. The national bench measures the same read while a wave runs.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Knex } from 'knex';
import { loadConfig } from '../config';
import type { Repos } from '../db/repos';
import { buildSlots, defaultSigningRule } from '../domain/signing';
import { STAGE_KEYS } from '../domain/stages';
import { startTestPostgres } from '../scripts/test-postgres';
import { closeServer, createLogger, openDatabase, payloadCodec, serveApp } from '../bin/runtime';
import { findFreePort } from '../scripts/temporal-dev-server';
import { stageData } from './national-driver';
import { planNetworks, type PlannedNetwork } from './national-plan';

const READS = 30;
const WARM_UP = 3;
const WAVES = 3;
/** networks whose records change between two reads, in the read measured so */
const CHANGED = 50;
/** days of snapshots the dashboard's chart reads */
const HISTORY_DAYS = 90;

interface ReadinessOptions {
  networks: number;
  db: 'sqlite' | 'postgres';
}

function parseOptions(args: string[]): ReadinessOptions {
  const opts: ReadinessOptions = { networks: 1250, db: 'postgres' };
  for (let i = 0; i < args.length; i++) {
    const value = args[i + 1];
    if (args[i] === '--networks') opts.networks = Math.max(1, Number.parseInt(value, 10));
    else if (args[i] === '--db' && (value === 'sqlite' || value === 'postgres')) opts.db = value;
    else continue;
    i++;
  }
  return opts;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/** Where network `i` has got to: 0 to 6 stages completed, the current one waiting for signatures. */
function progressOf(i: number): number {
  return i % (STAGE_KEYS.length + 1);
}

const stub = (text: string) => Buffer.from(`%PDF-1.7 ${text}`);
const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

/** One network's records, as its formation would have left them after `progressOf` stages. */
async function seedNetwork(db: Knex, repos: Repos, programmeId: string, waveIds: string[], plan: PlannedNetwork): Promise<string> {
  const networkId = crypto.randomUUID();
  const practices = plan.practices.map((p) => ({
    id: crypto.randomUUID(),
    name: p.name,
    odsCode: p.odsCode,
    listSize: p.listSize,
    people: p.people.map((x) => ({ id: crypto.randomUUID(), name: x.name, email: x.email, roles: x.roles })),
  }));
  const waveId = waveIds[plan.wave];
  const done = progressOf(plan.index);
  await db.transaction(async (trx) => {
    await repos.records.insertNetwork(trx, { id: networkId, programmeId, waveId, name: plan.name, practices });
    await repos.stages.ensure(
      trx,
      networkId,
      STAGE_KEYS.map((key, position) => ({ key, position })),
    );
    const current = done < STAGE_KEYS.length ? STAGE_KEYS[done] : null;
    await repos.records.setFormation(trx, networkId, { formationStatus: current ? 'running' : 'completed', currentStage: current });
    const signers = practices.map((p) => ({
      practiceId: p.id,
      practiceName: p.name,
      people: p.people.map((x) => ({ personId: x.id, name: x.name, email: x.email, roles: x.roles })),
    }));
    for (const [position, stageKey] of STAGE_KEYS.entries()) {
      if (position > done) break;
      await repos.stages.setData(trx, networkId, stageKey, stageData(stageKey, plan), 1);
      const completed = position < done;
      await repos.stages.setStatus(trx, networkId, stageKey, completed ? 'completed' : 'awaiting-signatures');
      const pdf = stub(`${networkId} ${stageKey}`);
      const documentId = crypto.randomUUID();
      await repos.documents.insert(trx, {
        id: documentId,
        networkId,
        stageKey,
        type: stageKey,
        version: 1,
        title: stageKey,
        status: 'issued',
        templateVersion: '1',
        sha256Pdf: sha(pdf),
        sha256Docx: sha(pdf),
        pdf,
        docx: pdf,
        markdown: `# ${stageKey}`,
        html: `<h1>${stageKey}</h1>`,
        idempotencyKey: documentId,
      });
      if (stageKey === 'panel-presentation') {
        const presentationId = crypto.randomUUID();
        await repos.panels.insertPresentation(trx, { id: presentationId, networkId, waveId, panelId: null, documentId, criteria: [] });
        if (completed) await repos.panels.setOutcome(trx, presentationId, { outcome: 'pass', reason: 'Supported', by: 'panel', toWaveId: null });
      }
      const signoffId = crypto.randomUUID();
      const slots = buildSlots(signers, defaultSigningRule(stageKey));
      await repos.signoffs.insert(trx, {
        id: signoffId,
        workflowId: `signoff-${signoffId}`,
        networkId,
        stageKey,
        documentId,
        documentVersion: 1,
        status: 'open',
        expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
        rule: defaultSigningRule(stageKey),
        slots,
      });
      // a completed stage was signed by every practice; the current one by half of them so far
      const signing = completed ? practices : practices.slice(0, Math.floor(practices.length / 2));
      await repos.signoffs.insertSignatures(
        trx,
        signing.map((p) => ({
          id: crypto.randomUUID(),
          signoffId,
          documentId,
          documentVersion: 1,
          documentSha256: sha(pdf),
          personId: p.people[0].id,
          practiceId: p.id,
          typedName: p.people[0].name,
          capacity: 'partner',
          slotIds: slots.filter((s) => s.practiceId === p.id).map((s) => s.id),
          consentVersion: '1',
          method: 'typed-name',
          ip: null,
          userAgent: null,
          signedAt: new Date().toISOString(),
        })),
      );
      if (!completed) continue;
      await repos.signoffs.complete(trx, signoffId, 'signed');
      const sealed = stub(`${networkId} ${stageKey} sealed`);
      await repos.sealed.insert(trx, {
        id: crypto.randomUUID(),
        signoffId,
        documentId,
        version: 1,
        agreedSha256: sha(pdf),
        sealedSha256: sha(sealed),
        manifest: '{}',
        pdf: sealed,
      });
    }
  });
  return networkId;
}

/**
 * The dashboard's chart reads up to 90 days of daily snapshots: a programme some months in has one
 * row per network per day (their colours here made up, as only their number matters).
 */
async function seedHistory(db: Knex, repos: Repos, programmeId: string, networks: { id: string; waveId: string }[]): Promise<void> {
  const rags = ['red', 'amber', 'green'] as const;
  for (let d = 1; d < HISTORY_DAYS; d++) {
    const day = new Date(Date.now() - d * 86_400_000).toISOString().slice(0, 10);
    await repos.readiness.upsertSnapshots(
      db,
      networks.map((n, i) => ({
        networkId: n.id,
        day,
        programmeId,
        waveId: n.waveId,
        rag: rags[(i + d) % 3],
        stagesCompleted: Math.max(0, progressOf(i) - Math.floor(d / 15)),
      })),
    );
  }
}

interface Timed {
  ms: number[];
  bytes: number;
  /** the first read (warm-up included) */
  firstMs: number;
}

/** Reads `url` again and again; `before` (not timed) runs before each read, to change records between reads. */
async function timeReads(url: string, token: string, before?: () => Promise<unknown>): Promise<Timed> {
  const ms: number[] = [];
  let bytes = 0;
  let firstMs = 0;
  for (let i = 0; i < WARM_UP + READS; i++) {
    if (before) await before();
    const started = performance.now();
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    const body = await res.arrayBuffer();
    if (!res.ok) throw new Error(`${url} answered ${res.status}: ${Buffer.from(body).toString('utf8').slice(0, 300)}`);
    if (i === 0) firstMs = performance.now() - started;
    if (i >= WARM_UP) ms.push(performance.now() - started);
    bytes = body.byteLength;
  }
  return { ms, bytes, firstMs };
}

export async function benchReadiness(args: string[]) {
  const opts = parseOptions(args);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'formwork-readiness-'));
  const pg = opts.db === 'postgres' ? await startTestPostgres() : null;
  const port = await findFreePort();
  const token = crypto.randomBytes(24).toString('base64url');
  const config = loadConfig({
    DATA_DIR: dir,
    DATABASE_URL: pg ? pg.url : `sqlite:${path.join(dir, 'formwork.db')}`,
    FORMWORK_ADMIN_TOKEN: token,
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    LOG_LEVEL: 'warn',
  });
  const log = createLogger(config);
  const { db, repos } = await openDatabase(config, log);
  let server: http.Server | null = null;
  try {
    console.log(`readiness: seeding ${opts.networks} networks on ${opts.db}…`);
    const seedStarted = performance.now();
    const programmeId = crypto.randomUUID();
    await repos.records.insertProgramme(db, {
      id: programmeId,
      name: 'National wave',
      sponsor: 'NHS England',
      footprint: { minListSize: 30_000, maxListSize: 50_000 },
    });
    const waveIds: string[] = [];
    for (let w = 1; w <= WAVES; w++) {
      const id = crypto.randomUUID();
      await repos.records.insertWave(db, { id, programmeId, number: w, panelDate: `2027-0${w + 2}-15` });
      waveIds.push(id);
    }
    const plan = planNetworks({ networks: opts.networks, waves: WAVES, tag: 'r', seed: opts.networks * 7919 });
    const seeded: { id: string; waveId: string }[] = [];
    for (const network of plan) seeded.push({ id: await seedNetwork(db, repos, programmeId, waveIds, network), waveId: waveIds[network.wave] });
    await seedHistory(db, repos, programmeId, seeded);
    const admin = await repos.persons.ensureAdmin(db, { email: config.adminEmail, name: 'Administrator' });
    await repos.tokens.insertApiToken(db, { id: crypto.randomUUID(), secret: token, personId: admin.id, label: 'bench' });
    const seedMs = performance.now() - seedStarted;

    const temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    server = await serveApp(config, { db, repos, temporal, log, mailer: undefined, codec: payloadCodec(config) });
    const base = `http://127.0.0.1:${port}/api/v1`;
    const url = `${base}/programmes/${programmeId}/readiness`;
    // the server keeps each network's row until a record it is built from changes: read with nothing
    // changed, with CHANGED networks' records changed before each read (a stage touched, as a
    // formation's activity does), and with every network's changed (every row gathered, as after a
    // restart without the start's gathering). The first read waits for the rows the server gathers
    // as it starts, as a first read right after a start does.
    const programme = await timeReads(url, token);
    let turn = 0;
    const changing = await timeReads(url, token, () => {
      const ids = seeded
        .slice((turn * CHANGED) % seeded.length)
        .slice(0, CHANGED)
        .map((n) => n.id);
      turn++;
      return db('stages').whereIn('network_id', ids).andWhere({ stage_key: 'panel-presentation' }).update({ updated_at: new Date().toISOString() });
    });
    const rebuilt = await timeReads(url, token, () => db('networks').where({ programme_id: programmeId }).increment('readiness_rev', 1));
    const csv = await timeReads(`${url}?format=csv`, token);
    const wave = await timeReads(`${base}/waves/${waveIds[0]}/readiness`, token);
    const figures = (t: Timed) => ({
      p50Ms: Math.round(percentile(t.ms, 50)),
      p99Ms: Math.round(percentile(t.ms, 99)),
      bytes: t.bytes,
    });
    const result = {
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, loadAverageBefore: os.loadavg() },
      networks: opts.networks,
      practices: plan.reduce((n, p) => n + p.practices.length, 0),
      db: opts.db,
      reads: READS,
      seedSeconds: Math.round(seedMs / 100) / 10,
      firstReadMs: Math.round(programme.firstMs),
      programme: figures(programme),
      programmeChanging: { ...figures(changing), changedPerRead: CHANGED },
      programmeRebuilt: figures(rebuilt),
      programmeCsv: figures(csv),
      wave: figures(wave),
    };
    fs.mkdirSync(path.join(__dirname, 'out'), { recursive: true });
    fs.writeFileSync(path.join(__dirname, 'out', 'readiness.json'), JSON.stringify(result, null, 2));
    console.log(
      `${'programme readiness, first read'.padEnd(42)} ${result.firstReadMs} ms (right after the start: waits for the start's gathering of every row)`,
    );
    for (const [what, f] of [
      ['programme readiness (JSON)', result.programme],
      [`  with ${CHANGED} networks changed each read`, result.programmeChanging],
      ['  with every network changed', result.programmeRebuilt],
      ['programme readiness (CSV)', result.programmeCsv],
      [`one wave's readiness (of ${WAVES})`, result.wave],
    ] as const)
      console.log(`${what.padEnd(42)} p50 ${f.p50Ms} ms, p99 ${f.p99Ms} ms, ${Math.round(f.bytes / 1024)} KiB`);
    console.log(`(${result.networks} networks, ${result.practices} practices, seeded in ${result.seedSeconds} s)`);
    return { errors: 0 };
  } finally {
    if (server) await closeServer(server);
    await db.destroy();
    await pg?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
