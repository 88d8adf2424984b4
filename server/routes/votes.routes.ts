import { z } from 'zod';
import { choiceSchema } from '../../domain/voting/ballot';
import { electionMethodSchema } from '../../domain/voting/election';
import { decisionTypeSchema, votingRulePatchSchema } from '../../domain/voting/rule';
import { defineRoute, type RouteDef } from '../route';
import { idParam } from '../schemas';
import type { Services } from '../services';

const trimmed = (max: number) => z.string().trim().min(1).max(max);
const instant = z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'must be an ISO date-time');
const id = z.string().min(1).max(64);

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

const receiptParams = z.object({ id, code: z.string().trim().min(4).max(40) });

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
  live: z.object({ provisional: z.literal(true), result: outcome, explanationLines: z.array(z.string()) }).passthrough().nullable(),
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

/** The answer of POST /actions/:token/ballot (for the actions route table's OpenAPI response). */
export const ballotReceiptResponse = z.object({ kind: z.enum(['vote', 'ballot']), receiptCode: z.string(), checkUrl: z.string() }).passthrough();

/** Motions, voting rules and elections (API.md "motions and elections" rows). */
export function votesRoutes(s: Services): RouteDef[] {
  return [
    defineRoute({
      method: 'get', path: '/networks/:id/voting-rules', tag: 'votes', policy: { action: 'network.read', scope: { network: 'id' } }, summary: 'The voting rule in force for each decision type', params: idParam,
      handler: ({ params }) => s.votingRules.votingRules(params.id),
    }),
    defineRoute({
      method: 'put', path: '/networks/:id/voting-rules', tag: 'votes', policy: { action: 'network.manage', scope: { network: 'id' } }, summary: "Set the network's own voting rules (as its constitution adopts them); a new rule version",
      params: idParam, body: votingRulesBody,
      handler: ({ params, body, staff }) => s.votingRules.setVotingRules(staff!.name, params.id, body.rules),
    }),
    defineRoute({
      method: 'post', path: '/networks/:id/motions', tag: 'votes', policy: { action: 'motion.open', scope: { network: 'id' } }, summary: 'Open a motion: the rule in force is snapshotted and ballot links go out', status: 201,
      params: idParam, body: createMotionBody, response: z.object({ id: z.string(), rule: z.unknown(), ruleDescription: z.string(), closesAt: z.string(), workflowId: z.string() }),
      handler: ({ params, body, staff }) => s.motions.createMotion(staff!.name, params.id, body),
    }),
    defineRoute({
      method: 'get', path: '/networks/:id/motions', tag: 'votes', policy: { action: 'motion.read', scope: { network: 'id' } }, summary: "A network's motions", params: idParam,
      handler: ({ params }) => s.motions.listMotions(params.id),
    }),
    defineRoute({
      method: 'get', path: '/motions/:id', tag: 'votes', policy: { action: 'motion.read', scope: { motion: 'id' } }, summary: 'Status, turnout, and after close (or live for open ballots) tallies with the quorum and threshold arithmetic',
      params: idParam, response: motionResponse,
      handler: ({ params }) => s.motions.getMotion(params.id),
    }),
    defineRoute({
      method: 'post', path: '/motions/:id/close', tag: 'votes', policy: { action: 'motion.manage', scope: { motion: 'id' } }, summary: "Close now and count; optional { chairCasting } settles an exact tie where the rule gives a casting vote",
      params: idParam, optionalBody: closeMotionBody, response: motionResponse,
      handler: ({ params, body, staff }) => s.motions.closeMotion(staff!.name, params.id, body),
    }),
    defineRoute({
      method: 'post', path: '/motions/:id/extend', tag: 'votes', policy: { action: 'motion.manage', scope: { motion: 'id' } }, summary: 'Extend the voting window to a later closesAt (audited)',
      params: idParam, body: extendBody, response: motionResponse,
      handler: ({ params, body, staff }) => s.motions.extendMotion(staff!.name, params.id, body),
    }),
    defineRoute({
      method: 'post', path: '/motions/:id/proxies', tag: 'votes', policy: { action: 'motion.manage', scope: { motion: 'id' } }, summary: "Record that a practice appoints another practice's representative as its proxy", status: 201,
      params: idParam, body: proxyBody,
      handler: ({ params, body, staff }) => s.motions.appointProxy(staff!.name, params.id, body),
    }),
    defineRoute({
      method: 'get', path: '/motions/:id/receipts/:code', tag: 'votes', access: 'public', summary: 'Whether the ballot with this receipt code was counted',
      params: receiptParams, response: z.object({ motionId: z.string(), counted: z.boolean(), motionStatus: z.string(), result: z.string().nullable() }),
      handler: ({ params }) => s.motions.motionReceipt(params.id, params.code),
    }),
    defineRoute({
      method: 'post', path: '/networks/:id/elections', tag: 'elections', policy: { action: 'election.open', scope: { network: 'id' } }, summary: 'Open an election by constituency (STV or FPTP): nominations, then ballot, then count', status: 201,
      params: idParam, body: createElectionBody,
      handler: ({ params, body, staff }) => s.elections.createElection(staff!.name, params.id, body),
    }),
    defineRoute({
      method: 'get', path: '/elections/:id', tag: 'elections', policy: { action: 'election.read', scope: { election: 'id' } }, summary: 'Phase, candidates, and after the count the elected per constituency with round-by-round transfers',
      params: idParam,
      handler: ({ params }) => s.elections.getElection(params.id),
    }),
    defineRoute({
      method: 'post', path: '/elections/:id/candidates', tag: 'elections', policy: { action: 'election.manage', scope: { election: 'id' } }, summary: 'Nominate a candidate with a statement and conflict-of-interest declaration', status: 201,
      params: idParam, body: nominateBody,
      handler: ({ params, body, staff }) => s.elections.nominate(staff!.name, params.id, body),
    }),
    defineRoute({
      method: 'post', path: '/elections/:id/close', tag: 'elections', policy: { action: 'election.manage', scope: { election: 'id' } }, summary: 'Close the current phase now: nominations (the ballot opens) or the ballot (the count runs)',
      params: idParam,
      handler: ({ params, staff }) => s.elections.advanceElection(staff!.name, params.id),
    }),
    defineRoute({
      method: 'get', path: '/elections/:id/receipts/:code', tag: 'elections', access: 'public', summary: 'Whether the election ballot with this receipt code was counted',
      params: receiptParams,
      handler: ({ params }) => s.elections.electionReceipt(params.id, params.code),
    }),
  ];
}
