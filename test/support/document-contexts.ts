/**
 * Contexts for the documents that are not built from a network's facts (a completion certificate, an
 * election result, a vote result), shared by the template and sealing tests and `npm run samples`.
 */
import type { CompletionCertificateContext, ElectionResultInput } from '../../templates';
import { describeCount, tieRuleWords } from '../../domain/voting/count-words';
import { countStv, type StvResult } from '../../domain/voting/stv';

/**
 * A signed round of the Highway Network: two partners, one signing in summer (London on BST, an
 * hour ahead) and one in winter (London on GMT), so a certificate shows both offsets.
 */
export function makeCertificateContext(
  document: CompletionCertificateContext['document'],
  overrides: Partial<CompletionCertificateContext> = {},
): CompletionCertificateContext {
  return {
    network: { name: 'Highway Network' },
    document,
    completedAt: '2009-06-15T13:05:09Z',
    signers: [
      {
        name: 'Dr James Evans',
        email: 'james.evans@example.org',
        practice: 'Jubilee Street Group Practice',
        capacity: 'Partner',
        consentVersion: 'esign-consent-1',
        signedAt: '2009-06-15T13:05:09Z',
        ip: '203.0.113.7',
        userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
        method: 'Action link sent by email; typed name',
      },
      {
        name: 'Dr Peter Ali',
        email: 'peter.ali@example.org',
        practice: 'Highway Practice',
        capacity: 'Partner',
        consentVersion: 'esign-consent-1',
        signedAt: '2009-01-14T08:00:00Z',
        ip: '198.51.100.4',
        userAgent: 'Mozilla/5.0 (Windows NT 10.0)',
        method: 'Action link sent by email; typed name',
      },
    ],
    ...overrides,
  };
}

/**
 * The election-result context of one constituency ("Whole network") counted by STV from `ballots`,
 * with the count itself for tests that check its ties. The election's id seeds the lot, as in a
 * real count.
 */
export function stvElectionResult(input: {
  networkName: string;
  election: ElectionResultInput['election'];
  seats: number;
  candidates: { id: string; name: string; practice: string }[];
  ballots: string[][];
  turnout: ElectionResultInput['turnout'];
}): { count: StvResult; context: ElectionResultInput } {
  const { candidates, ballots } = input;
  const count = countStv({ seats: input.seats, candidates, seed: input.election.id, ballots });
  const words = describeCount(count, (id) => candidates.find((c) => c.id === id)?.name ?? id);
  return {
    count,
    context: {
      network: { name: input.networkName },
      election: input.election,
      turnout: input.turnout,
      constituencies: [
        {
          name: 'Whole network',
          seats: input.seats,
          ballots: ballots.length,
          candidates: candidates.map((c) => ({
            name: c.name,
            practice: c.practice,
            votes: String(count.firstPreferences[c.id]),
            elected: count.elected.includes(c.id),
          })),
          elected: words.elected,
          summary: words.summary,
          rounds: words.rounds,
          ties: words.ties,
        },
      ],
      tieRule: tieRuleWords(),
    },
  };
}

/** The result of a constitutional vote of the Highway Network: carried by three practices of four. */
export const voteResultContext = {
  network: { name: 'Highway Network' },
  motion: {
    id: 'motion-7',
    title: 'Adopt the terms of reference',
    decisionType: 'constitutional',
    openedAt: '2009-04-01T09:00:00Z',
    closedAt: '2009-04-15T17:00:00Z',
  },
  rule: { version: 'tor-v1', description: 'Special resolution: at least 75% of votes cast, one practice one vote' },
  electorate: { practices: 4 },
  tallies: { for: 3, against: 1, abstain: 0 },
  quorum: { met: true, arithmetic: '4 of 4 member practices voted; the quorum is more than half (3), so the vote is quorate.' },
  threshold: { met: true, arithmetic: '3 of 4 votes cast (75%) were for; at least 75% were needed.' },
  result: 'carried',
  ballots: [
    { practice: 'Jubilee Street Group Practice', choice: 'for' },
    { practice: 'Highway Practice', choice: 'for' },
    { practice: 'Bow Road Practice', choice: 'for' },
    { practice: 'Whitechapel Practice', choice: 'against' },
  ],
};
