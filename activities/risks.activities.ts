import { riskRating } from '../domain/disputes/risk';
import type { ActivityDeps } from './formation.activities';

/**
 * What a risk's review timer does to the world: on the review date (and a week after, if still not
 * reviewed) its owner and the facilitators are reminded, the reminder logged and audited. Idempotent:
 * the log entry's id and the messages' dedupe keys are made from the risk, date and round.
 */
export function createRisksActivities(deps: ActivityDeps) {
  const { db, repos, outbox, publicUrl } = deps;
  return {
    async remindRiskReview(input: { riskId: string; reviewOn: string; round: number }): Promise<{ sent: boolean; gone: boolean }> {
      const risk = await repos.risks.getRisk(db, input.riskId);
      // a timer whose risk was never recorded (its write failed after the timer started) has nothing to do
      if (!risk) return { sent: false, gone: true };
      // reviewed (a new date) or closed since the timer was set: nothing to remind
      if (risk.status !== 'open' || risk.reviewOn !== input.reviewOn) return { sent: false, gone: risk.status !== 'open' };
      const network = await repos.records.getNetwork(db, risk.networkId);
      const owner = network?.practices.flatMap((p) => p.people).find((p) => p.id === risk.ownerPersonId);
      if (!network) return { sent: false, gone: true };
      const page = `${publicUrl}/networks/${network.id}/disputes`;
      const logId = `${risk.id}:review:${input.reviewOn}:${input.round}`;
      const overdue = input.round > 1;
      const data = (name: string) => ({
        name,
        networkName: network.name,
        title: risk.title,
        score: risk.score,
        rating: riskRating(risk.score),
        reviewOn: input.reviewOn,
        overdue,
        link: page,
      });
      const keys = await db.transaction(async (trx) => {
        const keys: string[] = [];
        const recipients = [
          ...(owner ? [{ email: owner.email, name: owner.name }] : []),
          ...(await repos.tokens.facilitatorEmails(trx, network.id)).map((email) => ({ email, name: 'facilitator' })),
        ];
        for (const r of recipients)
          keys.push(
            await outbox.queue(trx, {
              key: `${logId}:${r.email}`,
              to: r.email,
              networkId: network.id,
              template: 'risk-review',
              data: data(r.name),
              links: [page],
            }),
          );
        if ((await repos.risks.logOf(trx, risk.id)).some((e) => e.id === logId)) return keys;
        await repos.risks.insertLogEvent(trx, {
          id: logId,
          networkId: network.id,
          subjectKind: 'risk',
          subjectId: risk.id,
          actor: 'Formwork',
          type: 'reminder',
          text: `${overdue ? 'Review overdue' : 'Review due'}: ${owner?.name ?? 'the owner'} and the facilitators were reminded.`,
        });
        await repos.audit.append(
          trx,
          'system',
          { type: 'risk.reminded', riskId: risk.id, reviewOn: input.reviewOn, personIds: owner ? [owner.id] : [] },
          network.id,
        );
        return keys;
      });
      await outbox.deliver(keys);
      return { sent: true, gone: false };
    },
  };
}

export type RisksActivities = ReturnType<typeof createRisksActivities>;
