import { extendRoundUpdate, resendRoundUpdate } from '../../workflows/messages';
import type { ServerDeps } from '../deps';
import { AppError } from '../errors';
import { callWorkflow } from './deadline';

/** A facilitator's levers on a signing round: extend its expiry, resend its links, chase one person. */
export function createSignoffsService(deps: ServerDeps) {
  const { db, repos, temporal } = deps;

  async function open(id: string) {
    const signoff = await repos.signoffs.get(db, id);
    if (!signoff) throw new AppError('NOT_FOUND', `No signing round with id ${id}.`);
    if (signoff.completedAt) throw new AppError('ROUND_CLOSED', `This signing round has ended (${signoff.status}).`);
    return signoff;
  }

  return {
    async get(id: string) {
      const signoff = await repos.signoffs.get(db, id);
      if (!signoff) throw new AppError('NOT_FOUND', `No signing round with id ${id}.`);
      const signatures = await repos.signoffs.signatures(db, { signoffId: id });
      const requests = await repos.signoffs.requests(db, id);
      return {
        id: signoff.id,
        networkId: signoff.networkId,
        stage: signoff.stageKey,
        documentId: signoff.documentId,
        documentVersion: signoff.documentVersion,
        status: signoff.status,
        rule: signoff.rule,
        expiresAt: signoff.expiresAt,
        slots: signoff.slots.map((s) => ({
          id: s.id,
          practiceId: s.practiceId,
          capacity: s.capacity,
          group: s.group,
          eligible: s.eligible.map((e) => e.name),
          filledBy: signatures.find((x) => x.slotIds.includes(s.id))?.personId ?? null,
        })),
        requests,
        signatures: signatures.map((x) => ({ id: x.id, personId: x.personId, practiceId: x.practiceId, capacity: x.capacity, signedAt: x.signedAt })),
      };
    },
    async extend(actor: string, id: string, days: number) {
      const signoff = await open(id);
      return callWorkflow(temporal, () => temporal.workflow.getHandle(signoff.workflowId).executeUpdate(extendRoundUpdate, { args: [{ days, actor }] }));
    },
    async resend(actor: string, id: string) {
      const signoff = await open(id);
      return callWorkflow(temporal, () => temporal.workflow.getHandle(signoff.workflowId).executeUpdate(resendRoundUpdate, { args: [{ actor }] }));
    },
    /** A fresh link to one person still owed a signature, or to everyone owed; the round's validator judges who is owed. */
    async chase(actor: string, id: string, personId?: string) {
      const signoff = await open(id);
      return callWorkflow(temporal, () =>
        temporal.workflow.getHandle(signoff.workflowId).executeUpdate(resendRoundUpdate, { args: [{ actor, ...(personId ? { personId } : {}) }] }),
      );
    },
  };
}
