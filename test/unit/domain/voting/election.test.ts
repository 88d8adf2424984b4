import { describe, expect, it } from 'vitest';
import {
  ballotPaperRefusal,
  constituencyProblems,
  countConstituencies,
  electionBallotRefusal,
  nominationRefusal,
  termOfOffice,
  withdrawalRefusal,
} from '../../../../domain/voting/election';

const constituencies = [
  { name: 'North', seats: 1, practiceIds: ['p1', 'p2'] },
  { name: 'South', seats: 2, practiceIds: ['p3'] },
];

describe('election rules', () => {
  it('finds constituencies that name strangers, repeat a practice or share a name', () => {
    expect(constituencyProblems(['p1', 'p2', 'p3'], constituencies)).toEqual([]);
    expect(constituencyProblems(['p1', 'p2'], constituencies)).toEqual([{ path: 'constituencies.1.practiceIds', message: 'unknown practice p3' }]);
    expect(constituencyProblems(['p1', 'p2', 'p3'], [...constituencies, { name: 'North', seats: 1, practiceIds: ['p1'] }]).map((p) => p.message)).toEqual([
      'p1 appears twice',
      'constituency names must be unique',
    ]);
  });

  it('takes a nomination only while nominations are open, once, for a member of the network in a real constituency', () => {
    const open = { phase: 'nominations' as const, constituencies, eligiblePersonIds: new Set(['a', 'b']), nominated: new Set(['b']) };
    expect(nominationRefusal(open, { personId: 'a', constituency: 'North' })).toBeUndefined();
    expect(nominationRefusal({ ...open, phase: 'ballot' }, { personId: 'a', constituency: 'North' })?.reason).toBe('WRONG_PHASE');
    expect(nominationRefusal(open, { personId: 'a', constituency: 'East' })?.reason).toBe('UNKNOWN_CONSTITUENCY');
    expect(nominationRefusal(open, { personId: 'z', constituency: 'North' })?.reason).toBe('NOT_ELIGIBLE');
    expect(nominationRefusal(open, { personId: 'b', constituency: 'North' })?.reason).toBe('ALREADY_NOMINATED');
  });

  it('lets a standing candidate withdraw only while nominations are open', () => {
    const open = { phase: 'nominations' as const, candidateIds: new Set(['c1', 'c2']) };
    expect(withdrawalRefusal(open, 'c1')).toBeUndefined();
    expect(withdrawalRefusal(open, 'c3')?.reason).toBe('NOT_A_CANDIDATE');
    for (const phase of ['opening', 'ballot', 'counting', 'counted'] as const) expect(withdrawalRefusal({ ...open, phase }, 'c1')?.reason).toBe('WRONG_PHASE');
  });

  it('takes one ballot per practice of a constituency, only while the ballot is open', () => {
    const ballot = { phase: 'ballot' as const, constituencies, voted: new Set(['p2']) };
    expect(electionBallotRefusal(ballot, 'p1')).toBeUndefined();
    expect(electionBallotRefusal({ ...ballot, phase: 'nominations' }, 'p1')).toMatchObject({
      reason: 'VOTING_CLOSED',
      message: 'The ballot has not opened yet.',
    });
    expect(electionBallotRefusal({ ...ballot, phase: 'counting' }, 'p1')).toMatchObject({ reason: 'VOTING_CLOSED', message: 'The ballot has closed.' });
    expect(electionBallotRefusal(ballot, 'p9')?.reason).toBe('NOT_IN_ELECTORATE');
    expect(electionBallotRefusal(ballot, 'p2')?.reason).toBe('ALREADY_VOTED');
  });

  it('spoils a paper that marks strangers, repeats, is blank, or marks too many under FPTP', () => {
    const standing = new Set(['c1', 'c2', 'c3']);
    expect(ballotPaperRefusal('stv', 1, standing, ['c2', 'c1'])).toBeUndefined();
    expect(ballotPaperRefusal('stv', 1, standing, ['c2', 'c2'])?.reason).toBe('INVALID_BALLOT');
    expect(ballotPaperRefusal('stv', 1, standing, ['x'])?.reason).toBe('INVALID_BALLOT');
    expect(ballotPaperRefusal('stv', 1, standing, [])?.reason).toBe('INVALID_BALLOT');
    expect(ballotPaperRefusal('fptp', 2, standing, ['c1', 'c3'])).toBeUndefined();
    expect(ballotPaperRefusal('fptp', 1, standing, ['c1', 'c3'])?.message).toContain('too many marks');
  });

  it('counts each constituency on its own papers, with lots seeded by the election', () => {
    const counted = countConstituencies({
      method: 'fptp',
      seed: 'election-1',
      constituencies,
      candidates: [
        { id: 'n1', name: 'N One', constituency: 'North' },
        { id: 'n2', name: 'N Two', constituency: 'North' },
        { id: 's1', name: 'S One', constituency: 'South' },
      ],
      ballots: [
        { constituency: 'North', preferences: ['n2'] },
        { constituency: 'North', preferences: ['n2'] },
        { constituency: 'South', preferences: ['s1'] },
      ],
    });
    expect(counted.map((c) => ({ name: c.name, ballots: c.ballots, elected: c.elected }))).toEqual([
      { name: 'North', ballots: 2, elected: ['n2'] },
      { name: 'South', ballots: 1, elected: ['s1'] },
    ]);
  });

  it('ends a term of office the given number of calendar months later', () => {
    expect(termOfOffice('2027-01-31', 24)).toEqual({ startsOn: '2027-01-31', endsOn: '2029-01-31', months: 24 });
  });
});
