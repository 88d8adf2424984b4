import crypto from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { newBallotKey, openSealedBallotAs } from '../crypto/ballot-seal';
import { isUniqueViolation } from '../db/repos/executor';
import { ballotPaperRefusal, countConstituencies, termOfOffice } from '../domain/voting/election';
import { representatives } from '../domain/voting/electorate';
import type { ElectionInput, NominateInput } from '../workflows/vote-messages';
import { linkExpiry, writeBallotLink } from './ballot-links';
import { electionCertificateContext } from './election-certificate';
import { writeBallotApart } from './ballot-writes';
import { writeAudited } from './audited-write';
import type { ActivityDeps } from './formation.activities';
import { renderForActivity, storeOnce, storeRendered } from './stored-documents';

const SYSTEM = 'system';

const fail = (type: string, message: string) => ApplicationFailure.create({ type, message, nonRetryable: true });

const sealedPreferencesSchema = z.object({ preferences: z.array(z.string().min(1)).min(1), receiptHash: z.string().regex(/^[0-9a-f]{64}$/) });

type ElectedBy = Record<string, string[]>;
const electedOf = (result: { constituencies: { name: string; elected: string[] }[] }): ElectedBy =>
  Object.fromEntries(result.constituencies.map((c) => [c.name, c.elected]));

/**
 * Everything the election workflow does to the world. Idempotent: a retried activity finds its
 * earlier work (by election id, dedupe key, receipt or primary key) and does not redo it.
 */
