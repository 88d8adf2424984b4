import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { newTokenSecret } from '../db/repos/tokens.repo';
import type { ActivityDeps } from './formation.activities';

/**
 * Ballot links of motions and elections: the action token and the outbox message carrying it,
 * written together, once per dedupe key. Each message's words are one small function below.
 */

export interface LinkMessage {
  subject: string;
  text: string;
}

export function voteInvitation(m: { personName: string; networkName: string; title: string; practiceName: string; ruleDescription: string; closesAt: string; link: string }): LinkMessage {
  return {
    subject: `Vote: ${m.title}`,
    text: [
      `Dear ${m.personName},`,
      '',
      `${m.networkName} is voting on "${m.title}". One vote is counted for ${m.practiceName}: the first partner to vote casts it.`,
      '',
      m.ruleDescription,
      '',
      `Voting closes at ${m.closesAt} (UTC). Cast your practice's vote here: ${m.link}`,
      '',
      'This link is personal to you. If you did not expect it, you can ignore this message.',
    ].join('\n'),
  };
}

export function voteReminder(m: { personName: string; practiceName: string; title: string; closesAt: string; link: string }): LinkMessage {
  return {
    subject: `Reminder – vote: ${m.title}`,
    text: [`Dear ${m.personName},`, '', `${m.practiceName} has not voted yet on "${m.title}". Voting closes at ${m.closesAt} (UTC).`, '', `Vote here: ${m.link}`].join('\n'),
  };
}

export function electionInvitation(m: { personName: string; networkName: string; title: string; constituency: string; seats: number; candidateNames: string[]; practiceName: string; closesAt: string; link: string }): LinkMessage {
  return {
    subject: `Election ballot: ${m.title} (${m.constituency})`,
    text: [
      `Dear ${m.personName},`,
      '',
      `${m.networkName} is electing ${m.seats} member(s) for ${m.constituency}. Candidates: ${m.candidateNames.join(', ') || 'none'}.`,
      `One ballot is counted for ${m.practiceName}: the first partner to vote casts it.`,
      '',
      `The ballot closes at ${m.closesAt} (UTC). Read the statements and vote here: ${m.link}`,
    ].join('\n'),
  };
}

/** Links stay valid for the configured time, and at least a day past the close. */
export function linkExpiry(deps: Pick<ActivityDeps, 'actionTokenTtlDays'>, closesAt: string): string {
  const ttl = Date.now() + deps.actionTokenTtlDays * 86_400_000;
  return new Date(Math.max(ttl, Date.parse(closesAt) + 86_400_000)).toISOString();
}

export interface BallotLink {
  /** unique per message; a retried activity finds the earlier message and writes nothing */
  dedupeKey: string;
  kind: 'vote' | 'ballot';
  person: { id: string; email: string };
  subjectId: string;
  documentId: string | null;
  workflowId: string;
  networkId: string;
  expiresAt: string;
  message: (link: string) => LinkMessage;
}

/** Writes one ballot link (token and message) in the caller's transaction; false if it was already written. */
export async function writeBallotLink(trx: Knex.Transaction, deps: Pick<ActivityDeps, 'repos' | 'publicUrl' | 'mailer'>, l: BallotLink): Promise<boolean> {
  if (await deps.repos.outbox.byDedupeKey(trx, l.dedupeKey)) return false;
  const secret = newTokenSecret();
  const link = `${deps.publicUrl}/a/${secret}`;
  const message = l.message(link);
  await deps.repos.tokens.insertActionToken(trx, {
    id: crypto.randomUUID(),
    secret,
    kind: l.kind,
    personId: l.person.id,
    subjectId: l.subjectId,
    documentId: l.documentId,
    documentVersion: null,
    workflowId: l.workflowId,
    expiresAt: l.expiresAt,
  });
  await deps.repos.outbox.insert(trx, {
    id: crypto.randomUUID(),
    dedupeKey: l.dedupeKey,
    to: l.person.email,
    subject: message.subject,
    text: message.text,
    links: [link],
    networkId: l.networkId,
    delivery: deps.mailer ? 'pending' : 'outbox',
  });
  return true;
}
