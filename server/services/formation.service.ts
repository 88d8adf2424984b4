import { transactionRetryingContention } from '../../db/knex';
import type { z } from 'zod';
import { WorkflowIdReusePolicy } from '@temporalio/client';
import {
  buildSlots,
  defaultSigningRule,
  describeSigningRule,
  describeSlot,
  roundProgress,
  unfillableSlots,
  type PartyProgress,
  type SigningRule,
} from '../../domain/signing';
import { signingRuleSchema } from '../../domain/signing.schema';
import { STAGES, isStageKey, type StageKey } from '../../domain/stages';
import { STAGE_TEMPLATES } from '../../templates';
import { formationWorkflowId, issueStageUpdate, submitStageDataUpdate } from '../../workflows/messages';
import type { ServerDeps } from '../deps';
import { AppError, zodDetails } from '../errors';
import { strictDeep } from '../strict';
import { callWorkflow, startWorkflow } from './deadline';

/** Each stage's data schema as the edge enforces it (unknown keys refused); stored data is re-read with the tolerant original. */
const strictSchemas = new Map<StageKey, z.ZodType>();
function strictStageData(stage: StageKey): z.ZodType {
  let schema = strictSchemas.get(stage);
  if (!schema) strictSchemas.set(stage, (schema = strictDeep(STAGE_TEMPLATES[stage].stageDataSchema)));
  return schema;
}

/**
 * Starting a network's formation, submitting stage data, issuing stages, and its status as the
 * read model says it (written by the workflow's activities as each stage changes; never a query).
 */
