import type { Choice } from '../../domain/voting/ballot';
import { AppError } from '../errors';
import type { ElectionsService } from './elections.service';
import type { MotionsService } from './motions.service';

/**
 * Ballot links (`/a/<token>` and `/api/v1/actions/<token>`) of motions ("vote") and elections
 * ("ballot"): which of the two a secret belongs to, then that service. Each service resolves its
 * own kind in one function; once routes resolve action tokens themselves, a route declaring
 * "vote" or "ballot" calls the motions or elections service directly and this dispatcher goes.
 */
export function createBallotLinksService(motions: MotionsService, elections: ElectionsService) {
  async function resolve(secret: string) {
    const vote = await motions.resolveVoteLink(secret);
    if (vote) return { kind: 'vote' as const, link: vote };
    const ballot = await elections.resolveBallotLink(secret);
    return ballot ? { kind: 'ballot' as const, link: ballot } : null;
  }

  return {
    /** The view of a vote or ballot link, or null when the token is for something else (signing). */
    async describeAction(secret: string) {
      const found = await resolve(secret);
      if (!found) return null;
      return found.kind === 'vote' ? motions.describeVoteLink(found.link) : elections.describeBallotLink(found.link);
    },

    async isBallotLink(secret: string): Promise<boolean> {
      return (await resolve(secret)) !== null;
    },

    /** Casts the ballot of a vote or election link; answers with a receipt code the voter can check. */
    async castBallot(secret: string, body: { choice: Choice; onBehalfOf?: string } | { preferences: string[] }) {
      const found = await resolve(secret);
      if (!found) throw new AppError('NOT_FOUND', 'This link is not a ballot.');
      if (found.kind === 'vote') {
        if (!('choice' in body)) throw new AppError('VALIDATION_FAILED', 'A vote on a motion needs { choice: "for" | "against" | "abstain" }.');
        return motions.castVote(found.link, body);
      }
      if (!('preferences' in body)) throw new AppError('VALIDATION_FAILED', 'An election ballot needs { preferences: [candidateId, …] }.');
      return elections.castElectionBallot(found.link, body);
    },

    /** A document a vote link may open: the motion's document or its result certificate. */
    async linkDocument(secret: string, which: 'document' | 'certificate', kind: 'pdf' | 'docx'): Promise<Buffer> {
      const found = await resolve(secret);
      if (found?.kind !== 'vote') throw new AppError('NOT_FOUND', 'There is no such document for this vote.');
      return motions.voteLinkDocument(found.link, which, kind);
    },
  };
}

export type BallotLinksService = ReturnType<typeof createBallotLinksService>;
