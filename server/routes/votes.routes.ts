import { z } from 'zod';
import { choiceSchema } from '../../domain/voting/voting.schema';
import { electionMethodSchema } from '../../domain/voting/voting.schema';
import { decisionTypeSchema, votingRulePatchSchema, votingRuleSchema } from '../../domain/voting/rule';
import { defineRoute, type RouteDef } from '../route';
import { idField, idParam, textField } from '../schemas';
import { electionResult } from './action-views';
import type { Services } from '../services';

// names and text typed here reach documents and pages: the characters a document cannot hold are refused
const trimmed = textField;
/** an instant with its offset, as RFC 3339 (the OpenAPI `date-time` format) has it: 2030-03-16T17:00:00Z */
const instant = z.iso.datetime({ offset: true });
const id = idField;

/** One decision type's rule change: the domain's rule patch (domain/voting/rule.ts) and its decision type. */
export const rulePatchSchema = z.object({ decisionType: decisionTypeSchema, ...votingRulePatchSchema.shape }).strict();

export const votingRulesBody = z.object({ rules: z.array(rulePatchSchema).min(1).max(8) });

export const createMotionBody = z.object({
  title: trimmed(300),
  text: z.string().trim().max(20_000).default(''),
  decisionType: decisionTypeSchema,
  closesAt: instant,
  documentId: id.optional(),
  subjectPracticeId: id.optional(),
  /** secret or open ballot for this motion; by default, as the rule in force says */
  ballot: z.enum(['open', 'secret']).optional(),
});

const closeMotionBody = z.object({ chairCasting: z.enum(['for', 'against']).optional() }).strict();
export const extendBody = z.object({ closesAt: instant });
export const proxyBody = z.object({ principalPracticeId: id, proxyPracticeId: id });

export const createElectionBody = z.object({
  title: trimmed(300),
  method: electionMethodSchema,
  constituencies: z
    .array(z.object({ name: trimmed(200), seats: z.number().int().min(1).max(50), practiceIds: z.array(id).min(1).max(1000) }))
    .min(1)
    .max(50),
  nominationsCloseAt: instant,
  ballotCloseAt: instant,
  termMonths: z.number().int().min(1).max(120).optional(),
});

export const nominateBody = z.object({
  personId: id,
  constituency: trimmed(200),
  statement: z.string().trim().min(1).max(5000),
  conflictOfInterest: z.string().trim().max(5000).optional(),
});

/** The body of POST /actions/:token/ballot: a choice on a motion, or preferences in an election. */
export const ballotBody = z.union([
  z.object({ choice: choiceSchema, onBehalfOf: id.optional() }).strict(),
  z.object({ preferences: z.array(id).min(1).max(200) }).strict(),
]);

const receiptParams = z.object({
  id,
  code: z
    .string()
    .min(4)
    .max(40)
    .regex(/^[A-Za-z0-9-]+$/, 'a receipt code is letters, digits and hyphens'),
});

const outcome = z.enum(['carried', 'lost', 'inquorate']);

/** GET /motions/:id: `result` is the outcome (API.md); `count` is the arithmetic that reached it. */
const motionResponse = z.object({
  id: z.string(),
  networkId: z.string(),
  title: z.string(),
  status: z.enum(['open', 'closed']),
  ballot: z.enum(['open', 'secret']),
  rule: z.unknown(),
  ruleDescription: z.string(),
  closesAt: z.string(),
  turnout: z.object({ voted: z.number(), eligible: z.number() }).passthrough(),
  live: z
    .object({ provisional: z.literal(true), result: outcome, explanationLines: z.array(z.string()) })
    .passthrough()
    .nullable(),
  result: outcome.nullable(),
  count: z
    .object({
      ruleVersion: z.string(),
      quorum: z.object({ required: z.number(), present: z.number(), met: z.boolean(), explanation: z.string() }).passthrough(),
      tallies: z.object({ for: z.number(), against: z.number(), abstain: z.number(), eligible: z.number() }),
      thresholdExplanation: z.string(),
      explanationLines: z.array(z.string()),
      castingVoteUsed: z.boolean(),
      tie: z.boolean(),
    })
    .passthrough()
    .nullable(),
});

const named = z.object({ id: z.string(), name: z.string() });

/** The answer of POST /actions/:token/ballot (for the actions route table's OpenAPI response). */
export const ballotReceiptResponse = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('vote'),
    receiptCode: z.string(),
    checkUrl: z.string(),
    choice: choiceSchema.optional(),
    motionId: z.string(),
    practice: named,
    byProxy: z.boolean(),
  }),
  z.object({ kind: z.literal('ballot'), receiptCode: z.string(), checkUrl: z.string(), electionId: z.string(), practice: named, constituency: z.string() }),
]);