export function createFormationService(deps: ServerDeps) {
  const { db, repos, temporal, taskQueue } = deps;

  async function requireNetwork(id: string) {
    const network = await repos.records.getNetwork(db, id);
    if (!network) throw new AppError('NOT_FOUND', `No network with id ${id}.`);
    return network;
  }

  function requireStage(stage: string): StageKey {
    if (!isStageKey(stage)) throw new AppError('UNKNOWN_STAGE', `No stage called ${stage}. Stages: ${STAGES.map((s) => s.key).join(', ')}.`);
    return stage;
  }

  return {
    async start(actor: string, networkId: string) {
      const network = await requireNetwork(networkId);
      const workflowId = formationWorkflowId(network.id);
      await startWorkflow(
        temporal,
        () =>
          temporal.workflow.start('formationWorkflow', {
            taskQueue,
            workflowId,
            args: [{ networkId: network.id }],
            workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          }),
        () => new AppError('ALREADY_STARTED', `Formation of ${network.name} has already been started.`),
      );
      await transactionRetryingContention(db, async (trx) => {
        await repos.records.setFormation(trx, network.id, { formationStatus: 'running' });
        await repos.audit.append(trx, actor, { type: 'formation.started', networkId: network.id, workflowId }, network.id);
      });
      return { workflowId };
    },

    async status(networkId: string) {
      const network = await requireNetwork(networkId);
      // a fixed handful of queries however many stages and rounds: this is polled while a stage runs
      const [stagesRead, documents, rounds] = await Promise.all([
        repos.stages.list(db, network.id),
        repos.documents.listForNetwork(db, network.id),
        repos.signoffs.latestForNetworks(db, [network.id]),
      ]);
      const signaturesOf = new Map<string, Awaited<ReturnType<typeof repos.signoffs.progressOfSignoffs>>>();
      for (const x of await repos.signoffs.progressOfSignoffs(
        db,
        rounds.map((r) => r.id),
      ))
        signaturesOf.set(x.signoffId, [...(signaturesOf.get(x.signoffId) ?? []), x]);
      const people = new Map(network.practices.flatMap((p) => p.people).map((x) => [x.id, x.name]));
      const stages = [];
      for (const def of STAGES) {
        const read = stagesRead.find((s) => s.stageKey === def.key);
        const latest = rounds.find((r) => r.stageKey === def.key);
        let signoff = null;
        if (latest) {
          const signatures = signaturesOf.get(latest.id) ?? [];
          const progress = roundProgress(latest.slots, signatures);
          const words = (party: PartyProgress) => ({
            signed: party.signed,
            signedBy: party.signers.length ? party.signers.map((x) => people.get(x.personId) ?? x.personId).join(', ') : null,
            signedAt: party.signers.at(-1)?.signedAt ?? null,
            owed: party.owed.map((o) => o.name),
          });
          const none: PartyProgress = { signed: false, signers: [], owed: [], owedInWords: '' };
          signoff = {
            id: latest.id,
            status: latest.status,
            documentId: latest.documentId,
            documentVersion: latest.documentVersion,
            rule: describeSigningRule(latest.rule as SigningRule),
            expiresAt: latest.expiresAt,
            practices: network.practices.map((p) => ({ practiceId: p.id, name: p.name, ...words(progress.practices.get(p.id) ?? none) })),
            officers: progress.officers.map((o) => ({ capacity: o.capacity, ...words(o) })),
          };
        }
        stages.push({
          key: def.key,
          title: def.title,
          position: def.position,
          status: read?.status ?? 'pending',
          dataRevision: read?.dataRevision ?? 0,
          documents: documents
            .filter((d) => d.stageKey === def.key)
            .map((d) => ({ id: d.id, type: d.type, title: d.title, version: d.version, sha256: d.sha256Pdf, status: d.status })),
          signoff,
          vote: read?.vote ?? null,
          lastOutcome: read?.lastOutcome ?? null,
        });
      }
      const status = network.formationStatus as 'not-started' | 'running' | 'completed';
      const currentStage = (network.currentStage as StageKey | null) ?? null;
      return { networkId: network.id, workflowId: formationWorkflowId(network.id), status, currentStage, stages };
    },

    async submitStageData(actor: string, networkId: string, stageParam: string, body: unknown) {
      const network = await requireNetwork(networkId);
      const stage = requireStage(stageParam);
      if (network.formationStatus === 'not-started') throw new AppError('FORMATION_NOT_STARTED', 'Start formation before submitting stage data.');
      // unknown keys are refused, at any depth: a misspelt field must not be dropped and its default used
      const parsed = strictStageData(stage).safeParse(body);
      if (!parsed.success) throw new AppError('VALIDATION_FAILED', `The ${stage} data is not valid.`, zodDetails(parsed.error));
      const handle = temporal.workflow.getHandle(formationWorkflowId(network.id));
      const { revision } = await callWorkflow(temporal, () => handle.executeUpdate(submitStageDataUpdate, { args: [{ stage, data: parsed.data, actor }] }));
      return { stage, revision, data: parsed.data };
    },

    /**
     * Issues a stage's document for signature under a signing rule (the document type's default
     * unless one is given). A rule that some practice cannot satisfy is refused before anything is sent.
     */
    async issue(actor: string, networkId: string, stageParam: string, body: { signingRule?: unknown }) {
      const network = await requireNetwork(networkId);
      const stage = requireStage(stageParam);
      if (network.formationStatus === 'not-started') throw new AppError('FORMATION_NOT_STARTED', 'Start formation before issuing a stage.');
      const parsedRule = signingRuleSchema.safeParse(body.signingRule ?? defaultSigningRule(STAGE_TEMPLATES[stage].documentType));
      if (!parsedRule.success)
        throw new AppError(
          'VALIDATION_FAILED',
          'The signing rule is not valid.',
          zodDetails(parsedRule.error).map((d) => ({ ...d, path: `signingRule.${d.path}` })),
        );
      const slots = buildSlots(
        network.practices.map((p) => ({
          practiceId: p.id,
          practiceName: p.name,
          people: p.people.map((x) => ({ personId: x.id, name: x.name, email: x.email, roles: x.roles })),
        })),
        parsedRule.data,
      );
      const impossible = unfillableSlots(slots);
      if (impossible.length) {
        throw new AppError(
          'VALIDATION_FAILED',
          'Nobody can sign for some parties under this signing rule.',
          impossible.map((s) => ({ path: 'signingRule', message: `no one may sign for ${describeSlot(s)}` })),
        );
      }
      const handle = temporal.workflow.getHandle(formationWorkflowId(network.id));
      const document = await callWorkflow(temporal, () => handle.executeUpdate(issueStageUpdate, { args: [{ stage, actor, signingRule: parsedRule.data }] }));
      return { stage, status: 'awaiting-signatures', signingRule: parsedRule.data, document };
    },
  };
}

export type FormationService = ReturnType<typeof createFormationService>;
