import type { Choice } from '../../domain/voting/ballot';
import type { ActionLink } from '../action-links';
import { AppError } from '../errors';
import type { ElectionsService } from './elections.service';
import type { MotionsService } from './motions.service';

/**
 * Ballot links (`/a/<token>` and `/api/v1/actions/<token>`) of motions ("vote") and elections
 * ("ballot"), resolved by the route layer: the link's kind picks the service.
 */
export function createBallotLinksService(motions: MotionsService, elections: ElectionsService) {
  return {
    /** What a vote or ballot link allows. */
    describeAction(link: ActionLink) {
      return link.token.kind === 'vote' ? motions.describeVoteLink(link) : elections.describeBallotLink(link);
    },

    /** Casts the ballot of a vote or election link; answers with a receipt code the voter can check. */
    async castBallot(link: ActionLink, body: { choice: Choice; onBehalfOf?: string } | { preferences: string[] }) {
      if (link.token.kind === 'vote') {
        if (!('choice' in body)) throw new AppError('VALIDATION_FAILED', 'A vote on a motion needs { choice: "for" | "against" | "abstain" }.');
        return motions.castVote(link, body);
      }
      if (!('preferences' in body)) throw new AppError('VALIDATION_FAILED', 'An election ballot needs { preferences: [candidateId, …] }.');
      return elections.castElectionBallot(link, body);
    },

    /** A document a vote link may open: the motion's document or its result certificate. */
    async linkDocument(link: ActionLink, which: 'document' | 'certificate', kind: 'pdf' | 'docx'): Promise<Buffer> {
      if (link.token.kind !== 'vote') throw new AppError('NOT_FOUND', 'There is no such document for this vote.');
      return motions.voteLinkDocument(link, which, kind);
    },
  };
}

export type BallotLinksService = ReturnType<typeof createBallotLinksService>;
