/**
 * Who must sign, and in what order. A sign-off round is a set of **slots**; each slot names who may
 * fill it (one partner of a practice, a particular partner, the practice's Caldicott guardian, the
 * network's chair…). One signature fills every open slot of the active group its signer is eligible
 * for, so a sole partner who is also the Caldicott guardian signs once for both.
 */
import type { SigningRule } from './signing.schema';

export type { SigningRule } from './signing.schema';

/** The longest reason a partner may give for declining to sign (the API and the signing page agree). */
export const DECLINE_REASON_MAX = 2000;

export const DEFAULT_SIGNING_RULE: SigningRule = { partners: 'any-partner', practiceRoles: [], officers: [], order: 'parallel' };

/** The default rule of each document type; a facilitator may choose another when issuing. */
export function defaultSigningRule(documentType: string): SigningRule {
  if (documentType === 'data-sharing-agreement') return { ...DEFAULT_SIGNING_RULE, practiceRoles: ['caldicott-guardian'] };
  return DEFAULT_SIGNING_RULE;
}

export function describeSigningRule(rule: SigningRule): string {
  const parts = [rule.partners === 'any-partner' ? 'one partner of each practice' : 'every partner of each practice'];
  for (const role of rule.practiceRoles) parts.push(`each practice's ${role.replace(/-/g, ' ')}`);
  const officers = rule.officers.map((o) => `the network's ${o.replace(/-/g, ' ')}`);
  if (officers.length && rule.order === 'practices-then-officers') return `${parts.join(' and ')} sign; then ${officers.join(' and ')}`;
  return [...parts, ...officers].join(', ') + ' sign';
}

/** A rule as the answer to "who signs?": "one partner of each practice, then the network's chair". */
export function whoSigns(rule: SigningRule): string {
  return describeSigningRule(rule)
    .replace(/ sign; then /, ', then ')
    .replace(/ sign$/, '');
}

export interface SignerCandidate {
  personId: string;
  name: string;
  email: string;
  roles: readonly string[];
}

export interface PracticeForSigning {
  practiceId: string;
  practiceName: string;
  people: readonly SignerCandidate[];
}

export interface Slot {
  id: string;
  /** the practice this slot is for, or null for a network officer */
  practiceId: string | null;
  practiceName: string | null;
  /** the capacity the signature is given in */
  capacity: string;
  /** 1 = first group; officers after practices are group 2 */
  group: number;
  eligible: { personId: string; name: string; email: string }[];
}

/** The slots of a round under a rule. */
export function buildSlots(practices: readonly PracticeForSigning[], rule: SigningRule): Slot[] {
  const slots: Slot[] = [];
  const pick = (p: SignerCandidate) => ({ personId: p.personId, name: p.name, email: p.email });
  // a practice's slots are all in the first group; `key` tells slots of the same capacity apart
  const practiceSlot = (practice: PracticeForSigning, key: string, capacity: string, eligible: Slot['eligible']): Slot => ({
    id: `${practice.practiceId}:${key}`,
    practiceId: practice.practiceId,
    practiceName: practice.practiceName,
    capacity,
    group: 1,
    eligible,
  });
  for (const practice of practices) {
    const partners = practice.people.filter((p) => p.roles.includes('partner'));
    if (rule.partners === 'any-partner') {
      slots.push(practiceSlot(practice, 'partner', 'partner', partners.map(pick)));
    } else {
      for (const partner of partners) slots.push(practiceSlot(practice, `partner:${partner.personId}`, 'partner', [pick(partner)]));
      if (partners.length === 0) slots.push(practiceSlot(practice, 'partner', 'partner', []));
    }
    for (const role of rule.practiceRoles) {
      slots.push(practiceSlot(practice, role, role, practice.people.filter((p) => p.roles.includes(role)).map(pick)));
    }
  }
  const everyone = practices.flatMap((p) => p.people);
  for (const office of rule.officers) {
    const holders = everyone.filter((p) => p.roles.includes(office));
    const unique = [...new Map(holders.map((h) => [h.personId, pick(h)])).values()];
    slots.push({
      id: `network:${office}`,
      practiceId: null,
      practiceName: null,
      capacity: office,
      group: rule.order === 'practices-then-officers' ? 2 : 1,
      eligible: unique,
    });
  }
  return slots;
}

