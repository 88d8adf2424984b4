import crypto from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { Knex } from 'knex';
import { z } from 'zod';
import type { Network } from '../db/repos/records.repo';
import { isUniqueViolation } from '../db/repos/executor';
import { newTokenSecret } from '../db/repos/tokens.repo';
import { ballotsForTally, ballotWeights, type MotionVoter, newBallotKey, openSealedBallot, toVoters } from '../db/repos/votes.repo';
import { renderForActivity, storeRendered } from './stored-documents';
import { countFptp } from '../domain/voting/fptp';
import { describeRule, type DecisionType, type VotingRule } from '../domain/voting/rule';
import { countStv } from '../domain/voting/stv';
import { choiceSchema, type TallyResult, tallyVotes, type Voter } from '../domain/voting/tally';
import type { VoteResultInput } from '../templates';
import type { CastVoteInput, ElectionConstituencyInput, ElectionInput, NominateInput, VoteInput, VoteOutcome } from '../workflows/vote-messages';
import type { ActivityDeps } from './formation.activities';
import { deliverPending } from '../mail/delivery';

const SYSTEM = 'system';

const fail = (type: string, message: string) => ApplicationFailure.create({ type, message, nonRetryable: true });

const sealedVoteSchema = z.object({ choice: choiceSchema, receiptHash: z.string().regex(/^[0-9a-f]{64}$/) });
const sealedPreferencesSchema = z.object({ preferences: z.array(z.string().min(1)).min(1), receiptHash: z.string().regex(/^[0-9a-f]{64}$/) });

/** Who receives a practice's ballot link: its partners (anyone in the practice if it lists none). */
function representatives(practice: Network['practices'][number]) {
  const partners = practice.people.filter((p) => p.roles.includes('partner'));
  return partners.length > 0 ? partners : practice.people;
}

export function electorateOf(network: Network): MotionVoter[] {
  return network.practices.map((p) => ({
    voterId: p.id,
    practiceId: p.id,
    practiceName: p.name,
    listSize: p.listSize,
    partnerCount: p.people.filter((x) => x.roles.includes('partner')).length,
    offices: [...new Set(p.people.flatMap((x) => x.roles))].sort(),
  }));
}


function addMonths(isoDate: string, months: number): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString().slice(0, 10);
}

/**
 * Everything the vote and election workflows do to the world. Idempotent: a retried activity finds
 * its earlier work (by motion or election id, dedupe key or primary key) and does not redo it.
 */