export function createElectionsActivities(deps: ActivityDeps) {
  const { db, repos, log } = deps;

  async function requireElection(electionId: string) {
    const election = await repos.elections.getElection(db, electionId);
    if (!election) throw fail('NOT_FOUND', `election ${electionId} not found`);
    return election;
  }

  /** The ballot is open: the election's phase says so, with its audit event. No links yet. */
  async function recordElectionBallotOpen(input: { electionId: string }): Promise<void> {
    const election = await requireElection(input.electionId);
    if (election.phase !== 'nominations') return;
    const candidates = await repos.elections.candidates(db, election.id);
    await db.transaction(async (trx) => {
      const again = await repos.elections.getElection(trx, election.id);
      if (again?.phase !== 'nominations') return;
      await repos.elections.setElectionPhase(trx, election.id, 'ballot');
      await repos.audit.append(trx, SYSTEM, { type: 'election.ballot-opened', electionId: election.id, candidates: candidates.length }, election.networkId);
    });
  }

  /** Sends every representative of a practice in a constituency its ballot link, once, and delivers the mail. */
  async function sendElectionBallotLinks(input: { electionId: string; workflowId: string }): Promise<number> {
    const election = await requireElection(input.electionId);
    const network = await repos.records.getNetwork(db, election.networkId);
    if (!network) throw fail('NOT_FOUND', `network ${election.networkId} not found`);
    const candidates = await repos.elections.candidates(db, election.id);
    const expiresAt = linkExpiry(deps, election.ballotCloseAt);
    const dedupeKeys: string[] = [];
    await db.transaction(async (trx) => {
      for (const constituency of election.constituencies) {
        const candidateNames = candidates.filter((c) => c.constituency === constituency.name).map((c) => c.name);
        for (const practice of network.practices.filter((p) => constituency.practiceIds.includes(p.id))) {
          for (const person of representatives(practice)) {
            const dedupeKey = `${input.workflowId}:ballot:${person.id}`;
            dedupeKeys.push(dedupeKey);
            const data = (link: string) => ({
              name: person.name,
              networkName: network.name,
              title: election.title,
              constituency: constituency.name,
              seats: constituency.seats,
              candidates: candidateNames,
              practiceName: practice.name,
              closesAt: election.ballotCloseAt,
              link,
            });
            await writeBallotLink(trx, deps, {
              dedupeKey,
              kind: 'ballot',
              person,
              subjectId: election.id,
              documentId: null,
              workflowId: input.workflowId,
              networkId: network.id,
              expiresAt,
              template: 'election-ballot',
              data,
            });
          }
        }
      }
    });
    await deps.outbox.deliver(dedupeKeys);
    return dedupeKeys.length;
  }

  return {
    async openElection(input: ElectionInput & { workflowId: string }): Promise<void> {
      if (await repos.elections.getElection(db, input.electionId)) return;
      try {
        // the election's own fields carry the workflow input's names; who may stand is the workflow's to check
        const { electionId, actor, eligiblePeople: _mayStand, ...fields } = input;
        await db.transaction(async (trx) => {
          await repos.elections.insertElection(trx, { ...fields, id: electionId, createdBy: actor, ballotKey: newBallotKey() });
          await repos.audit.append(
            trx,
            input.actor,
            { type: 'election.opened', electionId: input.electionId, networkId: input.networkId, method: input.method },
            input.networkId,
          );
        });
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
      }
    },

    async recordCandidate(input: NominateInput & { electionId: string }): Promise<void> {
      const election = await requireElection(input.electionId);
      await writeAudited(
        deps,
        (trx) =>
          repos.elections.insertCandidate(trx, {
            id: input.candidateId,
            electionId: input.electionId,
            personId: input.personId,
            constituency: input.constituency,
            statement: input.statement,
            conflictOfInterest: input.conflictOfInterest,
          }),
        {
          actor: input.actor,
          event: {
            type: 'election.candidate-nominated',
            electionId: input.electionId,
            candidateId: input.candidateId,
            personId: input.personId,
            constituency: input.constituency,
          },
          networkId: election.networkId,
        },
      );
    },

    /** A candidate stands down: their nomination is removed and the withdrawal audited (once, however often retried). */
    async withdrawCandidate(input: { electionId: string; candidateId: string; personId: string; constituency: string; actor: string }): Promise<void> {
      const election = await requireElection(input.electionId);
      await writeAudited(deps, (trx) => repos.elections.deleteCandidate(trx, input.electionId, input.candidateId), {
        actor: input.actor,
        event: {
          type: 'election.candidate-withdrawn',
          electionId: input.electionId,
          candidateId: input.candidateId,
          personId: input.personId,
          constituency: input.constituency,
        },
        networkId: election.networkId,
      });
    },

    recordElectionBallotOpen,
    sendElectionBallotLinks,

    /** Runs started before the ballot opened ahead of its links call this: open, then send, in one activity. */
    async openElectionBallot(input: { electionId: string; workflowId: string }): Promise<void> {
      await recordElectionBallotOpen(input);
      await sendElectionBallotLinks(input);
    },

    /**
     * Writes one accepted ballot paper, like a motion's ballot: the sealed preferences are opened
     * and checked (a spoilt paper is refused before anything is written), then the turnout and the
     * ballot are written in two transactions, so they never share a Postgres transaction id; a
     * retry after a crash between them keeps the turnout and writes the ballot once.
     */
    async recordElectionBallot(input: { electionId: string; voterId: string; castBy: string; sealed: string }): Promise<{ accepted: true }> {
      const election = await requireElection(input.electionId);
      const key = await repos.elections.electionBallotKey(db, election.id);
      if (!key) {
        if ((await repos.elections.turnout(db, election.id)).includes(input.voterId)) return { accepted: true };
        throw fail('VOTING_CLOSED', 'This ballot has closed.');
      }
      const opened = openSealedBallotAs(sealedPreferencesSchema, key, input.sealed);
      if (!opened) throw fail('VALIDATION_FAILED', 'The sealed ballot is not valid.');
      const constituency = election.constituencies.find((c) => c.practiceIds.includes(input.voterId));
      if (!constituency) throw fail('NOT_IN_ELECTORATE', 'Your practice does not vote in this election.');
      const standing = new Set((await repos.elections.candidates(db, election.id)).filter((c) => c.constituency === constituency.name).map((c) => c.id));
      const spoilt = ballotPaperRefusal(election.method, constituency.seats, standing, opened.preferences);
      if (spoilt) throw fail(spoilt.reason, spoilt.message);
      await writeBallotApart(
        deps,
        {
          insertTurnout: (trx) => repos.elections.insertTurnout(trx, { electionId: election.id, voterId: input.voterId }),
          subjectId: election.id,
          castBy: input.castBy,
          event: { type: 'election.ballot-cast', electionId: election.id, voterId: input.voterId },
          networkId: election.networkId,
        },
        (trx) =>
          repos.elections.insertBallot(trx, {
            electionId: election.id,
            constituency: constituency.name,
            preferences: opened.preferences,
            receiptHash: opened.receiptHash,
          }),
      );
      return { accepted: true };
    },

    /**
     * Counts each constituency by STV or FPTP (seeded lots: seed = election id), stores the
     * round-by-round result and turns the elected into appointments with a term of office.
     */
    async countElection(input: { electionId: string }): Promise<ElectedBy> {
      const election = await requireElection(input.electionId);
      if (election.phase === 'counted' && election.result) return electedOf(election.result as { constituencies: { name: string; elected: string[] }[] });
      const candidates = await repos.elections.candidates(db, election.id);
      const ballots = await repos.elections.ballots(db, election.id);
      const constituencies = countConstituencies({ method: election.method, seed: election.id, constituencies: election.constituencies, candidates, ballots });
      const termOfOfficeNow = termOfOffice(new Date().toISOString().slice(0, 10), election.termMonths);
      const result = { method: election.method, seed: election.id, constituencies, termOfOffice: termOfOfficeNow };
      await db.transaction(async (trx) => {
        const again = await repos.elections.getElection(trx, election.id);
        if (again?.phase === 'counted') return;
        await repos.elections.setElectionResult(trx, election.id, result);
        for (const c of constituencies) {
          for (const candidateId of c.elected) {
            const candidate = candidates.find((x) => x.id === candidateId)!;
            await repos.elections.insertAppointment(trx, {
              id: crypto.randomUUID(),
              networkId: election.networkId,
              personId: candidate.personId,
              office: 'Board member',
              constituency: c.name,
              method: 'elected',
              electionId: election.id,
              startsOn: termOfOfficeNow.startsOn,
              endsOn: termOfOfficeNow.endsOn,
            });
          }
        }
        // the ballot papers are kept for scrutiny, rewritten so their order no longer follows arrival
        await repos.elections.reshuffleBallots(trx, election.id);
        await repos.audit.append(
          trx,
          SYSTEM,
          { type: 'election.counted', electionId: election.id, elected: constituencies.flatMap((c) => c.elected) },
          election.networkId,
        );
      });
      // best effort, like a motion's close: autovacuum removes the old row versions otherwise
      await repos.elections
        .purgeBallotHistory(db)
        .catch((err: Error) => log.warn({ electionId: election.id, err: err.message }, 'could not vacuum the election ballots table'));
      const after = await repos.elections.getElection(db, election.id);
      return electedOf((after?.result ?? result) as typeof result);
    },

    /**
     * The election result certificate (election-result template), rendered once the count is
     * stored and kept as a document of the network under the key `election:<id>:certificate`.
     */
    async issueElectionCertificate(input: { electionId: string }): Promise<string> {
      const election = await requireElection(input.electionId);
      if (election.phase !== 'counted' || !election.result) throw fail('NOT_FOUND', `counted election ${input.electionId} not found`);
      const idempotencyKey = `election:${election.id}:certificate`;
      const doc = await storeOnce(db, repos, idempotencyKey, async () => {
        const network = await repos.records.getNetwork(db, election.networkId);
        if (!network) throw fail('NOT_FOUND', `network ${election.networkId} not found`);
        const [candidates, turnout] = await Promise.all([repos.elections.candidates(db, election.id), repos.elections.turnout(db, election.id)]);
        const id = crypto.randomUUID();
        const version = (await repos.documents.latestVersion(db, network.id, 'election-result')) + 1;
        const countedOn = (election.countedAt ?? new Date().toISOString()).slice(0, 10);
        const rendered = await renderForActivity('election-result', electionCertificateContext(election, network.name, candidates, turnout.length), {
          documentId: id,
          version,
          networkName: network.name,
          issuedOn: countedOn,
        });
        return db.transaction((trx) =>
          storeRendered(trx, repos, SYSTEM, {
            id,
            networkId: network.id,
            stageKey: null,
            type: 'election-result',
            version,
            title: rendered.title || `Election result: ${election.title}`,
            idempotencyKey,
            rendered,
          }),
        );
      });
      return doc.id;
    },
  };
}

export type ElectionsActivities = ReturnType<typeof createElectionsActivities>;