/** Slots nobody may fill: the round could never complete, so issuing must be refused. */
export function unfillableSlots(slots: readonly Slot[]): Slot[] {
  return slots.filter((s) => s.eligible.length === 0);
}

export function describeSlot(slot: Slot): string {
  const who = slot.capacity.replace(/-/g, ' ');
  return slot.practiceName ? `${slot.practiceName} (${who})` : `the network's ${who}`;
}

export interface RoundState {
  open: boolean;
  documentVersion: number;
  slots: readonly Slot[];
  /** slotId → personId of the signature that filled it */
  filled: Readonly<Record<string, string>>;
}

/** The lowest group with an open slot; 0 when every slot is filled. */
export function activeGroup(round: Pick<RoundState, 'slots' | 'filled'>): number {
  const open = round.slots.filter((s) => !round.filled[s.id]).map((s) => s.group);
  return open.length ? Math.min(...open) : 0;
}

/** The open slots of the active group that this person may fill. */
export function slotsFor(round: Pick<RoundState, 'slots' | 'filled'>, personId: string): Slot[] {
  const group = activeGroup(round);
  return round.slots.filter((s) => s.group === group && !round.filled[s.id] && s.eligible.some((e) => e.personId === personId));
}

export function roundComplete(round: Pick<RoundState, 'slots' | 'filled'>): boolean {
  return round.slots.every((s) => Boolean(round.filled[s.id]));
}

export type SignRejection =
  | { code: 'ROUND_CLOSED'; message: string }
  | { code: 'NOT_A_SIGNER'; message: string }
  | { code: 'NOT_YET'; message: string }
  | { code: 'WRONG_VERSION'; message: string }
  | { code: 'ALREADY_SIGNED'; message: string }
  | { code: 'NAME_MISMATCH'; message: string };

/** Normalises a typed name for comparison: case, spacing, punctuation and common titles do not matter. */
export function normaliseName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z\s'-]/g, ' ')
    .split(/\s+/)
    .filter((w) => w && !['dr', 'mr', 'mrs', 'ms', 'miss', 'prof', 'professor', 'mx'].includes(w))
    .join(' ');
}

export function typedNameMatches(typed: string, registered: string): boolean {
  const a = normaliseName(typed);
  return a.length > 0 && a === normaliseName(registered);
}

export interface SignAttempt {
  personId: string;
  documentVersion: number;
  typedName: string;
}

/** Checks a signature attempt against the round; null means it may be accepted. */
export function checkSignAttempt(round: RoundState, attempt: SignAttempt): SignRejection | null {
  if (!round.open) return { code: 'ROUND_CLOSED', message: 'This signing round is closed.' };
  const mine = round.slots.filter((s) => s.eligible.some((e) => e.personId === attempt.personId));
  if (mine.length === 0) return { code: 'NOT_A_SIGNER', message: 'You are not entitled to sign this document.' };
  if (attempt.documentVersion !== round.documentVersion) {
    return { code: 'WRONG_VERSION', message: `This link is for version ${attempt.documentVersion}; the current version is ${round.documentVersion}.` };
  }
  if (Object.values(round.filled).includes(attempt.personId)) return { code: 'ALREADY_SIGNED', message: 'You have already signed this document.' };
  const open = mine.filter((s) => !round.filled[s.id]);
  if (open.length === 0) {
    const slot = mine[0];
    return {
      code: 'ALREADY_SIGNED',
      message: slot.practiceName ? `${slot.practiceName} has already signed this document.` : 'This document has already been signed in your capacity.',
    };
  }
  if (slotsFor(round, attempt.personId).length === 0) {
    return { code: 'NOT_YET', message: 'Your signature is asked for once every practice has signed; you will receive an email then.' };
  }
  const signer = open[0].eligible.find((e) => e.personId === attempt.personId);
  if (signer && !typedNameMatches(attempt.typedName, signer.name)) {
    return { code: 'NAME_MISMATCH', message: `The typed name must be your full name as registered (${signer.name}).` };
  }
  return null;
}

