import { afterAll, describe, expect, it } from 'vitest';
import { createRepos } from '../../db/repos';
import { loadPersonActor } from '../../server/auth';
import { testAuditEvidence } from '../support/codec';
import { freshMigratedDb } from '../support/databases';
import { seedNetwork } from '../support/network-seed';

/**
 * Every staff request loads its caller's powers as they are now, so what that costs is paid on
 * every request: four statements (the person, grants with their programmes, places in practices,
 * appointments), on both databases.
 */
describe.each(['sqlite', 'postgres'] as const)('loading the caller of a request on %s', (kind) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('reads grants with their programmes, places and offices (a chair by practice role too) in four statements', async () => {
    const db = await freshMigratedDb(kind, cleanups);
    const repos = createRepos(testAuditEvidence());
    const { programmeId, networkId } = await seedNetwork(db, repos, {
      programme: { id: 'prog-b' },
      network: {
        id: 'n',
        name: 'N',
        practices: [
          {
            id: 'pr',
            name: 'Practice',
            odsCode: 'A1',
            listSize: 10,
            people: [{ id: 'm1', name: 'Dr Cass', email: 'cass@example.org', roles: ['partner', 'chair'] }],
          },
        ],
      },
    });
    await repos.records.insertProgramme(db, { id: 'prog-a', name: 'Another', sponsor: 'ICB', footprint: { minListSize: 1, maxListSize: 100000 } });
    const person = (await repos.persons.byEmail(db, 'cass@example.org'))!;
    await repos.persons.grant(db, { personId: person.id, role: 'facilitator', programmeIds: [programmeId, 'prog-a'] });
    await repos.persons.grant(db, { personId: person.id, role: 'commissioner', programmeIds: [] });
    await repos.offices.appoint(db, { id: 'ap1', networkId, memberId: 'm1', office: 'Clinical director', startsOn: '2000-01-01', endsOn: '2999-12-31' });

    const statements: string[] = [];
    const watch = (q: { sql: string }) => statements.push(q.sql);
    db.on('query', watch);
    const actor = await loadPersonActor({ db, repos }, person.id, { kind: 'token', id: 't' }).finally(() => db.off('query', watch));

    expect(statements).toHaveLength(4);
    expect(actor).toMatchObject({ personId: person.id, name: 'Dr Cass', email: 'cass@example.org', isAdmin: false });
    expect(actor!.grants.map((g) => ({ role: g.role, programmeIds: g.programmeIds }))).toEqual([
      { role: 'facilitator', programmeIds: ['prog-a', 'prog-b'] },
      { role: 'commissioner', programmeIds: [] },
    ]);
    expect(actor!.memberships).toEqual([{ memberId: 'm1', practiceId: 'pr', networkId, programmeId, roles: ['partner', 'chair'] }]);
    expect(actor!.offices).toEqual([
      { networkId, programmeId, office: 'clinical-director' },
      { networkId, programmeId, office: 'chair' },
    ]);
  });
});
