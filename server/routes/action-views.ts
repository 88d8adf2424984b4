import { z } from 'zod';
import { CASE_STATUSES } from '../../domain/disputes/case';
import { PANEL_OUTCOMES } from '../../domain/panel';
import { choiceSchema } from '../../domain/voting/voting.schema';
import { electionMethodSchema } from '../../domain/voting/voting.schema';
import { decisionTypeSchema } from '../../domain/voting/rule';
import { actionResponse } from '../schemas';

/**
 * What `GET /actions/:token` answers, one shape per kind of link, told apart by `kind` (API.md:
 * `{ kind: "sign" | "vote" | "score" | …, … }`).
 */
/** Where a dispute case stands in time: its due date, clock, days left, breaches, opening and closing. */
export const caseTiming = {
  dueOn: z.string().nullable(),
  clock: z.enum(['running', 'paused', 'none']),
  daysLeft: z.number().nullable(),
  timeLeft: z.string(),
  breaches: z.number(),
  openedOn: z.string(),
  closedOn: z.string().nullable(),
};

/** One event of a dispute case's history, as the case page and the case's action link show it. */
export const caseHistoryEntry = z.object({
  seq: z.number().nullable(),
  at: z.string(),
  type: z.string(),
  what: z.string(),
  by: z.string(),
  text: z.string(),
  step: z.number().nullable(),
});

const named = z.object({ id: z.string(), name: z.string() });
const outcome = z.enum(['carried', 'lost', 'inquorate']);
const phase = z.enum(['nominations', 'ballot', 'counted']);

export const electionResult = z.object({ ballots: z.number(), elected: z.array(named), count: z.unknown() });

const voteView = z.object({
  kind: z.literal('vote'),
  status: z.string(),
  expiresAt: z.string(),
  person: z.object({ id: z.string(), name: z.string(), email: z.string() }),
  practice: named,
  network: named,
  motion: z.object({
    id: z.string(),
    title: z.string(),
    text: z.string(),
    decisionType: decisionTypeSchema,
    closesAt: z.string(),
    ballot: z.enum(['open', 'secret']),
    ruleDescription: z.string(),
    documentId: z.string().nullable(),
  }),
  choices: z.array(choiceSchema),
  votedByProxy: z.boolean(),
  proxyFor: z.array(z.object({ practiceId: z.string(), practiceName: z.string(), voted: z.boolean() })),
  turnout: z.object({ voted: z.number(), eligible: z.number() }),
  result: outcome.nullable(),
  count: z.object({ explanationLines: z.array(z.string()), ruleVersion: z.string() }).nullable(),
  certificate: z.object({ documentId: z.string(), sha256: z.string(), pdfUrl: z.string(), docxUrl: z.string() }).nullable(),
  links: z.object({ page: z.string() }),
});

const ballotView = z.object({
  kind: z.literal('ballot'),
  status: z.string(),
  expiresAt: z.string(),
  person: z.object({ id: z.string(), name: z.string(), email: z.string() }),
  practice: named,
  election: z.object({ id: z.string(), title: z.string(), method: electionMethodSchema, phase, ballotCloseAt: z.string(), tieRule: z.string() }),
  constituency: z.object({ name: z.string(), seats: z.number() }),
  candidates: z.array(
    z.object({ id: z.string(), name: z.string(), practiceName: z.string(), statement: z.string(), conflictOfInterest: z.string().nullable() }),
  ),
  instructions: z.string(),
  result: electionResult.nullable(),
});

const scoreView = z.object({
  kind: z.literal('score'),
  status: z.enum(['pending', 'scored', 'excluded', 'closed', 'expired']),
  expiresAt: z.string(),
  member: z.object({ name: z.string(), organisation: z.string(), external: z.boolean() }),
  network: named,
  wave: z.object({ number: z.number(), panelDate: z.string() }),
  criteria: z.array(z.object({ key: z.string(), title: z.string(), weight: z.number() })),
  exclusionReason: z.string().nullable(),
  pack: z.object({ title: z.string(), version: z.number(), pdfUrl: z.string() }).nullable(),
  score: z
    .object({
      scores: z.array(z.object({ criterion: z.string(), score: z.number(), comment: z.string() })),
      recommendation: z.enum(PANEL_OUTCOMES),
      conditions: z.array(z.string()),
      scoredAt: z.string(),
    })
    .nullable(),
});

const disputeView = z.object({
  kind: z.enum(['dispute-case', 'dispute-external']),
  expiresAt: z.string(),
  expired: z.boolean(),
  person: z.object({ id: z.string(), name: z.string(), organisation: z.string() }),
  case: z.object({
    id: z.string(),
    programmeId: z.string(),
    networkId: z.string(),
    networkName: z.string(),
    title: z.string(),
    summary: z.string(),
    status: z.enum(CASE_STATUSES),
    statusWords: z.string(),
    stage: z.string().nullable(),
    stageTitle: z.string().nullable(),
    parties: z.array(z.object({ practiceId: z.string(), name: z.string() })),
    step: z.object({
      number: z.number(),
      name: z.string(),
      description: z.string(),
      limit: z.string(),
      startedOn: z.string(),
      dueOn: z.string().nullable(),
      clock: z.enum(['running', 'paused']),
      hasLimit: z.boolean(),
      mayDetermine: z.boolean(),
      external: z.string().nullable(),
    }),
    ladder: z.array(z.object({ number: z.number(), name: z.string(), limit: z.string(), position: z.string() })),
    externalPerson: z.object({ name: z.string(), organisation: z.string(), role: z.string() }).nullable(),
    openedBy: z.string(),
    fromIssue: z.object({ id: z.string(), title: z.string().nullable() }).nullable(),
    settlement: z.object({ id: z.string(), title: z.string(), version: z.number(), status: z.string() }).nullable(),
    history: z.array(caseHistoryEntry),
    ...caseTiming,
  }),
});

export const actionViewResponse = z.discriminatedUnion('kind', [actionResponse, voteView, ballotView, scoreView, disputeView]);
