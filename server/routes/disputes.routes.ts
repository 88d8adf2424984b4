import { z } from 'zod';
import { CASE_EVENT_TYPES, MAX_EXTENSION } from '../../domain/disputes/case';
import { EXTERNAL_ROLES, STEP_KINDS } from '../../domain/disputes/ladder';
import { STAGE_KEYS } from '../../domain/stages';
import { optionsSchema as procedureOptions } from '../../templates/dispute-resolution/schema';
import { caseHistoryEntry, caseTiming } from './action-views';
import { defineRoute, type RouteDef } from '../route';
import { calendarDate, emailAddress, idField, idParam, tokenParam, textField } from '../schemas';
import type { Services } from '../services';

// names and text typed here reach documents and pages: the characters a document cannot hold are refused
const trimmed = textField;
const id = idField;

export const openCaseBody = z
  .object({
    title: trimmed(300),
    summary: trimmed(5000),
    parties: z.array(id).min(2, 'a dispute is between two or more practices: name at least two').max(50),
    stage: z.enum(STAGE_KEYS).optional(),
  })
  .strict();

/** An event on a case: `days` goes with `extend`, and only with it. */
export const caseEventBody = z
  .object({
    type: z.enum(CASE_EVENT_TYPES),
    text: trimmed(10_000),
    days: z.number().int().min(1).max(MAX_EXTENSION).optional(),
  })
  .strict()
  .superRefine((e, ctx) => {
    if (e.type === 'extend' && e.days === undefined) ctx.addIssue({ code: 'custom', path: ['days'], message: 'say by how many days the step is extended' });
    if (e.type !== 'extend' && e.days !== undefined) ctx.addIssue({ code: 'custom', path: ['days'], message: 'days go only with an extension' });
  });

export const externalBody = z.object({ name: trimmed(300), email: emailAddress(), organisation: trimmed(300) }).strict();

const procedureBody = z.object({ adoptedOn: calendarDate, options: procedureOptions.default(procedureOptions.parse({})) }).strict();

const procedureResponse = z.object({
  networkId: z.string(),
  adopted: z
    .object({
      options: z.object({
        lmcName: z.string(),
        timescales: z.object({
          informalWorkingDays: z.number(),
          boardWorkingDays: z.number(),
          lmcReferralWorkingDays: z.number(),
          lmcViewDays: z.number(),
          mediationDays: z.number(),
        }),
        mediationCosts: z.string(),
        riskReviewFrequency: z.string(),
      }),
      adoptedOn: z.string(),
      recordedBy: z.string(),
    })
    .nullable(),
  ladder: z.array(
    z.object({
      number: z.number(),
      kind: z.enum(STEP_KINDS),
      name: z.string(),
      limit: z.object({ amount: z.number(), unit: z.enum(['working-days', 'days']) }).nullable(),
      external: z.enum(EXTERNAL_ROLES).nullable(),
      mayDetermine: z.boolean(),
      description: z.string(),
    }),
  ),
});

const stepResponse = z.object({ number: z.number(), name: z.string() });
const registerResponse = z.array(
  z.object({
    id: z.string(),
    networkId: z.string(),
    networkName: z.string(),
    title: z.string(),
    status: z.enum(['open', 'resolved', 'withdrawn', 'determined']),
    parties: z.array(z.object({ practiceId: z.string(), name: z.string() })),
    stage: z.string().nullable(),
    step: stepResponse,
    ...caseTiming,
  }),
);
const caseResponse = z
  .object({
    id: z.string(),
    status: z.enum(['open', 'resolved', 'withdrawn', 'determined']),
    title: z.string(),
    summary: z.string(),
    step: z
      .object({ number: z.number(), name: z.string(), startedOn: z.string(), dueOn: z.string().nullable(), clock: z.enum(['running', 'paused']) })
      .passthrough(),
    parties: z.array(z.object({ practiceId: z.string(), name: z.string() })),
    breaches: z.number(),
    history: z.array(caseHistoryEntry),
  })
  .passthrough();
const receiptResponse = z.object({
  seq: z.number(),
  type: z.string(),
  status: z.string(),
  step: z.number(),
  stepName: z.string(),
  dueOn: z.string().nullable(),
  clock: z.enum(['running', 'paused', 'none']),
});