const rulesResponse = z.object({ networkId: z.string(), rules: z.array(votingRuleSchema.extend({ description: z.string() })) });

const electionResponse = z.object({
  id: z.string(),
  networkId: z.string(),
  title: z.string(),
  method: electionMethodSchema,
  phase: z.enum(['nominations', 'ballot', 'counted']),
  nominationsCloseAt: z.string(),
  ballotCloseAt: z.string(),
  termMonths: z.number(),
  tieRule: z.string(),
  turnout: z.object({ voted: z.number(), eligible: z.number() }),
  constituencies: z.array(
    z.object({
      name: z.string(),
      seats: z.number(),
      practices: z.array(z.object({ id: z.string(), name: z.string(), voted: z.boolean() })),
      candidates: z.array(
        z.object({
          id: z.string(),
          personId: z.string(),
          name: z.string(),
          practiceId: z.string(),
          practiceName: z.string(),
          statement: z.string(),
          conflictOfInterest: z.string().nullable(),
        }),
      ),
      result: electionResult.nullable(),
    }),
  ),
  appointments: z.array(
    z.object({ name: z.string(), personId: z.string(), office: z.string(), constituency: z.string().nullable(), startsOn: z.string(), endsOn: z.string() }),
  ),
});

/** Motions, voting rules and elections (API.md "motions and elections" rows). */
export function votesRoutes(s: Services): RouteDef[] {
  return [
    defineRoute({
      method: 'get',
      path: '/networks/:id/voting-rules',
      tag: 'votes',
      policy: { action: 'network.read', scope: { network: 'id' } },
      summary: 'The voting rule in force for each decision type',
      params: idParam,
      response: rulesResponse,
      handler: ({ params }) => s.votingRules.votingRules(params.id),
    }),
    defineRoute({
      method: 'put',
      path: '/networks/:id/voting-rules',
      tag: 'votes',
      policy: { action: 'network.manage', scope: { network: 'id' } },
      summary: "Set the network's own voting rules (as its constitution adopts them); a new rule version",
      params: idParam,
      body: votingRulesBody,
      response: rulesResponse.extend({ version: z.string() }),
      handler: ({ params, body, staff }) => s.votingRules.setVotingRules(staff!.name, params.id, body.rules),
    }),
    defineRoute({
      method: 'post',
      path: '/networks/:id/motions',
      tag: 'votes',
      policy: { action: 'motion.open', scope: { network: 'id' } },
      summary: 'Open a motion: the rule in force is snapshotted and ballot links go out',
      status: 201,
      params: idParam,
      body: createMotionBody,
      response: z.object({ id: z.string(), rule: z.unknown(), ruleDescription: z.string(), closesAt: z.string(), workflowId: z.string() }),
      handler: ({ params, body, staff }) => s.motions.createMotion(staff!.name, params.id, body),
    }),
    defineRoute({
      method: 'get',
      path: '/networks/:id/motions',
      tag: 'votes',
      policy: { action: 'motion.read', scope: { network: 'id' } },
      summary: "A network's motions",
      params: idParam,
      response: z.array(
        z.object({
          id: z.string(),
          title: z.string(),
          decisionType: decisionTypeSchema,
          status: z.enum(['open', 'closed']),
          closesAt: z.string(),
          result: outcome.nullable(),
        }),
      ),
      handler: ({ params }) => s.motions.listMotions(params.id),
    }),
    defineRoute({
      method: 'get',
      path: '/motions/:id',
      tag: 'votes',
      policy: { action: 'motion.read', scope: { motion: 'id' } },
      summary: 'Status, turnout, and after close (or live for open ballots) tallies with the quorum and threshold arithmetic',
      params: idParam,
      response: motionResponse,
      handler: ({ params }) => s.motions.getMotion(params.id),
    }),
    defineRoute({
      method: 'post',
      path: '/motions/:id/close',
      tag: 'votes',
      policy: { action: 'motion.manage', scope: { motion: 'id' } },
      summary: 'Close now and count; optional { chairCasting } settles an exact tie where the rule gives a casting vote',
      params: idParam,
      optionalBody: closeMotionBody,
      response: motionResponse,
      handler: ({ params, body, staff }) => s.motions.closeMotion(staff!.name, params.id, body),
    }),
    defineRoute({
      method: 'post',
      path: '/motions/:id/extend',
      tag: 'votes',
      policy: { action: 'motion.manage', scope: { motion: 'id' } },
      summary: 'Extend the voting window to a later closesAt (audited)',
      params: idParam,
      body: extendBody,
      response: motionResponse,
      handler: ({ params, body, staff }) => s.motions.extendMotion(staff!.name, params.id, body),
    }),
    defineRoute({
      method: 'post',
      path: '/motions/:id/proxies',
      tag: 'votes',
      policy: { action: 'motion.manage', scope: { motion: 'id' } },
      summary: "Record that a practice appoints another practice's representative as its proxy",
      status: 201,
      params: idParam,
      body: proxyBody,
      response: z.array(
        z.object({
          principalPracticeId: z.string(),
          principalName: z.string(),
          proxyPracticeId: z.string(),
          proxyName: z.string(),
          appointedBy: z.string(),
          appointedAt: z.string(),
        }),
      ),
      handler: ({ params, body, staff }) => s.motions.appointProxy(staff!.name, params.id, body),
    }),
    defineRoute({
      method: 'get',
      path: '/motions/:id/receipts/:code',
      tag: 'votes',
      access: 'public',
      summary: 'Whether the ballot with this receipt code was counted',
      params: receiptParams,
      rateLimit: 'lookup',
      response: z.object({ motionId: z.string(), counted: z.boolean(), motionStatus: z.string(), result: z.string().nullable() }),
      handler: ({ params }) => s.motions.motionReceipt(params.id, params.code),
    }),
    defineRoute({
      method: 'post',
      path: '/networks/:id/elections',
      tag: 'elections',
      policy: { action: 'election.open', scope: { network: 'id' } },
      summary: 'Open an election by constituency (STV or FPTP): nominations, then ballot, then count',
      status: 201,
      params: idParam,
      body: createElectionBody,
      response: electionResponse,
      handler: ({ params, body, staff }) => s.elections.createElection(staff!.name, params.id, body),
    }),
    defineRoute({
      method: 'get',
      path: '/elections/:id',
      tag: 'elections',
      policy: { action: 'election.read', scope: { election: 'id' } },
      summary: 'Phase, candidates, and after the count the elected per constituency with round-by-round transfers',
      params: idParam,
      response: electionResponse,
      handler: ({ params }) => s.elections.getElection(params.id),
    }),
    defineRoute({
      method: 'post',
      path: '/elections/:id/candidates',
      tag: 'elections',
      policy: { action: 'election.manage', scope: { election: 'id' } },
      summary: 'Nominate a candidate with a statement and conflict-of-interest declaration',
      status: 201,
      params: idParam,
      body: nominateBody,
      response: z.object({
        id: z.string(),
        personId: z.string(),
        name: z.string(),
        constituency: z.string(),
        statement: z.string(),
        conflictOfInterest: z.string().nullable(),
      }),
      handler: ({ params, body, staff }) => s.elections.nominate(staff!.name, params.id, body),
    }),
    defineRoute({
      method: 'delete',
      path: '/elections/:id/candidates/:candidateId',
      tag: 'elections',
      policy: { action: 'election.manage', scope: { election: 'id' } },
      status: 204,
      summary: 'Withdraw a candidate while nominations are open (audited); 409 WRONG_PHASE once they have closed',
      params: z.object({ id: idField, candidateId: idField }),
      handler: async ({ params, staff, res }) => {
        await s.elections.withdraw(staff!.name, params.id, params.candidateId);
        res.status(204).end();
      },
    }),
    defineRoute({
      method: 'post',
      path: '/elections/:id/close',
      tag: 'elections',
      policy: { action: 'election.manage', scope: { election: 'id' } },
      summary: 'Close the current phase now: nominations (the ballot opens) or the ballot (the count runs)',
      params: idParam,
      response: electionResponse,
      handler: ({ params, staff }) => s.elections.advanceElection(staff!.name, params.id),
    }),
    defineRoute({
      method: 'get',
      path: '/elections/:id/receipts/:code',
      tag: 'elections',
      access: 'public',
      summary: 'Whether the election ballot with this receipt code was counted',
      params: receiptParams,
      rateLimit: 'lookup',
      response: z.object({ electionId: z.string(), counted: z.boolean(), phase: z.enum(['nominations', 'ballot', 'counted']) }),
      handler: ({ params }) => s.elections.electionReceipt(params.id, params.code),
    }),
  ];
}
