import { transactionRetryingContention } from '../../db/knex';
import crypto from 'node:crypto';
import { WorkflowIdReusePolicy } from '@temporalio/client';
import type { DisputeRow } from '../../db/repos/disputes.repo';
import { type CaseActor, type CaseEventType, checkOpening, isClosed } from '../../domain/disputes/case';
import { buildLadder } from '../../domain/disputes/ladder';
import type { StageKey } from '../../domain/stages';
import { optionsSchema as procedureSchema } from '../../templates/dispute-resolution/schema';
import { appointExternalUpdate, caseEventUpdate, caseStateQuery, disputeWorkflowId } from '../../workflows/dispute-messages';
import { requireLive, type ActionLink } from '../action-links';
import type { ServerDeps } from '../deps';
import { AppError, zodDetails } from '../errors';
import type { AccessScope } from '../../domain/access/actions';
import { actorLabel, type PersonActor } from '../../domain/access/policy';
import { callWorkflow } from './deadline';
import { calendarNow, caseView, registerRow } from './dispute-views';

export interface OpenCaseRequest {
  title: string;
  summary: string;
  parties: string[];
  stage?: StageKey;
}

export interface CaseEventBody {
  type: CaseEventType;
  text: string;
  days?: number;
}

/**
 * Who a signed-in person is to a case, from the access policy's view of them: a facilitator of the
 * case's programme (or the administrator) steers it; a person of the network acts through their
 * practice roles and offices (a partner of a party, the chair); a commissioner only reads. The
 * route's policy has already let them in; the case's validator decides what they may record.
 */
export function caseActorFor(person: PersonActor, scope: AccessScope | null, name: string, parties: readonly string[] = scope?.practiceIds ?? []): CaseActor {
  const programmeId = scope?.programmeId ?? null;
  const networkId = scope?.networkId ?? null;
  const audit = actorLabel(person);
  const roles = person.grants.filter((g) => programmeId !== null && g.programmeIds.includes(programmeId)).map((g) => g.role);
  if (person.isAdmin || roles.includes('facilitator')) return { kind: 'staff', name, role: 'facilitator', audit };
  const offices = person.offices.filter((o) => o.networkId === networkId).map((o) => o.office);
  const memberships = person.memberships.filter((m) => m.networkId === networkId);
  const place = memberships.find((m) => parties.includes(m.practiceId)) ?? memberships[0];
  if (networkId && (place || offices.length))
    return {
      kind: 'person',
      personId: place?.memberId ?? person.personId,
      name,
      networkId,
      practiceId: place?.practiceId ?? '',
      roles: [...(place?.roles ?? []), ...offices],
      audit,
    };
  return { kind: 'staff', name, role: 'commissioner', audit };
}

/** Who a dispute link's holder is to the case: a person of the network, or the outside person of a step. */
export function linkActor(link: ActionLink): CaseActor {
  if (link.token.kind === 'dispute-external') return { kind: 'external', externalId: link.person.id, name: link.person.name };
  return {
    kind: 'person',
    personId: link.person.id,
    name: link.person.name,
    networkId: link.person.networkId,
    practiceId: link.person.practiceId,
    roles: link.person.roles,
  };
}

/**
 * Dispute cases over HTTP: a network's adopted procedure, opening a case (its workflow), recording
 * events and appointing outside people (Updates: the case's validators judge them), and reading the
 * registers and the case from the read model its workflow writes. A case is never queried per row.
 */