/** Who a person may hand their request to: others eligible for the same practice and capacity. */
export function delegationTargets(slots: readonly Slot[], practices: readonly PracticeForSigning[], personId: string): SignerCandidate[] {
  const mine = slots.filter((s) => s.practiceId && s.eligible.some((e) => e.personId === personId));
  if (mine.length === 0) return [];
  const practice = practices.find((p) => p.practiceId === mine[0].practiceId);
  if (!practice) return [];
  const capacities = new Set(mine.map((s) => s.capacity));
  return practice.people.filter((p) => p.personId !== personId && [...capacities].every((c) => p.roles.includes(c)));
}

/** Moves a person's eligibility in the open slots to a delegate. */
export function delegateSlots(
  round: Pick<RoundState, 'slots' | 'filled'>,
  fromPersonId: string,
  to: { personId: string; name: string; email: string },
): Slot[] {
  return round.slots.map((s) => {
    if (round.filled[s.id] || !s.eligible.some((e) => e.personId === fromPersonId)) return s;
    const eligible = s.eligible.filter((e) => e.personId !== fromPersonId);
    if (!eligible.some((e) => e.personId === to.personId)) eligible.push(to);
    return { ...s, eligible };
  });
}

/** A signature as progress needs it: who, which slots, when. */
export interface SlotSignature {
  personId: string;
  slotIds: readonly string[];
  signedAt: string;
}

/** Where one party (a practice, or a network office) stands in a round. */
export interface PartyProgress {
  /** every slot of the party is filled (false for a party with no slots) */
  signed: boolean;
  /** people whose signatures filled the party's slots, in signing order */
  signers: { personId: string; signedAt: string }[];
  /** people who could still fill an open slot of the party */
  owed: { personId: string; name: string }[];
  /** what is still owed, in words: "any one of its 7 partners", "Dr Ann Ali (Caldicott guardian)" */
  owedInWords: string;
}

function plural(word: string): string {
  return word.endsWith('y') ? `${word.slice(0, -1)}ies` : `${word}s`;
}

function owedWords(open: readonly Slot[]): string {
  return open
    .map((slot) => {
      const role = slot.capacity.replace(/-/g, ' ');
      if (slot.eligible.length === 0) return `nobody can sign as ${role}`;
      if (slot.eligible.length === 1) return `${slot.eligible[0].name} (${role})`;
      return `any one of ${slot.practiceId ? 'its' : 'the'} ${slot.eligible.length} ${plural(role)}`;
    })
    .join('; ');
}

/** Where every practice and network office stands in a round, from its slots and signatures. */
export function roundProgress(
  slots: readonly Slot[],
  signatures: readonly SlotSignature[],
): { practices: Map<string, PartyProgress>; officers: (PartyProgress & { capacity: string })[] } {
  const filledBy = new Map(signatures.flatMap((sig) => sig.slotIds.map((slotId) => [slotId, sig] as const)));
  const party = (own: readonly Slot[]): PartyProgress => {
    const done = own.filter((slot) => filledBy.has(slot.id));
    const open = own.filter((slot) => !filledBy.has(slot.id));
    const signers = [...new Set(done.map((slot) => filledBy.get(slot.id)!))].sort((a, b) => a.signedAt.localeCompare(b.signedAt));
    const owed = [...new Map(open.flatMap((slot) => slot.eligible.map((e) => [e.personId, { personId: e.personId, name: e.name }] as const))).values()];
    return {
      signed: own.length > 0 && open.length === 0,
      signers: signers.map((s) => ({ personId: s.personId, signedAt: s.signedAt })),
      owed,
      owedInWords: owedWords(open),
    };
  };
  const byPractice = new Map<string, Slot[]>();
  for (const slot of slots) if (slot.practiceId) byPractice.set(slot.practiceId, [...(byPractice.get(slot.practiceId) ?? []), slot]);
  return {
    practices: new Map([...byPractice].map(([practiceId, own]) => [practiceId, party(own)])),
    officers: slots.filter((slot) => slot.practiceId === null).map((slot) => ({ capacity: slot.capacity, ...party([slot]) })),
  };
}
