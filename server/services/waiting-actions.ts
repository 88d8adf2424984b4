import crypto from 'node:crypto';
import { newTokenSecret } from '../../db/repos/tokens.repo';
import type { ActionLink } from '../action-links';
import type { ServerDeps } from '../deps';
import { AppError } from '../errors';

/**
 * "My actions": what waits for a person now, whatever link kind it came by (a round to sign, a
 * ballot their practice has not cast, a presentation to score), and a fresh link to one of them.
 */
export function createWaitingActions(deps: ServerDeps) {
  const { db, repos } = deps;

  /** A score link's line of "my actions" while the presentation awaits this member's score, else null. */
  async function scoreItem(t: Awaited<ReturnType<typeof repos.tokens.pendingForPerson>>[number]) {
    const [presentation, member] = await Promise.all([repos.panels.presentation(db, t.subjectId), repos.panels.member(db, t.personId)]);
    if (!presentation || !member || member.removedAt || presentation.outcome) return null;
    const [network, wave, invitations, score] = await Promise.all([
      repos.records.getNetwork(db, presentation.networkId),
      repos.records.getWave(db, presentation.waveId),
      repos.panels.invitations(db, presentation.id),
      repos.panels.scoreOf(db, presentation.id, member.id),
    ]);
    const invitation = invitations.find((i) => i.memberId === member.id);
    if (!network || network.waveId !== presentation.waveId || !invitation || invitation.excluded || score) return null;
    return {
      actionId: t.id,
      kind: t.kind,
      subjectId: t.subjectId,
      title: network.name,
      documentTitle: network.name,
      documentVersion: null,
      network: network.name,
      practice: wave ? `Wave ${wave.number} panel` : 'Panel',
      expiresAt: t.expiresAt,
    };
  }

  /**
   * What waits for a person now, one line per thing to do: a round they are asked to sign, an open
   * motion or election ballot their practice has not cast. Links of every membership of the person
   * count (the same email in two practices is one person).
   */
  async function pendingFor(personId: string) {
    const networks = new Map<string, string>();
    const networkName = async (id: string) => {
      if (!networks.has(id)) networks.set(id, (await repos.records.getNetwork(db, id))?.name ?? '');
      return networks.get(id)!;
    };
    const items = [];
    for (const t of await repos.tokens.pendingForPerson(db, personId)) {
      if (t.kind === 'score') {
        const item = await scoreItem(t);
        if (item) items.push({ ...item, memberId: t.personId });
        continue;
      }
      const who = await repos.records.getPerson(db, t.personId);
      if (!who) continue;
      let title: string;
      let documentVersion: number | null = null;
      if (t.kind === 'sign' && t.documentId) {
        const signoff = await repos.signoffs.get(db, t.subjectId);
        if (!signoff || signoff.completedAt || signoff.status !== 'open') continue;
        const request = (await repos.signoffs.requests(db, signoff.id)).find((r) => r.personId === t.personId);
        if (request?.status !== 'pending') continue;
        title = (await repos.documents.get(db, t.documentId))?.title ?? '';
        documentVersion = t.documentVersion ?? 0;
      } else if (t.kind === 'vote') {
        const motion = await repos.motions.getMotion(db, t.subjectId);
        if (!motion || motion.status !== 'open' || (await repos.motions.turnout(db, motion.id)).some((v) => v.voterId === who.practiceId)) continue;
        title = motion.title;
      } else if (t.kind === 'ballot') {
        const election = await repos.elections.getElection(db, t.subjectId);
        if (!election || election.phase !== 'ballot' || (await repos.elections.turnout(db, election.id)).includes(who.practiceId)) continue;
        title = election.title;
      } else continue;
      items.push({
        actionId: t.id,
        kind: t.kind,
        subjectId: t.subjectId,
        title,
        documentTitle: title,
        documentVersion,
        network: await networkName(who.networkId),
        practice: who.practiceName,
        expiresAt: t.expiresAt,
        memberId: t.personId,
      });
    }
    // one line per thing and membership, however many links were sent for it
    return [...new Map(items.map((i) => [`${i.kind}:${i.subjectId}:${i.memberId}`, i])).values()].map(({ memberId: _m, ...i }) => i);
  }

  /** The person (persons.id) a link was sent to; a panel member's seat is theirs by email. */
  async function personOfLink(link: ActionLink): Promise<string | null> {
    if (link.person.personId) return link.person.personId;
    if (link.token.kind !== 'score') return null;
    return (await repos.persons.byEmail(db, link.person.email))?.id ?? null;
  }

  /**
   * A fresh link for one of the person's waiting actions (links are not stored, so one cannot be
   * sent again): the action must be waiting for that same person.
   */
  async function openMine(personId: string | null, actionId: string): Promise<string> {
    const target = personId ? (await repos.tokens.pendingForPerson(db, personId)).find((t) => t.id === actionId) : undefined;
    if (!target || !(await pendingFor(personId!)).some((i) => i.actionId === actionId))
      throw new AppError('NOT_FOUND', 'That action is no longer waiting for you.');
    const fresh = newTokenSecret();
    await repos.tokens.insertActionToken(db, { ...target, id: crypto.randomUUID(), secret: fresh });
    return fresh;
  }

  return {
    /** Everything waiting for the person this link was sent to (whatever its kind), across networks. */
    async mine(link: ActionLink) {
      const personId = await personOfLink(link);
      return personId ? pendingFor(personId) : [];
    },

    /** A fresh link for one of the waiting actions of the person this link was sent to. */
    async openMineByLink(link: ActionLink, actionId: string): Promise<string> {
      return openMine(await personOfLink(link), actionId);
    },

    /** Everything waiting for a signed-in person. */
    mineFor: pendingFor,

    openMine,
  };
}