/** Dispute cases (API.md "Disputes"), the network's adopted procedure, and dispute links. */
export function disputesRoutes(s: Services): RouteDef[] {
  return [
    defineRoute({
      method: 'post',
      path: '/networks/:id/disputes',
      tag: 'disputes',
      policy: { action: 'dispute.open', scope: { network: 'id' } },
      status: 201,
      summary: 'Open a dispute case between two or more of the network’s practices, optionally holding a stage',
      params: idParam,
      body: openCaseBody,
      response: z.object({ id: z.string(), step: stepResponse, dueOn: z.string().nullable() }),
      handler: ({ params, body, person, scope }) => s.disputes.openAs(person!, scope, params.id, body),
    }),
    defineRoute({
      method: 'get',
      path: '/networks/:id/disputes',
      tag: 'disputes',
      policy: { action: 'dispute.read', scope: { network: 'id' } },
      summary: 'The network’s register: open and closed cases, step, days left, breaches',
      params: idParam,
      response: registerResponse,
      handler: ({ params }) => s.disputes.listForNetwork(params.id),
    }),
    defineRoute({
      method: 'get',
      path: '/programmes/:id/disputes',
      tag: 'disputes',
      policy: { action: 'dispute.read', scope: { programme: 'id' } },
      summary: 'The programme’s register: every network’s cases, step, days left, breaches',
      params: idParam,
      response: registerResponse,
      handler: ({ params }) => s.disputes.listForProgramme(params.id),
    }),
    defineRoute({
      method: 'get',
      path: '/disputes/:id',
      tag: 'disputes',
      policy: { action: 'dispute.read', scope: { dispute: 'id' } },
      summary: 'A case: status, step and its clock, parties, the ladder, and its history',
      params: idParam,
      response: caseResponse,
      handler: ({ params }) => s.disputes.get(params.id),
    }),
    defineRoute({
      method: 'post',
      path: '/disputes/:id/events',
      tag: 'disputes',
      policy: { action: 'dispute.act', scope: { dispute: 'id' } },
      summary: 'Record an event: note, pause, resume, escalate, extend (with days), resolve (the terms), withdraw or determine; 409 on a closed case',
      params: idParam,
      body: caseEventBody,
      response: receiptResponse,
      handler: ({ params, body, person, scope }) => s.disputes.recordEventAs(person!, scope, params.id, body),
    }),
    defineRoute({
      method: 'post',
      path: '/disputes/:id/external-person',
      tag: 'disputes',
      policy: { action: 'dispute.act', scope: { dispute: 'id' } },
      status: 201,
      summary: 'Appoint the LMC officer, mediator or arbitrator of the current step; they are emailed a link to record their view or determination',
      params: idParam,
      body: externalBody,
      response: z.object({ externalId: z.string(), seq: z.number() }),
      handler: ({ params, body, person, scope }) => s.disputes.appointExternalAs(person!, scope, params.id, body),
    }),
    defineRoute({
      method: 'get',
      path: '/networks/:id/dispute-procedure',
      tag: 'disputes',
      policy: { action: 'dispute.read', scope: { network: 'id' } },
      summary: 'The dispute procedure the network adopted (else the programme default) and the ladder new cases climb',
      params: idParam,
      response: procedureResponse,
      handler: ({ params }) => s.disputes.procedure(params.id),
    }),
    defineRoute({
      method: 'put',
      path: '/networks/:id/dispute-procedure',
      tag: 'disputes',
      policy: { action: 'network.manage', scope: { network: 'id' } },
      summary: 'Record the dispute procedure the network adopted: the dispute-resolution template’s options (timescales, the LMC’s name)',
      params: idParam,
      body: procedureBody,
      response: procedureResponse,
      handler: ({ params, body, staff }) => s.disputes.adoptProcedure(staff!.name, params.id, body),
    }),
    defineRoute({
      method: 'post',
      path: '/actions/:token/case-events',
      tag: 'actions',
      access: 'token',
      link: { kinds: ['dispute-case', 'dispute-external'] },
      summary: 'Record an event on a case as the person its link was sent to (a party’s note or escalation; the LMC officer’s view or determination)',
      params: tokenParam,
      body: caseEventBody,
      response: receiptResponse,
      handler: ({ link, body }) => s.disputes.recordEventByLink(link!, body),
    }),
  ];
}
