import type { Knex } from 'knex';
import { type PersonActor, scopeFilter } from '../../domain/access/policy';
import { formationWorkflowId } from '../../workflows/messages';
import { loadPersonActor } from '../auth';
import type { ServerDeps } from '../deps';
import { AppError } from '../errors';

/** A score link opened from the panel page is for this sitting: a day, and another is a click away. */
const OPENED_SCORE_LINK_MS = 24 * 3600_000;

/** Where one presentation stands for one panel member. */
export type SeatStatus = 'awaiting' | 'scored' | 'excluded' | 'closed';

/**
 * Panel members as people: a seat on a wave's panel makes its holder a person (by email) with a
 * `panel-member` grant on the programme, so they can sign in and find what awaits their score.
 *
 * Taking someone off a panel takes the programme off their grant only when they sit on no other
 * panel of that programme; a grant left covering no programme is revoked, and a person then left
 * with no standing anywhere loses their sessions and API tokens, as a revoked staff grant does. An
 * administrator's own `POST /staff` grant of the same programme is the same grant, so it goes too:
 * the panel is the record of who scores a programme's presentations.
 */
export function createPanelPeople(deps: ServerDeps) {
  const { db, repos } = deps;

  /**
   * Brings grants in line with a wave's panel, in the transaction that set it: `before` is the
   * panel's member emails before the change (the panel as it now stands is read back).
   */
  async function syncGrants(
    trx: Knex.Transaction,
    input: { actor: string; programmeId: string; waveId: string; before: readonly string[]; members: readonly { name: string; email: string }[] },
  ) {
    for (const m of input.members) {
      const person = await repos.persons.ensure(trx, { email: m.email, name: m.name });
      const held = (await repos.persons.liveGrants(trx, person.id)).find((g) => g.role === 'panel-member');
      if (held?.programmeIds.includes(input.programmeId)) continue;
      const { grantId } = await repos.persons.grant(trx, { personId: person.id, role: 'panel-member', programmeIds: [input.programmeId] });
      await repos.audit.append(trx, input.actor, {
        type: 'panel.member-granted',
        programmeId: input.programmeId,
        waveId: input.waveId,
        personId: person.id,
        grantId,
      });
    }
    const kept = new Set(input.members.map((m) => m.email.toLowerCase()));
    for (const email of input.before.filter((e) => !kept.has(e.toLowerCase()))) {
      const person = await repos.persons.byEmail(trx, email);
      if (!person) continue;
      // still on another wave's panel of this programme: they keep the grant
      if ((await repos.panels.seatsByEmail(trx, email)).some((seat) => seat.programmeId === input.programmeId)) continue;
      const withdrawn = await repos.persons.withdrawProgramme(trx, { personId: person.id, role: 'panel-member', programmeId: input.programmeId });
      if (!withdrawn) continue;
      const grantRevoked = withdrawn.remaining === 0 && (await repos.persons.revokeGrant(trx, withdrawn.grantId));
      let credentialsEnded = false;
      if (grantRevoked && !(await loadPersonActor({ db: trx, repos }, person.id, { kind: 'token', id: 'check' }))) {
        await repos.tokens.revokeApiTokensOf(trx, person.id);
        await repos.sessions.endSessionsOf(trx, person.id);
        credentialsEnded = true;
      }
      await repos.audit.append(trx, input.actor, {
        type: 'panel.member-withdrawn',
        programmeId: input.programmeId,
        waveId: input.waveId,
        personId: person.id,
        grantId: withdrawn.grantId,
        grantRevoked,
        credentialsEnded,
      });
    }
  }

  /** The signed-in person's panel seats in the programmes they may read panels of. */
  async function seatsOf(person: PersonActor) {
    const record = await repos.persons.get(db, person.personId);
    if (!record) return [];
    const readable = scopeFilter(person, 'panel.read');
    return (await repos.panels.seatsByEmail(db, record.email)).filter((seat) => readable.all || readable.programmeIds.includes(seat.programmeId));
  }

  /** Each presentation made to a seat's panel, and where it stands for that member. */
  async function presentationsOf(seats: Awaited<ReturnType<typeof seatsOf>>) {
    const presentations = await repos.panels.presentationsForWaves(db, [...new Set(seats.map((s) => s.waveId))]);
    const out = [];
    for (const p of presentations) {
      const seat = seats.find((s) => s.waveId === p.waveId);
      if (!seat) continue;
      const [network, invitations, score] = await Promise.all([
        repos.records.getNetwork(db, p.networkId),
        repos.panels.invitations(db, p.id),
        repos.panels.scoreOf(db, p.id, seat.id),
      ]);
      const invitation = invitations.find((i) => i.memberId === seat.id);
      // a presentation whose invitations went out before this member joined is not theirs to score
      if (!invitation || !network) continue;
      let status: SeatStatus;
      if (score) status = 'scored';
      else if (invitation.excluded) status = 'excluded';
      else if (p.outcome || network.waveId !== p.waveId) status = 'closed';
      else status = 'awaiting';
      out.push({
        presentation: p,
        seat,
        network: { id: network.id, name: network.name },
        status,
        scoredAt: score?.scoredAt ?? null,
        exclusionReason: invitation.reason,
      });
    }
    return out;
  }

  return {
    syncGrants,

    /** Per programme and wave, the networks whose presentation awaits this member's score, and those scored. */
    async queueFor(person: PersonActor) {
      const seats = await seatsOf(person);
      const items = await presentationsOf(seats);
      const programmes = new Map<
        string,
        {
          id: string;
          name: string;
          waves: {
            waveId: string;
            number: number;
            panelDate: string;
            networks: { presentationId: string; name: string; status: SeatStatus; scoredAt: string | null; exclusionReason: string | null }[];
          }[];
        }
      >();
      for (const seat of seats) {
        const wave = await repos.records.getWave(db, seat.waveId);
        if (!programmes.has(seat.programmeId))
          programmes.set(seat.programmeId, { id: seat.programmeId, name: (await repos.records.getProgramme(db, seat.programmeId))?.name ?? '', waves: [] });
        programmes.get(seat.programmeId)!.waves.push({
          waveId: seat.waveId,
          number: wave?.number ?? 0,
          panelDate: seat.panelDate,
          networks: items
            .filter((i) => i.seat.id === seat.id)
            .map((i) => ({
              presentationId: i.presentation.id,
              name: i.network.name,
              status: i.status,
              scoredAt: i.scoredAt,
              exclusionReason: i.exclusionReason,
            }))
            .sort((a, b) => a.name.localeCompare(b.name)),
        });
      }
      for (const p of programmes.values()) p.waves.sort((a, b) => a.number - b.number);
      return [...programmes.values()];
    },

    /**
     * A fresh score link for the signed-in member and one presentation awaiting their score (links
     * are stored as hashes, so the emailed one cannot be sent again). Anything else is "not found".
     */
    async openScoreLink(person: PersonActor, presentationId: string): Promise<string> {
      const item = (await presentationsOf(await seatsOf(person))).find((i) => i.presentation.id === presentationId && i.status === 'awaiting');
      if (!item) throw new AppError('NOT_FOUND', 'That presentation is not waiting for your score.');
      const secret = await repos.tokens.mintActionToken(db, {
        kind: 'score',
        personId: item.seat.id,
        subjectId: item.presentation.id,
        documentId: item.presentation.documentId,
        documentVersion: null,
        workflowId: formationWorkflowId(item.network.id),
        expiresAt: new Date(Date.now() + OPENED_SCORE_LINK_MS).toISOString(),
      });
      return secret;
    },
  };
}

export type PanelPeople = ReturnType<typeof createPanelPeople>;
