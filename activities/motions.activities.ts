import crypto from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { Knex } from 'knex';
import { z } from 'zod';
import { newBallotKey, openSealedBallotAs } from '../crypto/ballot-seal';
import type { Network } from '../db/repos/records.repo';
import { isUniqueViolation } from '../db/repos/executor';
import { type Voter } from '../domain/voting/ballot';
import { choiceSchema } from '../domain/voting/voting.schema';
import { ballotsForTally, ballotWeights, electorateOf, representatives, takesPart, toVoters } from '../domain/voting/electorate';
import { describeRule, type DecisionType, type VotingRule } from '../domain/voting/rule';
import { type TallyResult, tallyVotes } from '../domain/voting/tally';
import type { CastVoteInput, VoteInput, VoteOutcome } from '../workflows/vote-messages';
import { linkExpiry, writeBallotLink } from './ballot-links';
import { writeBallotApart } from './ballot-writes';
import { writeAudited } from './audited-write';
import type { ActivityDeps } from './formation.activities';
import { renderForActivity, storeOnce, storeRendered } from './stored-documents';
import { voteCertificateContext } from './vote-certificate';

const SYSTEM = 'system';

const fail = (type: string, message: string) => ApplicationFailure.create({ type, message, nonRetryable: true });

const sealedVoteSchema = z.object({ choice: choiceSchema, receiptHash: z.string().regex(/^[0-9a-f]{64}$/) });

/**
 * Everything the vote workflow does to the world. Idempotent: a retried activity finds its earlier
 * work (by motion id, dedupe key, receipt or primary key) and does not redo it.
 */
