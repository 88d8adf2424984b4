import type { Network } from '../../db/repos/records.repo';
import type { Signoff } from '../../db/repos/signoffs.repo';
import { roundProgress } from '../../domain/signing';
import { reference } from '../../domain/wording';
import { requireLive, type ActionLink } from '../action-links';
import type { ServerDeps } from '../deps';
import { AppError } from '../errors';
import type { ActionStatus } from './actions.service';

/** A link to the sealed copy opened from the signing page is used at once: an hour is plenty. */
const OPENED_SEALED_LINK_MS = 3600_000;

/** What became of a signing request, for the top of a reopened link: when (an instant), and a reference. */
export interface SigningOutcome {
  status: Exclude<ActionStatus, 'pending'>;
  at: string | null;
  /** the colleague who signed for the practice instead */
  who: string | null;
  /** the version that replaced this one */
  version: number | null;
  /** the signature's or decline's short reference (never the whole id) */
  reference: string | null;
  /** what the person wrote when they declined */
  reason: string | null;
}

/** One party of the round, in words: who has signed and who is still owed. No email addresses. */
export interface PartyLine {
  name: string;
  mine: boolean;
  signed: boolean;
  words: string;
}

/**
 * Where a signing round stands for the holder of one of its links: what became of their request,
 * the deadline, who else must sign (per practice and office, in words), and whether the completed
 * (sealed) copy exists yet.
 */
export function createSigningStanding(deps: ServerDeps) {
  const { db, repos } = deps;

  async function outcome(link: ActionLink, status: ActionStatus, signoff: Signoff, network: Network | null): Promise<SigningOutcome | null> {
    if (status === 'pending') return null;
    const base: SigningOutcome = { status, at: null, who: null, version: null, reference: null, reason: null };
    const request = (await repos.signoffs.requests(db, signoff.id)).find((r) => r.personId === link.person.id);
    switch (status) {
      case 'signed': {
        const signature = await repos.signoffs.signatureByPerson(db, signoff.id, link.person.id);
        return { ...base, at: signature?.signedAt ?? null, reference: signature ? reference(signature.id) : null };
      }
      case 'declined': {
        const decline = await repos.signoffs.declineByPerson(db, signoff.id, link.person.id);
        return {
          ...base,
          at: decline?.declinedAt ?? request?.updatedAt ?? null,
          reference: decline ? reference(decline.id) : null,
          reason: decline?.reason ?? null,
        };
      }
      case 'signed-by-colleague': {
        const signature = await repos.signoffs.signatureByPractice(db, signoff.id, link.person.practiceId);
        const people = new Map((network?.practices ?? []).flatMap((p) => p.people).map((p) => [p.id, p.name]));
        return {
          ...base,
          at: signature?.signedAt ?? null,
          who: signature ? (people.get(signature.personId) ?? null) : null,
          reference: signature ? reference(signature.id) : null,
        };
      }
      case 'superseded': {
        const latest = await repos.signoffs.latestForStage(db, signoff.networkId, signoff.stageKey);
        return {
          ...base,
          at: signoff.completedAt ?? request?.updatedAt ?? null,
          version: latest && latest.documentVersion > signoff.documentVersion ? latest.documentVersion : null,
        };
      }
      case 'delegated':
        return { ...base, at: request?.updatedAt ?? null };
      case 'closed':
        return { ...base, at: signoff.completedAt };
      case 'expired': {
        // the link's own expiry, or the round's deadline, whichever came first
        const times = [link.expired ? link.token.expiresAt : null, signoff.status === 'expired' ? signoff.expiresAt : null]
          .filter((t): t is string => !!t)
          .sort();
        return { ...base, at: times[0] ?? null };
      }
    }
  }

  /** Every practice and office of the round: signed, or who is owed, in words. */
  async function parties(link: ActionLink, signoff: Signoff, network: Network | null): Promise<PartyLine[]> {
    const signatures = await repos.signoffs.signatures(db, { signoffId: signoff.id });
    const progress = roundProgress(signoff.slots, signatures);
    const lines: PartyLine[] = [];
    for (const practice of network?.practices ?? []) {
      const party = progress.practices.get(practice.id);
      if (!party) continue;
      lines.push({
        name: practice.name,
        mine: practice.id === link.person.practiceId,
        signed: party.signed,
        words: party.signed ? 'Signed' : `Waiting for ${party.owedInWords}`,
      });
    }
    for (const office of progress.officers) {
      const role = office.capacity.replace(/-/g, ' ');
      lines.push({ name: `The network's ${role}`, mine: false, signed: office.signed, words: office.signed ? 'Signed' : `Waiting for ${office.owedInWords}` });
    }
    return lines;
  }

  return {
    async standing(link: ActionLink, status: ActionStatus, signoff: Signoff) {
      const network = await repos.records.getNetwork(db, signoff.networkId);
      const sealed = status === 'signed' ? await repos.sealed.bySignoff(db, signoff.id) : null;
      return {
        outcome: await outcome(link, status, signoff, network),
        /** sign by: the round's deadline, or the link's own expiry when the round has none */
        deadline: status === 'pending' ? (signoff.expiresAt ?? link.token.expiresAt) : null,
        parties: await parties(link, signoff, network),
        /** the completed copy exists and this person, who signed, may have it */
        sealedReady: sealed !== null,
      };
    },

    /**
     * A fresh link to the sealed copy of the round this person signed, minted for them alone (links
     * are stored as hashes, so the emailed one cannot be shown again). It goes through the one
     * route that serves sealed PDFs to link holders, which checks and audits it.
     */
    async sealedCopyLink(link: ActionLink, status: ActionStatus, signoff: Signoff): Promise<string> {
      requireLive(link);
      if (status !== 'signed') throw new AppError('NOT_FOUND', 'The completed copy goes to the people who signed it.');
      const sealed = await repos.sealed.bySignoff(db, signoff.id);
      if (!sealed) throw new AppError('NOT_FOUND', 'The completed copy is not ready yet: it is made when every practice has signed.');
      const secret = await repos.tokens.mintActionToken(db, {
        kind: 'sealed-copy',
        personId: link.person.id,
        subjectId: signoff.id,
        documentId: sealed.documentId,
        documentVersion: sealed.version,
        workflowId: signoff.workflowId,
        expiresAt: new Date(Date.now() + OPENED_SEALED_LINK_MS).toISOString(),
      });
      return `/api/v1/sealed/${sealed.id}/pdf?token=${secret}`;
    },
  };
}