export function createVotesActivities(deps: ActivityDeps) {
  const { db, repos, log } = deps;

  async function requireNetwork(executor: Knex | Knex.Transaction, networkId: string): Promise<Network> {
    const network = await repos.records.getNetwork(executor, networkId);
    if (!network) throw fail('NOT_FOUND', `network ${networkId} not found`);
    return network;
  }

  function tokenExpiry(closesAt: string): string {
    const ttl = Date.now() + deps.actionTokenTtlDays * 86_400_000;
    return new Date(Math.max(ttl, Date.parse(closesAt) + 86_400_000)).toISOString();
  }

  return {
    async resolveVotingRule(input: { networkId: string; decisionType: DecisionType }): Promise<VotingRule> {
      return repos.votes.ruleInForce(db, input.networkId, input.decisionType);
    },

    /** Records the motion with its rule and electorate, and sends each representative a ballot link. */
    async openMotion(input: VoteInput & { rule: VotingRule; workflowId: string }): Promise<{ electorate: Voter[]; openedAt: string; closesAt: string }> {
      const existing = await repos.votes.getMotion(db, input.motionId);
      if (existing) return { electorate: toVoters(existing.electorate), openedAt: existing.openedAt, closesAt: existing.closesAt };
      const network = await requireNetwork(db, input.networkId);
      const electorate = electorateOf(network);
      const openedAt = new Date().toISOString();
      const expiresAt = tokenExpiry(input.closesAt);
      const dedupeKeys: string[] = [];
      try {
        await db.transaction(async (trx) => {
          await repos.votes.insertMotion(trx, {
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
            { type: 'motion.opened', motionId: input.motionId, networkId: input.networkId, decisionType: input.decisionType, ruleVersion: input.rule.version, closesAt: input.closesAt, electorate: electorate.length },
            input.networkId,
          );
          for (const practice of network.practices) {
            if (input.rule.threshold === 'unanimous-excluding-subject' && practice.id === input.subjectPracticeId) continue;
            for (const person of representatives(practice)) {
              const secret = newTokenSecret();
              const link = `${deps.publicUrl}/a/${secret}`;
              const dedupeKey = `${input.workflowId}:ballot:${person.id}`;
              dedupeKeys.push(dedupeKey);
              await repos.tokens.insertActionToken(trx, { id: crypto.randomUUID(), secret, kind: 'vote', personId: person.id, subjectId: input.motionId, documentId: input.documentId ?? null, documentVersion: null, workflowId: input.workflowId, expiresAt });
              await repos.outbox.insert(trx, {
                id: crypto.randomUUID(),
                dedupeKey,
                to: person.email,
                subject: `Vote: ${input.title}`,
                text: [
                  `Dear ${person.name},`,
                  '',
                  `${network.name} is voting on "${input.title}". One vote is counted for ${practice.name}: the first partner to vote casts it.`,
                  '',
                  describeRule(input.rule),
                  '',
                  `Voting closes at ${input.closesAt} (UTC). Cast your practice's vote here: ${link}`,
                  '',
                  'This link is personal to you. If you did not expect it, you can ignore this message.',
                ].join('\n'),
                links: [link],
                networkId: input.networkId,
                delivery: deps.mailer ? 'pending' : 'outbox',
              });
              await repos.audit.append(trx, SYSTEM, { type: 'motion.ballot-requested', motionId: input.motionId, personId: person.id, practiceId: practice.id }, input.networkId);
            }
          }
        });
      } catch (err) {
        const again = isUniqueViolation(err) ? await repos.votes.getMotion(db, input.motionId) : null;
        if (!again) throw err;
        return { electorate: toVoters(again.electorate), openedAt: again.openedAt, closesAt: again.closesAt };
      }
      await deliverPending(deps, dedupeKeys);
      return { electorate: toVoters(electorate), openedAt, closesAt: input.closesAt };
    },

    /** Writes one accepted ballot: turnout and ballot in one transaction, at most once per principal. */
    async recordVote(input: CastVoteInput & { motionId: string }): Promise<{ accepted: true }> {
      const motion = await repos.votes.getMotion(db, input.motionId);
      if (!motion) throw fail('NOT_FOUND', `motion ${input.motionId} not found`);
      const principalId = input.proxyFor ?? input.voterId;
      let choice = input.choice;
      let receiptHash = input.receiptHash;
      if (input.sealed !== undefined) {
        const key = await repos.votes.motionBallotKey(db, motion.id);
        if (!key) throw fail('VOTING_CLOSED', 'This vote has closed.');
        const opened = sealedVoteSchema.safeParse(openSealedBallot(key, input.sealed));
        if (!opened.success) throw fail('VALIDATION_FAILED', 'The sealed ballot is not valid.');
        ({ choice, receiptHash } = opened.data);
      }
      if (!choice || !receiptHash) throw fail('VALIDATION_FAILED', 'A ballot needs a choice and a receipt.');
      const principal = motion.electorate.find((v) => v.voterId === principalId);
      if (!principal) throw fail('NOT_IN_ELECTORATE', `${principalId} is not in the electorate.`);
      const secret = motion.rule.ballot === 'secret';
      try {
        await db.transaction(async (trx) => {
          const inserted = await repos.votes.recordBallot(trx, {
            motionId: motion.id,
            principalId,
            castBy: input.voterId,
            byProxy: input.proxyFor !== undefined,
            choice: choice!,
            ...ballotWeights(motion.rule, principal),
            receiptHash: receiptHash!,
            openVoterId: secret ? null : principalId,
          });
          if (!inserted) return;
          await repos.tokens.markActionTokenUsed(trx, motion.id, input.castBy);
          await repos.audit.append(
            trx,
            `person:${input.castBy}`,
            { type: 'motion.ballot-cast', motionId: motion.id, voterId: principalId, castBy: input.voterId, byProxy: input.proxyFor !== undefined, ...(secret ? {} : { choice: choice! }) },
            motion.networkId,
          );
        });
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
      }
      return { accepted: true };
    },

    async recordProxy(input: { motionId: string; principalId: string; proxyId: string; actor: string }): Promise<void> {
      const motion = await repos.votes.getMotion(db, input.motionId);
      if (!motion) throw fail('NOT_FOUND', `motion ${input.motionId} not found`);
      await db.transaction(async (trx) => {
        if (!(await repos.votes.insertProxy(trx, { motionId: input.motionId, principalId: input.principalId, proxyId: input.proxyId, appointedBy: input.actor }))) return;
        await repos.audit.append(trx, input.actor, { type: 'motion.proxy-appointed', motionId: input.motionId, principalId: input.principalId, proxyId: input.proxyId }, motion.networkId);
      });
    },

    async recordExtension(input: { motionId: string; closesAt: string; actor: string }): Promise<void> {
      const motion = await repos.votes.getMotion(db, input.motionId);
      if (!motion) throw fail('NOT_FOUND', `motion ${input.motionId} not found`);
      if (motion.closesAt === input.closesAt) return;
      await db.transaction(async (trx) => {
        await repos.votes.setClosesAt(trx, motion.id, input.closesAt);
        await repos.votes.extendTokens(trx, motion.id, tokenExpiry(input.closesAt));
        await repos.audit.append(trx, input.actor, { type: 'motion.extended', motionId: motion.id, from: motion.closesAt, to: input.closesAt }, motion.networkId);
      });
    },

    /** One reminder, with a fresh link, to the representatives of every practice that has not voted. */
    async sendReminders(input: { motionId: string; workflowId: string; voted: string[] }): Promise<number> {
      const motion = await repos.votes.getMotion(db, input.motionId);
      if (!motion || motion.status !== 'open') return 0;
      const network = await requireNetwork(db, motion.networkId);
      const voted = new Set([...input.voted, ...(await repos.votes.turnout(db, motion.id)).map((t) => t.voterId)]);
      const waiting = network.practices.filter((p) => !voted.has(p.id) && motion.electorate.some((v) => v.practiceId === p.id) && !(motion.rule.threshold === 'unanimous-excluding-subject' && p.id === motion.subjectPracticeId));
      const dedupeKeys: string[] = [];
      const expiresAt = tokenExpiry(motion.closesAt);
      await db.transaction(async (trx) => {
        for (const practice of waiting) {
          for (const person of representatives(practice)) {
            const dedupeKey = `${input.workflowId}:reminder:${person.id}`;
            dedupeKeys.push(dedupeKey);
            if (await repos.outbox.byDedupeKey(trx, dedupeKey)) continue;
            const secret = newTokenSecret();
            const link = `${deps.publicUrl}/a/${secret}`;
            await repos.tokens.insertActionToken(trx, { id: crypto.randomUUID(), secret, kind: 'vote', personId: person.id, subjectId: motion.id, documentId: motion.documentId, documentVersion: null, workflowId: motion.workflowId, expiresAt });
            await repos.outbox.insert(trx, {
              id: crypto.randomUUID(),
              dedupeKey,
              to: person.email,
              subject: `Reminder – vote: ${motion.title}`,
              text: [`Dear ${person.name},`, '', `${practice.name} has not voted yet on "${motion.title}". Voting closes at ${motion.closesAt} (UTC).`, '', `Vote here: ${link}`].join('\n'),
              links: [link],
              networkId: motion.networkId,
              delivery: deps.mailer ? 'pending' : 'outbox',
            });
          }
        }
        if (waiting.length > 0 && dedupeKeys.length > 0) {
          await repos.audit.append(trx, SYSTEM, { type: 'motion.reminded', motionId: motion.id, practiceIds: waiting.map((p) => p.id) }, motion.networkId);
        }
      });
      await deliverPending(deps, dedupeKeys);
      return waiting.length;
    },

    /**
     * Counts the motion from the database (the only place a secret choice lives), stores the
     * result with its arithmetic, erases the ballot key and reshuffles the ballot rows.
     */
    async closeMotion(input: { motionId: string; chairCasting?: 'for' | 'against' }): Promise<VoteOutcome> {
      const motion = await repos.votes.getMotion(db, input.motionId);
      if (!motion) throw fail('NOT_FOUND', `motion ${input.motionId} not found`);
      const outcomeOf = (r: { result: VoteOutcome['result']; ruleVersion: string; explanationLines: string[] }): VoteOutcome => ({
        motionId: motion.id,
        result: r.result,
        ruleVersion: r.ruleVersion,
        explanationLines: r.explanationLines,
        certificateDocumentId: motion.resultDocumentId,
      });
      if (motion.status === 'closed') return outcomeOf(motion.result as TallyResult);
      const turnout = await repos.votes.turnout(db, motion.id);
      const rows = await repos.votes.ballots(db, motion.id);
      const ballots = ballotsForTally(motion.rule, motion.electorate, turnout, rows);
      const tally = tallyVotes({
        electorate: toVoters(motion.electorate),
        ballots,
        rule: motion.rule,
        subjectPracticeId: motion.subjectPracticeId ?? undefined,
        chairCasting: input.chairCasting,
      });
      const secret = motion.rule.ballot === 'secret';
      // a secret result never carries the (arbitrary) pairing of voters and choices
      const stored = secret ? { ...tally, accepted: [], rejected: [] } : tally;
      const closedAt = new Date().toISOString();
      await db.transaction(async (trx) => {
        const again = await repos.votes.getMotion(trx, motion.id);
        if (again?.status === 'closed') return;
        await repos.votes.closeMotion(trx, motion.id, { result: { ...stored, closedAt }, closedAt });
        if (secret) await repos.votes.reshuffleBallots(trx, motion.id);
        await repos.audit.append(trx, SYSTEM, { type: 'motion.closed', motionId: motion.id, result: tally.result, ruleVersion: tally.ruleVersion, ballots: rows.length }, motion.networkId);
      });
      log.info({ motionId: motion.id, result: tally.result }, 'motion closed');
      const after = await repos.votes.getMotion(db, motion.id);
      return outcomeOf((after?.result ?? stored) as TallyResult);
    },

    /** The result certificate (vote-result template), stored as a document of the network. */
    async issueVoteCertificate(input: { motionId: string }): Promise<string> {
      const motion = await repos.votes.getMotion(db, input.motionId);
      if (!motion || motion.status !== 'closed') throw fail('NOT_FOUND', `closed motion ${input.motionId} not found`);
      if (motion.resultDocumentId) return motion.resultDocumentId;
      const idempotencyKey = `motion:${motion.id}:certificate`;
      const existing = await repos.documents.byIdempotencyKey(db, idempotencyKey);
      if (existing) {
        await repos.votes.setResultDocument(db, motion.id, existing.id);
        return existing.id;
      }
      const network = await requireNetwork(db, motion.networkId);
      const tally = motion.result as TallyResult & { closedAt: string };
      const weighted = tally.perBasis.find((m) => m.measure !== 'practices');
      const choiceOf = new Map(tally.accepted.map((a) => [a.principalId, a.choice]));
      const context: VoteResultInput = {
        network: { name: network.name },
        motion: { id: motion.id, title: motion.title, text: motion.text || undefined, decisionType: motion.decisionType, openedAt: motion.openedAt, closedAt: tally.closedAt },
        rule: { version: motion.rule.version, description: describeRule(motion.rule) },
        electorate: { practices: motion.electorate.length, description: `${motion.electorate.length} member practices (${motion.rule.ballot} ballot)` },
        tallies: {
          for: tally.tallies.for,
          against: tally.tallies.against,
          abstain: tally.tallies.abstain,
          notVoted: Math.max(0, tally.tallies.eligible - tally.tallies.for - tally.tallies.against - tally.tallies.abstain),
          ...(weighted ? { weighted: { for: weighted.for, against: weighted.against, abstain: weighted.abstain, unit: weighted.measure === 'list-size' ? 'registered patients' : 'partner votes' } } : {}),
        },
        quorum: { met: tally.quorum.met, arithmetic: tally.quorum.explanation },
        threshold: { met: tally.perBasis.every((m) => m.carried), arithmetic: [tally.thresholdExplanation, ...tally.explanationLines.slice(0, 2)].join(' ') },
        result: tally.result,
        ballots:
          motion.rule.ballot === 'open'
            ? motion.electorate.map((v) => ({ practice: v.practiceName, choice: choiceOf.get(v.voterId) ?? ('did not vote' as const), ...(weighted ? { weight: weighted.measure === 'list-size' ? v.listSize : v.partnerCount } : {}) }))
            : [],
      };
      const id = crypto.randomUUID();
      const version = (await repos.documents.latestVersion(db, network.id, 'vote-result')) + 1;
      const rendered = await renderForActivity('vote-result', context, { documentId: id, version, networkName: network.name, issuedOn: tally.closedAt.slice(0, 10) });
      try {
        await db.transaction(async (trx) => {
          await storeRendered(trx, repos, SYSTEM, { id, networkId: network.id, stageKey: null, type: 'vote-result', version, title: rendered.title || `Vote result: ${motion.title}`, idempotencyKey, rendered });
          await repos.votes.setResultDocument(trx, motion.id, id);
        });
      } catch (err) {
        const again = isUniqueViolation(err) ? await repos.documents.byIdempotencyKey(db, idempotencyKey) : null;
        if (!again) throw err;
        await repos.votes.setResultDocument(db, motion.id, again.id);
        return again.id;
      }
      return id;
    },

    // ---- elections

    async openElection(input: ElectionInput & { workflowId: string }): Promise<void> {
      if (await repos.votes.getElection(db, input.electionId)) return;
      try {
        await db.transaction(async (trx) => {
          await repos.votes.insertElection(trx, {
            id: input.electionId,
            workflowId: input.workflowId,
            networkId: input.networkId,
            title: input.title,
            method: input.method,
            constituencies: input.constituencies,
            termMonths: input.termMonths,
            nominationsCloseAt: input.nominationsCloseAt,
            ballotCloseAt: input.ballotCloseAt,
            createdBy: input.actor,
            ballotKey: newBallotKey(),
          });
          await repos.audit.append(trx, input.actor, { type: 'election.opened', electionId: input.electionId, networkId: input.networkId, method: input.method }, input.networkId);
        });
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
      }
    },

    async recordCandidate(input: NominateInput & { electionId: string }): Promise<void> {
      const election = await repos.votes.getElection(db, input.electionId);
      if (!election) throw fail('NOT_FOUND', `election ${input.electionId} not found`);
      await db.transaction(async (trx) => {
        const inserted = await repos.votes.insertCandidate(trx, {
          id: input.candidateId,
          electionId: input.electionId,
          personId: input.personId,
          constituency: input.constituency,
          statement: input.statement,
          conflictOfInterest: input.conflictOfInterest,
        });
        if (!inserted) return;
        await repos.audit.append(trx, input.actor, { type: 'election.candidate-nominated', electionId: input.electionId, candidateId: input.candidateId, personId: input.personId, constituency: input.constituency }, election.networkId);
      });
    },

    /** Moves to the ballot phase and sends every representative in a constituency a ballot link. */
    async openElectionBallot(input: { electionId: string; workflowId: string }): Promise<void> {
      const election = await repos.votes.getElection(db, input.electionId);
      if (!election) throw fail('NOT_FOUND', `election ${input.electionId} not found`);
      const network = await requireNetwork(db, election.networkId);
      const candidates = await repos.votes.candidates(db, election.id);
      const expiresAt = tokenExpiry(election.ballotCloseAt);
      const dedupeKeys: string[] = [];
      await db.transaction(async (trx) => {
        if (election.phase !== 'nominations') return;
        await repos.votes.setElectionPhase(trx, election.id, 'ballot');
        for (const constituency of election.constituencies) {
          const names = candidates.filter((c) => c.constituency === constituency.name).map((c) => c.name);
          for (const practice of network.practices.filter((p) => constituency.practiceIds.includes(p.id))) {
            for (const person of representatives(practice)) {
              const secret = newTokenSecret();
              const link = `${deps.publicUrl}/a/${secret}`;
              const dedupeKey = `${input.workflowId}:ballot:${person.id}`;
              dedupeKeys.push(dedupeKey);
              await repos.tokens.insertActionToken(trx, { id: crypto.randomUUID(), secret, kind: 'ballot', personId: person.id, subjectId: election.id, documentId: null, documentVersion: null, workflowId: input.workflowId, expiresAt });
              await repos.outbox.insert(trx, {
                id: crypto.randomUUID(),
                dedupeKey,
                to: person.email,
                subject: `Election ballot: ${election.title} (${constituency.name})`,
                text: [
                  `Dear ${person.name},`,
                  '',
                  `${network.name} is electing ${constituency.seats} member(s) for ${constituency.name}. Candidates: ${names.join(', ') || 'none'}.`,
                  `One ballot is counted for ${practice.name}: the first partner to vote casts it.`,
                  '',
                  `The ballot closes at ${election.ballotCloseAt} (UTC). Read the statements and vote here: ${link}`,
                ].join('\n'),
                links: [link],
                networkId: network.id,
                delivery: deps.mailer ? 'pending' : 'outbox',
              });
            }
          }
        }
        await repos.audit.append(trx, SYSTEM, { type: 'election.ballot-opened', electionId: election.id, candidates: candidates.length }, network.id);
      });
      await deliverPending(deps, dedupeKeys);
    },

    async recordElectionBallot(input: { electionId: string; voterId: string; castBy: string; sealed: string }): Promise<{ accepted: true }> {
      const election = await repos.votes.getElection(db, input.electionId);
      if (!election) throw fail('NOT_FOUND', `election ${input.electionId} not found`);
      const key = await repos.votes.electionBallotKey(db, election.id);
      if (!key) {
        if ((await repos.votes.electionTurnout(db, election.id)).includes(input.voterId)) return { accepted: true };
        throw fail('VOTING_CLOSED', 'This ballot has closed.');
      }
      const opened = sealedPreferencesSchema.safeParse(openSealedBallot(key, input.sealed));
      if (!opened.success) throw fail('VALIDATION_FAILED', 'The sealed ballot is not valid.');
      const constituency = election.constituencies.find((c) => c.practiceIds.includes(input.voterId));
      if (!constituency) throw fail('NOT_IN_ELECTORATE', 'Your practice does not vote in this election.');
      try {
        await db.transaction(async (trx) => {
          const inserted = await repos.votes.recordElectionBallot(trx, { electionId: election.id, voterId: input.voterId, constituency: constituency.name, preferences: opened.data.preferences, receiptHash: opened.data.receiptHash });
          if (!inserted) return;
          await repos.tokens.markActionTokenUsed(trx, election.id, input.castBy);
          await repos.audit.append(trx, `person:${input.castBy}`, { type: 'election.ballot-cast', electionId: election.id, voterId: input.voterId }, election.networkId);
        });
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
      }
      return { accepted: true };
    },

    /**
     * Counts each constituency by STV or FPTP (seeded lots: seed = election id), stores the
     * round-by-round result and turns the elected into appointments with a term of office.
     */
    async countElection(input: { electionId: string }): Promise<Record<string, string[]>> {
      const election = await repos.votes.getElection(db, input.electionId);
      if (!election) throw fail('NOT_FOUND', `election ${input.electionId} not found`);
      const electedOf = (result: { constituencies: { name: string; elected: string[] }[] }) => Object.fromEntries(result.constituencies.map((c) => [c.name, c.elected]));
      if (election.phase === 'counted' && election.result) return electedOf(election.result as { constituencies: { name: string; elected: string[] }[] });
      const candidates = await repos.votes.candidates(db, election.id);
      const ballots = await repos.votes.electionBallots(db, election.id);
      const constituencies = election.constituencies.map((c: ElectionConstituencyInput) => {
        const standing = candidates.filter((x) => x.constituency === c.name).map((x) => ({ id: x.id, name: x.name }));
        const papers = ballots.filter((b) => b.constituency === c.name).map((b) => b.preferences);
        const count =
          election.method === 'stv'
            ? countStv({ seats: c.seats, candidates: standing, ballots: papers, seed: election.id })
            : countFptp({ seats: c.seats, candidates: standing, ballots: papers, seed: election.id });
        return { name: c.name, seats: c.seats, candidates: standing, ballots: papers.length, elected: count.elected, count };
      });
      const startsOn = new Date().toISOString().slice(0, 10);
      const endsOn = addMonths(startsOn, election.termMonths);
      const result = { method: election.method, seed: election.id, constituencies, termOfOffice: { startsOn, endsOn, months: election.termMonths } };
      await db.transaction(async (trx) => {
        const again = await repos.votes.getElection(trx, election.id);
        if (again?.phase === 'counted') return;
        await repos.votes.setElectionResult(trx, election.id, result);
        for (const c of constituencies) {
          for (const candidateId of c.elected) {
            const candidate = candidates.find((x) => x.id === candidateId)!;
            await repos.votes.insertAppointment(trx, { id: crypto.randomUUID(), networkId: election.networkId, personId: candidate.personId, office: 'Board member', constituency: c.name, method: 'elected', electionId: election.id, startsOn, endsOn });
          }
        }
        await repos.audit.append(trx, SYSTEM, { type: 'election.counted', electionId: election.id, elected: constituencies.flatMap((c) => c.elected) }, election.networkId);
      });
      const after = await repos.votes.getElection(db, election.id);
      return electedOf((after?.result ?? result) as typeof result);
    },
  };
}

export type VotesActivities = ReturnType<typeof createVotesActivities>;