export function createMotionsActivities(deps: ActivityDeps) {
  const { db, repos, log } = deps;

  async function requireNetwork(executor: Knex | Knex.Transaction, networkId: string): Promise<Network> {
    const network = await repos.records.getNetwork(executor, networkId);
    if (!network) throw fail('NOT_FOUND', `network ${networkId} not found`);
    return network;
  }

  async function requireMotion(motionId: string) {
    const motion = await repos.motions.getMotion(db, motionId);
    if (!motion) throw fail('NOT_FOUND', `motion ${motionId} not found`);
    return motion;
  }

  /** Records the motion with its rule and electorate (and, for a secret ballot, its sealing key). No links yet. */
  async function recordMotion(
    input: VoteInput & { rule: VotingRule; workflowId: string },
  ): Promise<{ electorate: Voter[]; openedAt: string; closesAt: string }> {
    const found = (m: { electorate: Parameters<typeof toVoters>[0]; openedAt: string; closesAt: string }) => ({
      electorate: toVoters(m.electorate),
      openedAt: m.openedAt,
      closesAt: m.closesAt,
    });
    const existing = await repos.motions.getMotion(db, input.motionId);
    if (existing) return found(existing);
    const network = await requireNetwork(db, input.networkId);
    const electorate = electorateOf(network.practices);
    const openedAt = new Date().toISOString();
    try {
      await db.transaction(async (trx) => {
        await repos.motions.insertMotion(trx, {
          id: input.motionId,
          workflowId: input.workflowId,
          networkId: input.networkId,
          title: input.title,
          text: input.text,
          decisionType: input.decisionType,
          documentId: input.documentId ?? null,
          subjectPracticeId: input.subjectPracticeId ?? null,
          rule: input.rule,
          electorate,
          openedAt,
          closesAt: input.closesAt,
          createdBy: input.actor,
          ballotKey: input.rule.ballot === 'secret' ? newBallotKey() : null,
        });
        await repos.audit.append(
          trx,
          input.actor,
          {
            type: 'motion.opened',
            motionId: input.motionId,
            networkId: input.networkId,
            decisionType: input.decisionType,
            ruleVersion: input.rule.version,
            closesAt: input.closesAt,
            electorate: electorate.length,
          },
          input.networkId,
        );
      });
    } catch (err) {
      const again = isUniqueViolation(err) ? await repos.motions.getMotion(db, input.motionId) : null;
      if (!again) throw err;
      return found(again);
    }
    return { electorate: toVoters(electorate), openedAt, closesAt: input.closesAt };
  }

  /** Sends each representative of every practice that takes part a ballot link, once, and delivers the mail. */
  async function sendBallotLinks(input: { motionId: string; workflowId: string }): Promise<number> {
    const motion = await requireMotion(input.motionId);
    const network = await requireNetwork(db, motion.networkId);
    const expiresAt = linkExpiry(deps, motion.closesAt);
    const ruleDescription = describeRule(motion.rule);
    const dedupeKeys: string[] = [];
    await db.transaction(async (trx) => {
      for (const practice of network.practices.filter((p) => takesPart(motion.rule, motion.subjectPracticeId, p.id))) {
        for (const person of representatives(practice)) {
          const dedupeKey = `${input.workflowId}:ballot:${person.id}`;
          dedupeKeys.push(dedupeKey);
          const written = await writeBallotLink(trx, deps, {
            dedupeKey,
            kind: 'vote',
            person,
            subjectId: motion.id,
            documentId: motion.documentId,
            workflowId: input.workflowId,
            networkId: motion.networkId,
            expiresAt,
            template: 'motion-ballot',
            data: (link) => ({
              name: person.name,
              networkName: network.name,
              title: motion.title,
              practiceName: practice.name,
              ruleDescription,
              closesAt: motion.closesAt,
              link,
            }),
          });
          if (written)
            await repos.audit.append(
              trx,
              SYSTEM,
              { type: 'motion.ballot-requested', motionId: motion.id, personId: person.id, practiceId: practice.id },
              motion.networkId,
            );
        }
      }
    });
    await deps.outbox.deliver(dedupeKeys);
    return dedupeKeys.length;
  }

  return {
    async resolveVotingRule(input: { networkId: string; decisionType: DecisionType }): Promise<VotingRule> {
      return repos.votingRules.ruleInForce(db, input.networkId, input.decisionType);
    },

    recordMotion,
    sendBallotLinks,

    /** Runs started before motions opened ahead of their links call this: record, then send, in one activity. */
    async openMotion(input: VoteInput & { rule: VotingRule; workflowId: string }): Promise<{ electorate: Voter[]; openedAt: string; closesAt: string }> {
      const recorded = await recordMotion(input);
      await sendBallotLinks({ motionId: input.motionId, workflowId: input.workflowId });
      return recorded;
    },

    /**
     * Writes one accepted ballot, at most once per principal and once per receipt, in two
     * transactions: first who voted (turnout, the link used, the audit event), then what was voted
     * (the ballot row, keyed by its receipt). Apart, they never share a Postgres transaction id, so
     * a secret ballot cannot be linked to its voter. A crash between them is safe: the workflow
     * retries this activity with the same input until it succeeds, the turnout is found and kept,
     * and the ballot is written once. Everything that can refuse a ballot is checked before either.
     */
    async recordVote(input: CastVoteInput & { motionId: string }): Promise<{ accepted: true }> {
      const motion = await requireMotion(input.motionId);
      const principalId = input.proxyFor ?? input.voterId;
      let choice = input.choice;
      let receiptHash = input.receiptHash;
      if (input.sealed !== undefined) {
        const key = await repos.motions.motionBallotKey(db, motion.id);
        if (!key) throw fail('VOTING_CLOSED', 'This vote has closed.');
        // a seal that does not open is refused, never retried
        const opened = openSealedBallotAs(sealedVoteSchema, key, input.sealed);
        if (!opened) throw fail('VALIDATION_FAILED', 'The sealed ballot is not valid.');
        ({ choice, receiptHash } = opened);
      }
      if (!choice || !receiptHash) throw fail('VALIDATION_FAILED', 'A ballot needs a choice and a receipt.');
      const principal = motion.electorate.find((v) => v.voterId === principalId);
      if (!principal) throw fail('NOT_IN_ELECTORATE', `${principalId} is not in the electorate.`);
      const secret = motion.rule.ballot === 'secret';
      const byProxy = input.proxyFor !== undefined;
      await writeBallotApart(
        deps,
        {
          insertTurnout: (trx) => repos.motions.insertTurnout(trx, { motionId: motion.id, voterId: principalId, castBy: input.voterId, byProxy }),
          subjectId: motion.id,
          castBy: input.castBy,
          event: { type: 'motion.ballot-cast', motionId: motion.id, voterId: principalId, castBy: input.voterId, byProxy, ...(secret ? {} : { choice }) },
          networkId: motion.networkId,
        },
        (trx) =>
          repos.motions.insertBallot(trx, {
            motionId: motion.id,
            receiptHash: receiptHash!,
            choice: choice!,
            ...ballotWeights(motion.rule, principal),
            voterId: secret ? null : principalId,
          }),
      );
      return { accepted: true };
    },

    async recordProxy(input: { motionId: string; principalId: string; proxyId: string; actor: string }): Promise<void> {
      const motion = await requireMotion(input.motionId);
      await writeAudited(
        deps,
        (trx) => repos.motions.insertProxy(trx, { motionId: input.motionId, principalId: input.principalId, proxyId: input.proxyId, appointedBy: input.actor }),
        {
          actor: input.actor,
          event: { type: 'motion.proxy-appointed', motionId: input.motionId, principalId: input.principalId, proxyId: input.proxyId },
          networkId: motion.networkId,
        },
      );
    },

    async recordExtension(input: { motionId: string; closesAt: string; actor: string }): Promise<void> {
      const motion = await requireMotion(input.motionId);
      if (motion.closesAt === input.closesAt) return;
      await db.transaction(async (trx) => {
        await repos.motions.setClosesAt(trx, motion.id, input.closesAt);
        await repos.motions.extendLinks(trx, motion.id, linkExpiry(deps, input.closesAt));
        await repos.audit.append(
          trx,
          input.actor,
          { type: 'motion.extended', motionId: motion.id, from: motion.closesAt, to: input.closesAt },
          motion.networkId,
        );
      });
    },

    /** One reminder, with a fresh link, to the representatives of every practice that has not voted. */
    async sendReminders(input: { motionId: string; workflowId: string; voted: string[] }): Promise<number> {
      const motion = await repos.motions.getMotion(db, input.motionId);
      if (!motion || motion.status !== 'open') return 0;
      const network = await requireNetwork(db, motion.networkId);
      const voted = new Set([...input.voted, ...(await repos.motions.turnout(db, motion.id)).map((t) => t.voterId)]);
      const waiting = network.practices.filter(
        (p) => !voted.has(p.id) && motion.electorate.some((v) => v.practiceId === p.id) && takesPart(motion.rule, motion.subjectPracticeId, p.id),
      );
      const dedupeKeys: string[] = [];
      const expiresAt = linkExpiry(deps, motion.closesAt);
      await db.transaction(async (trx) => {
        let written = 0;
        for (const practice of waiting) {
          for (const person of representatives(practice)) {
            const dedupeKey = `${input.workflowId}:reminder:${person.id}`;
            dedupeKeys.push(dedupeKey);
            const data = (link: string) => ({ name: person.name, practiceName: practice.name, title: motion.title, closesAt: motion.closesAt, link });
            if (
              await writeBallotLink(trx, deps, {
                dedupeKey,
                kind: 'vote',
                person,
                subjectId: motion.id,
                documentId: motion.documentId,
                workflowId: motion.workflowId,
                networkId: motion.networkId,
                expiresAt,
                template: 'motion-reminder',
                data,
              })
            )
              written += 1;
          }
        }
        if (written > 0)
          await repos.audit.append(trx, SYSTEM, { type: 'motion.reminded', motionId: motion.id, practiceIds: waiting.map((p) => p.id) }, motion.networkId);
      });
      await deps.outbox.deliver(dedupeKeys);
      return waiting.length;
    },

    /**
     * Counts the motion from the database (the only place a secret choice lives), stores the
     * result with its arithmetic, erases the ballot key and reshuffles the ballot rows.
     */
    async closeMotion(input: { motionId: string; chairCasting?: 'for' | 'against' }): Promise<VoteOutcome> {
      const motion = await requireMotion(input.motionId);
      const outcomeOf = (r: { result: VoteOutcome['result']; ruleVersion: string; explanationLines: string[] }): VoteOutcome => ({
        motionId: motion.id,
        result: r.result,
        ruleVersion: r.ruleVersion,
        explanationLines: r.explanationLines,
        certificateDocumentId: motion.resultDocumentId,
      });
      if (motion.status === 'closed') return outcomeOf(motion.result as TallyResult);
      const turnout = await repos.motions.turnout(db, motion.id);
      const rows = await repos.motions.ballots(db, motion.id);
      const tally = tallyVotes({
        electorate: toVoters(motion.electorate),
        ballots: ballotsForTally(motion.rule, motion.electorate, turnout, rows),
        rule: motion.rule,
        subjectPracticeId: motion.subjectPracticeId ?? undefined,
        chairCasting: input.chairCasting,
      });
      const secret = motion.rule.ballot === 'secret';
      // a secret result never carries the (arbitrary) pairing of voters and choices
      const stored = secret ? { ...tally, accepted: [], rejected: [] } : tally;
      const closedAt = new Date().toISOString();
      await db.transaction(async (trx) => {
        const again = await repos.motions.getMotion(trx, motion.id);
        if (again?.status === 'closed') return;
        await repos.motions.closeMotion(trx, motion.id, { result: { ...stored, closedAt }, closedAt });
        if (secret) await repos.motions.reshuffleBallots(trx, motion.id);
        await repos.audit.append(
          trx,
          SYSTEM,
          { type: 'motion.closed', motionId: motion.id, result: tally.result, ruleVersion: tally.ruleVersion, ballots: rows.length },
          motion.networkId,
        );
      });
      // best effort, never retried into a stuck close: autovacuum removes the old row versions otherwise
      if (secret)
        await repos.motions
          .purgeBallotHistory(db)
          .catch((err: Error) => log.warn({ motionId: motion.id, err: err.message }, 'could not vacuum the motion ballots table'));
      log.info({ motionId: motion.id, result: tally.result }, 'motion closed');
      const after = await repos.motions.getMotion(db, motion.id);
      return outcomeOf((after?.result ?? stored) as TallyResult);
    },

    /** The result certificate (vote-result template), stored as a document of the network. */
    async issueVoteCertificate(input: { motionId: string }): Promise<string> {
      const motion = await repos.motions.getMotion(db, input.motionId);
      if (!motion || motion.status !== 'closed') throw fail('NOT_FOUND', `closed motion ${input.motionId} not found`);
      if (motion.resultDocumentId) return motion.resultDocumentId;
      const idempotencyKey = `motion:${motion.id}:certificate`;
      // the motion points at its certificate in the transaction that stores it; a version an earlier
      // attempt stored (or a racing attempt committed) is pointed at here instead
      let storedHere = false;
      const doc = await storeOnce(db, repos, idempotencyKey, async () => {
        const network = await requireNetwork(db, motion.networkId);
        const tally = motion.result as TallyResult & { closedAt: string };
        const id = crypto.randomUUID();
        const version = (await repos.documents.latestVersion(db, network.id, 'vote-result')) + 1;
        const rendered = await renderForActivity('vote-result', voteCertificateContext(motion, network.name, tally), {
          documentId: id,
          version,
          networkName: network.name,
          issuedOn: tally.closedAt.slice(0, 10),
        });
        const stored = await db.transaction(async (trx) => {
          const row = await storeRendered(trx, repos, SYSTEM, {
            id,
            networkId: network.id,
            stageKey: null,
            type: 'vote-result',
            version,
            title: rendered.title || `Vote result: ${motion.title}`,
            idempotencyKey,
            rendered,
          });
          await repos.motions.setResultDocument(trx, motion.id, id);
          return row;
        });
        storedHere = true;
        return stored;
      });
      if (!storedHere) await repos.motions.setResultDocument(db, motion.id, doc.id);
      return doc.id;
    },
  };
}

export type MotionsActivities = ReturnType<typeof createMotionsActivities>;
