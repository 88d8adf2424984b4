import type { Knex } from 'knex';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { isPostgres } from '../../db/knex';
import { READINESS_SOURCES, triggerName } from '../../db/migrations/20261217000000_readiness_marks';
import { createRepos, type Repos } from '../../db/repos';
import { createReadinessService } from '../../server/services/readiness.service';
import { testAuditEvidence } from '../support/codec';
import { freshMigratedDb } from '../support/databases';
import { seedIssuedDocument } from '../support/network-seed';

/**
 * The database raises a network's readiness number whenever a record its readiness row is built
 * from changes, whoever writes it; the dashboard rebuilds only the rows whose number moved.
 */
describe.each(['sqlite', 'postgres'] as const)('readiness marks on %s', (kind) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  async function open(): Promise<{ db: Knex; repos: Repos }> {
    const db = await freshMigratedDb(kind, cleanups);
    const repos = createRepos(testAuditEvidence());
    await repos.records.insertProgramme(db, { id: 'prog', name: 'Programme', sponsor: 'ICB', footprint: { minListSize: 5_000, maxListSize: 100_000 } });
    await repos.records.insertWave(db, { id: 'wave', programmeId: 'prog', number: 1, panelDate: '2027-01-15' });
    for (const id of ['n', 'm'])
      await repos.records.insertNetwork(db, {
        id,
        programmeId: 'prog',
        waveId: 'wave',
        name: `Network ${id.toUpperCase()}`,
        practices: [
          {
            id: `${id}-pr`,
            name: `Practice of ${id}`,
            odsCode: id === 'n' ? 'A10001' : 'A10002',
            listSize: 10_000,
            people: [{ id: `${id}-p`, name: `Partner of ${id}`, email: `${id}@example.org`, roles: ['partner'] }],
          },
        ],
      });
    return { db, repos };
  }

  /** The networks whose rows a read rebuilt: those the practices' set query asked for. */
  async function rowsRebuiltBy(db: Knex, read: () => Promise<unknown>): Promise<unknown[]> {
    const asked: unknown[] = [];
    const onQuery = (q: { sql: string; bindings?: unknown[] }) => {
      if (/from ["`]practices["`]/i.test(q.sql)) asked.push(...(q.bindings ?? []));
    };
    db.on('query', onQuery);
    try {
      await read();
    } finally {
      db.removeListener('query', onQuery);
    }
    return asked;
  }

  const revs = async (db: Knex) => Object.fromEntries((await db('networks').select('id', 'readiness_rev')).map((r) => [String(r.id), Number(r.readiness_rev)]));

  it('has the triggers on every table a readiness row is built from', async () => {
    const { db } = await open();
    const names = isPostgres(db)
      ? (await db.raw(`SELECT tgname AS name FROM pg_trigger WHERE NOT tgisinternal`)).rows.map((r: { name: string }) => r.name)
      : (await db('sqlite_master').where({ type: 'trigger' }).select('name')).map((r) => r.name);
    for (const { table } of READINESS_SOURCES) for (const event of ['insert', 'update', 'delete'] as const) expect(names).toContain(triggerName(table, event));
  });

  it("raises the number of the network a write concerns, and no other network's", async () => {
    const { db, repos } = await open();
    /** Runs a write and checks it raised network `n` (and, when said, `m`) only. */
    const raises = async (what: string, write: () => Promise<unknown>, also: 'm' | null = null) => {
      const before = await revs(db);
      await write();
      const after = await revs(db);
      expect(after.n, `${what} raises n`).toBeGreaterThan(before.n);
      if (also) expect(after.m, `${what} raises m`).toBeGreaterThan(before.m);
      else expect(after.m, `${what} leaves m`).toBe(before.m);
    };

    await raises('a new practice', () => db('practices').insert({ id: 'n-pr2', network_id: 'n', name: 'Second', ods_code: 'A10003', list_size: 5 }));
    await raises('a list size', () => db('practices').where({ id: 'n-pr2' }).update({ list_size: 6 }));
    await raises('a practice moved to another network', () => db('practices').where({ id: 'n-pr2' }).update({ network_id: 'm' }), 'm');
    await db('practices').where({ id: 'n-pr2' }).update({ network_id: 'n' });
    await raises('a practice removed', () => db('practices').where({ id: 'n-pr2' }).delete());

    await raises('a stage', () => repos.stages.ensure(db, 'n', [{ key: 'terms-of-reference', position: 2 }]));
    await raises("a stage's status", () => repos.stages.setStatus(db, 'n', 'terms-of-reference', 'awaiting-signatures'));
    await raises("a stage's data", () => repos.stages.setData(db, 'n', 'terms-of-reference', { clinicalDirector: 'Dr A' }, 1));

    await seedIssuedDocument(db, repos, { id: 'doc', networkId: 'n', file: Buffer.from('%PDF-1.7 test') });
    const round = {
      id: 'round',
      workflowId: 'wf-round',
      networkId: 'n',
      stageKey: 'terms-of-reference',
      documentId: 'doc',
      documentVersion: 1,
      status: 'open',
      rule: {},
      slots: [],
      expiresAt: null,
    };
    await raises('a round', () => repos.signoffs.insert(db, round));
    await raises('a signature', () =>
      repos.signoffs.insertSignature(db, {
        id: 'sig',
        signoffId: 'round',
        documentId: 'doc',
        documentVersion: 1,
        documentSha256: 'a'.repeat(64),
        personId: 'n-p',
        practiceId: 'n-pr',
        typedName: 'Partner of n',
        capacity: 'partner',
        slotIds: ['n-pr:partner'],
        consentVersion: 'v1',
        method: 'typed-name',
        ip: null,
        userAgent: null,
        signedAt: new Date().toISOString(),
      }),
    );
    await raises('a round completed', () => repos.signoffs.complete(db, 'round', 'signed'));
    await raises('a sealed copy', () =>
      repos.sealed.insert(db, {
        id: 'sealed',
        signoffId: 'round',
        documentId: 'doc',
        version: 1,
        agreedSha256: 'a'.repeat(64),
        sealedSha256: 'c'.repeat(64),
        manifest: '{}',
        pdf: Buffer.from('%PDF-1.7 sealed'),
      }),
    );

    await raises('a panel presentation', () =>
      repos.panels.insertPresentation(db, { id: 'pres', networkId: 'n', waveId: 'wave', panelId: null, documentId: 'doc', criteria: [] }),
    );
    await raises('a panel outcome', () =>
      repos.panels.setOutcome(db, 'pres', { outcome: 'conditional', reason: 'One condition', by: 'Chair', toWaveId: null }),
    );
    await raises('a panel condition', () => repos.panels.insertConditions(db, 'pres', 'n', ['Name a payee']));
    await raises('a condition closed', () => repos.panels.closeCondition(db, 'pres', 1, { note: 'Named', evidenceDocumentId: null, by: 'Facilitator' }));

    await raises('a readiness decision', () =>
      repos.readiness.insertDecision(db, { id: 'dec', networkId: 'n', decision: 'ready', note: 'All met', decidedBy: 'Commissioner' }),
    );

    const today = new Date().toISOString().slice(0, 10);
    await raises('a dispute case', () =>
      repos.disputes.insertCase(db, {
        id: 'case',
        workflowId: 'wf-case',
        networkId: 'n',
        programmeId: 'prog',
        title: 'Payee',
        summary: 'Who is paid',
        parties: ['n-pr'],
        stageKey: null,
        ladder: [
          {
            number: 1,
            kind: 'informal',
            name: 'Informal discussion',
            limit: { amount: 10, unit: 'working-days' },
            external: null,
            mayDetermine: false,
            description: 'The practice leads meet.',
          },
        ],
        status: 'open',
        stepNumber: 1,
        stepStartedOn: today,
        stepDueOn: today,
        limitUnit: 'working-days',
        clock: 'running',
        pausedDaysLeft: null,
        settling: false,
        breaches: 0,
        openedBy: 'Facilitator',
        openedAt: new Date().toISOString(),
        closedOn: null,
        fromIssueId: null,
      }),
    );
    await raises("a case's step", () => db('disputes').where({ id: 'case' }).update({ breaches: 1 }));
  });

  it('rebuilds only the rows whose records changed, and shows every change', async () => {
    const { db, repos } = await open();
    const readiness = createReadinessService({ db, repos, publicUrl: 'http://formwork.test' });
    const rebuiltBy = (read: () => Promise<unknown>) => rowsRebuiltBy(db, read);

    const first = await readiness.programme('prog');
    expect(first.waves[0].networks.map((r) => r.decision)).toEqual([null, null]);
    // nothing changed: no row is rebuilt, so none of the set queries runs
    expect(await rebuiltBy(() => readiness.programme('prog'))).toEqual([]);

    // a decision written by another process (straight to the database) shows at the next read
    await repos.readiness.insertDecision(db, { id: 'dec', networkId: 'm', decision: 'not-ready', note: 'Payee missing', decidedBy: 'Commissioner' });
    let read = await readiness.programme('prog');
    expect(read.waves[0].networks.find((r) => r.networkId === 'm')?.decision).toMatchObject({ decision: 'not-ready', note: 'Payee missing' });
    expect(read.waves[0].networks.find((r) => r.networkId === 'n')?.decision).toBeNull();

    // a list size changed by hand is seen at once, and only that network's row is rebuilt
    await db('practices').where({ id: 'n-pr' }).update({ list_size: 500 });
    expect(
      await rebuiltBy(async () => {
        read = await readiness.programme('prog');
      }),
    ).toEqual(['n']);
    expect(read.waves[0].networks.find((r) => r.networkId === 'n')).toMatchObject({ listSize: 500, rag: 'red' });
    expect(read.summary).toMatchObject({ networks: 2, red: 1 });
    // the wave's view and the network's page read the same rows
    expect((await readiness.wave('wave')).networks.find((r) => r.networkId === 'n')?.listSize).toBe(500);
    expect((await readiness.network('m')).row.decision?.decision).toBe('not-ready');

    // a renamed network and a moved panel date are seen too: they are part of what a row was built from
    await db('networks').where({ id: 'n' }).update({ name: 'Network N renamed' });
    expect((await readiness.programme('prog')).waves[0].networks.map((r) => r.name)).toContain('Network N renamed');
    await db('waves').where({ id: 'wave' }).update({ panel_date: '2020-01-15' });
    const late = await readiness.programme('prog');
    expect(late.waves[0].networks.every((r) => r.blockers.includes('The panel date has passed without a completed panel presentation.'))).toBe(true);
    await db('programmes').where({ id: 'prog' }).update({ min_list_size: 20_000 });
    expect((await readiness.programme('prog')).waves[0].networks.map((r) => r.footprint.status)).toEqual(['below', 'below']);
  });

  it("gathers every programme's rows at a start, so the first read reads none of them", async () => {
    const { db, repos } = await open();
    const readiness = createReadinessService({ db, repos, publicUrl: 'http://formwork.test' });
    let warmed: Promise<number> | undefined;
    let first: Awaited<ReturnType<typeof readiness.programme>> | undefined;
    const asked = await rowsRebuiltBy(db, async () => {
      warmed = readiness.warm();
      first = await readiness.programme('prog');
    });
    // gathered once, by the start's gathering: the read that arrived meanwhile waited for it
    expect([...asked].sort()).toEqual(['m', 'n']);
    expect(await warmed).toBe(2);
    expect(first?.summary.networks).toBe(2);
    expect(await rowsRebuiltBy(db, () => readiness.programme('prog'))).toEqual([]);
    expect(await rowsRebuiltBy(db, () => readiness.wave('wave'))).toEqual([]);
  });

  it('on a new day assesses the kept rows again, reading none of their records', async () => {
    const { db, repos } = await open();
    const readiness = createReadinessService({ db, repos, publicUrl: 'http://formwork.test' });
    const passed = 'The panel date has passed without a completed panel presentation.';
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(new Date('2026-12-01T09:00:00Z'));
      const before = await readiness.programme('prog');
      expect(before.waves[0].daysToPanel).toBe(45);
      expect(before.waves[0].networks.some((r) => r.blockers.includes(passed))).toBe(false);
      // formation not started with more than 30 days to the panel: amber
      expect(before.waves[0].networks.map((r) => r.rag)).toEqual(['amber', 'amber']);

      // the panel date passes: the same records, another day
      vi.setSystemTime(new Date('2027-01-16T09:00:00Z'));
      let after: typeof before | undefined;
      expect(
        await rowsRebuiltBy(db, async () => {
          after = await readiness.programme('prog');
        }),
      ).toEqual([]);
      expect(after?.today).toBe('2027-01-16');
      expect(after?.waves[0].networks.map((r) => r.blockers.includes(passed))).toEqual([true, true]);
      expect(after?.waves[0].networks.map((r) => r.rag)).toEqual(['red', 'red']);

      // a record changed on the new day is read again, and assessed for that day
      await db('practices').where({ id: 'n-pr' }).update({ list_size: 12_000 });
      let changed: typeof before | undefined;
      expect(
        await rowsRebuiltBy(db, async () => {
          changed = await readiness.programme('prog');
        }),
      ).toEqual(['n']);
      expect(changed?.waves[0].networks.find((r) => r.networkId === 'n')).toMatchObject({ listSize: 12_000, rag: 'red' });
      expect(changed?.waves[0].networks.find((r) => r.networkId === 'n')?.blockers).toContain(passed);
    } finally {
      vi.useRealTimers();
    }
  });
});