export function createDisputesService(deps: ServerDeps) {
  const { db, repos, temporal, taskQueue } = deps;

  async function requireNetwork(id: string) {
    const network = await repos.records.getNetwork(db, id);
    if (!network) throw new AppError('NOT_FOUND', `No network with id ${id}.`);
    return network;
  }

  async function requireCase(id: string): Promise<DisputeRow> {
    const row = await repos.disputes.get(db, id);
    if (!row) throw new AppError('NOT_FOUND', `No dispute case with id ${id}.`);
    return row;
  }

  async function ladderOf(networkId: string) {
    const adopted = await repos.disputes.getProcedure(db, networkId);
    return { adopted, ladder: buildLadder(adopted ? procedureSchema.parse(adopted.options) : undefined) };
  }

  /** An update to a case; once its workflow has ended, what the caller is told comes from the record. */
  async function update<T>(row: DisputeRow, fn: () => Promise<T>): Promise<T> {
    try {
      return await callWorkflow(temporal, fn);
    } catch (err) {
      if (err instanceof AppError && (err.code === 'ROUND_CLOSED' || err.code === 'NOT_FOUND')) {
        const now = await repos.disputes.get(db, row.id);
        if (now && isClosed(now.status)) throw new AppError('CASE_CLOSED', `This case is closed (${now.status}); nothing more can be recorded on it.`);
      }
      throw err;
    }
  }

  async function view(row: DisputeRow) {
    const network = await requireNetwork(row.networkId);
    const [events, externals] = await Promise.all([repos.disputes.events(db, row.id), repos.disputes.externalsOf(db, row.id)]);
    const issue = row.fromIssueId ? await repos.risks.getIssue(db, row.fromIssueId) : null;
    const issueLog = issue ? await repos.risks.logOf(db, issue.id) : [];
    const doc = row.settlementDocumentId ? await repos.documents.get(db, row.settlementDocumentId) : null;
    return caseView({
      row,
      network,
      events,
      externals,
      issueLog,
      issueTitle: issue?.title ?? null,
      settlement: doc ? { id: doc.id, title: doc.title, version: doc.version, status: doc.status } : null,
    });
  }

  /** A signed-in person as a case knows them: by name, with their standing from the access policy. */
  async function actorOf(person: PersonActor, scope: AccessScope | null, parties?: readonly string[]): Promise<CaseActor> {
    const record = await repos.persons.get(db, person.personId);
    return caseActorFor(person, scope, record?.name ?? 'A member of staff', parties);
  }

  return {
    actorOf,

    /** Opens a case for a signed-in person (the route's policy has let them in). */
    async openAs(person: PersonActor, scope: AccessScope | null, networkId: string, body: OpenCaseRequest) {
      return this.open(await actorOf(person, scope, body.parties), networkId, body);
    },

    async recordEventAs(person: PersonActor, scope: AccessScope | null, caseId: string, body: CaseEventBody) {
      return this.recordEvent(await actorOf(person, scope), caseId, body);
    },

    async appointExternalAs(person: PersonActor, scope: AccessScope | null, caseId: string, body: { name: string; email: string; organisation: string }) {
      return this.appointExternal(await actorOf(person, scope), caseId, body);
    },

    async procedure(networkId: string) {
      await requireNetwork(networkId);
      const { adopted, ladder } = await ladderOf(networkId);
      return {
        networkId,
        adopted: adopted ? { options: procedureSchema.parse(adopted.options), adoptedOn: adopted.adoptedOn, recordedBy: adopted.recordedBy } : null,
        ladder,
      };
    },

    /** Records the procedure the network adopted (the template's options): later cases climb its ladder. */
    async adoptProcedure(actor: string, networkId: string, body: { adoptedOn: string; options: unknown }) {
      await requireNetwork(networkId);
      const parsed = procedureSchema.safeParse(body.options ?? {});
      if (!parsed.success)
        throw new AppError(
          'VALIDATION_FAILED',
          'The procedure is not valid.',
          zodDetails(parsed.error).map((d) => ({ ...d, path: `options.${d.path}` })),
        );
      await transactionRetryingContention(db, async (trx) => {
        await repos.disputes.setProcedure(trx, { networkId, options: parsed.data, adoptedOn: body.adoptedOn, recordedBy: actor });
        await repos.audit.append(trx, actor, { type: 'dispute.procedure-adopted', networkId, adoptedOn: body.adoptedOn }, networkId);
      });
      return this.procedure(networkId);
    },

    /**
     * Opens a case: who may open one, between whom, is checked here (there is no case yet to ask);
     * the case's workflow then records it and answers once it is open.
     */
    async open(opener: CaseActor, networkId: string, body: OpenCaseRequest, fromIssueId: string | null = null) {
      const network = await requireNetwork(networkId);
      const refused = checkOpening({ opener, networkId, networkPracticeIds: network.practices.map((p) => p.id), parties: body.parties });
      if (refused)
        throw new AppError(
          refused.code === 'FORBIDDEN' ? 'FORBIDDEN' : 'VALIDATION_FAILED',
          refused.message,
          refused.code === 'FORBIDDEN' ? undefined : [{ path: 'parties', message: refused.message }],
        );
      if (body.stage) {
        const stage = (await repos.stages.list(db, networkId)).find((s) => s.stageKey === body.stage);
        if (stage?.status === 'completed')
          throw new AppError('STAGE_COMPLETED', `The ${body.stage} stage is already completed, so a case cannot hold it; open the case without a stage.`);
      }
      const { ladder } = await ladderOf(networkId);
      const caseId = crypto.randomUUID();
      const workflowId = disputeWorkflowId(caseId);
      await callWorkflow(temporal, () =>
        temporal.workflow.start('disputeWorkflow', {
          taskQueue,
          workflowId,
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          args: [
            {
              caseId,
              networkId,
              programmeId: network.programmeId,
              title: body.title,
              summary: body.summary,
              parties: body.parties,
              stage: body.stage ?? null,
              ladder,
              openedBy: opener,
              fromIssueId,
            },
          ],
        }),
      );
      // answer once the case is recorded and its clock running
      const deadline = Date.now() + 20_000;
      for (;;) {
        const state = await temporal.workflow
          .getHandle(workflowId)
          .query(caseStateQuery)
          .catch(() => null);
        if (state && state.status !== 'opening') {
          const step = ladder.find((s) => s.number === state.step)!;
          return { id: caseId, step: { number: step.number, name: step.name }, dueOn: state.clock.dueOn };
        }
        if (Date.now() > deadline)
          throw new AppError('UNAVAILABLE', 'The case was started but is not open yet; check GET /disputes/:id shortly.', { id: caseId });
        await new Promise((r) => setTimeout(r, 150));
      }
    },

    async get(id: string) {
      return view(await requireCase(id));
    },

    async listForNetwork(networkId: string) {
      const network = await requireNetwork(networkId);
      const cal = calendarNow();
      return (await repos.disputes.listForNetwork(db, networkId)).map((row) => registerRow(row, network, cal));
    },

    async listForProgramme(programmeId: string) {
      if (!(await repos.records.getProgramme(db, programmeId))) throw new AppError('NOT_FOUND', `No programme with id ${programmeId}.`);
      const rows = await repos.disputes.listForProgramme(db, programmeId);
      const networkIds = [...new Set(rows.map((r) => r.networkId))];
      const names = new Map((await repos.records.listNetworks(db, { programmeId })).map((n) => [n.id, n.name]));
      const practices = await repos.records.practicesOfNetworks(db, networkIds);
      const cal = calendarNow();
      return rows.map((row) =>
        registerRow(row, { id: row.networkId, name: names.get(row.networkId) ?? '', practices: practices.filter((p) => p.networkId === row.networkId) }, cal),
      );
    },

    /** Records an event on a case; the case's validator alone judges whether it is allowed now. */
    async recordEvent(actor: CaseActor, caseId: string, body: CaseEventBody) {
      const row = await requireCase(caseId);
      return update(row, () =>
        temporal.workflow.getHandle(row.workflowId).executeUpdate(caseEventUpdate, { args: [{ type: body.type, text: body.text, days: body.days, actor }] }),
      );
    },

    /** Appoints the LMC officer, mediator or arbitrator of the current step; they are emailed a link. */
    async appointExternal(actor: CaseActor, caseId: string, body: { name: string; email: string; organisation: string }) {
      const row = await requireCase(caseId);
      return update(row, () => temporal.workflow.getHandle(row.workflowId).executeUpdate(appointExternalUpdate, { args: [{ ...body, actor }] }));
    },

    /** The case as the holder of a dispute link sees it, with what they are to it. */
    async describeForLink(link: ActionLink) {
      const row = await requireCase(link.token.subjectId);
      const kase = await view(row);
      return {
        kind: link.token.kind,
        expiresAt: link.token.expiresAt,
        expired: link.expired,
        person: { id: link.person.id, name: link.person.name, organisation: link.person.practiceName },
        case: kase,
      };
    },

    /** An event recorded by the holder of a live dispute link, as the person (or outside person) it was sent to. */
    async recordEventByLink(link: ActionLink, body: CaseEventBody) {
      requireLive(link);
      return this.recordEvent(linkActor(link), link.token.subjectId, body);
    },
  };
}

export type DisputesService = ReturnType<typeof createDisputesService>;
