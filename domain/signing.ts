/**
 * Who must sign for a practice. In a sign-off round every member practice must sign; which of its
 * people may sign for it is decided here so that workflows, activities and the server agree.
 */
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

/** The rule of a round. `any-partner`: one signature from any partner completes the practice. */
export interface SigningRule {
  kind: 'any-partner';
  capacity: 'partner';
}

export const DEFAULT_SIGNING_RULE: SigningRule = { kind: 'any-partner', capacity: 'partner' };

export interface RequiredPractice {
  practiceId: string;
  practiceName: string;
  signers: { personId: string; name: string; email: string }[];
}

/** The practices of a round with the people entitled to sign for each. */
export function requiredSignatories(practices: readonly PracticeForSigning[], rule: SigningRule = DEFAULT_SIGNING_RULE): RequiredPractice[] {
  return practices.map((p) => ({
    practiceId: p.practiceId,
    practiceName: p.practiceName,
    signers: p.people
      .filter((person) => person.roles.includes(rule.capacity))
      .map(({ personId, name, email }) => ({ personId, name, email })),
  }));
}

/** Practices that cannot complete a round under the rule, because nobody may sign for them. */
export function practicesWithoutSigners(practices: readonly PracticeForSigning[], rule: SigningRule = DEFAULT_SIGNING_RULE): string[] {
  return requiredSignatories(practices, rule)
    .filter((p) => p.signers.length === 0)
    .map((p) => p.practiceName);
}

export type SignRejection =
  | { code: 'ROUND_CLOSED'; message: string }
  | { code: 'NOT_A_SIGNER'; message: string }
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

export interface RoundState {
  open: boolean;
  documentVersion: number;
  practices: readonly RequiredPractice[];
  /** practiceId → personId of the signature that counts */
  signedBy: Readonly<Record<string, string>>;
}

/** Checks a signature attempt against the round; null means it may be accepted. */
export function checkSignAttempt(round: RoundState, attempt: SignAttempt): SignRejection | null {
  if (!round.open) return { code: 'ROUND_CLOSED', message: 'This signing round is closed.' };
  const practice = round.practices.find((p) => p.signers.some((s) => s.personId === attempt.personId));
  if (!practice) return { code: 'NOT_A_SIGNER', message: 'You are not entitled to sign this document for any practice.' };
  if (attempt.documentVersion !== round.documentVersion) {
    return { code: 'WRONG_VERSION', message: `This link is for version ${attempt.documentVersion}; the current version is ${round.documentVersion}.` };
  }
  const existing = round.signedBy[practice.practiceId];
  if (existing) {
    return {
      code: 'ALREADY_SIGNED',
      message: existing === attempt.personId ? 'You have already signed this document.' : `${practice.practiceName} has already signed this document.`,
    };
  }
  const signer = practice.signers.find((s) => s.personId === attempt.personId);
  if (signer && !typedNameMatches(attempt.typedName, signer.name)) {
    return { code: 'NAME_MISMATCH', message: `The typed name must be your full name as registered (${signer.name}).` };
  }
  return null;
}

/** True when every practice of the round has a signature. */
export function roundComplete(round: Pick<RoundState, 'practices' | 'signedBy'>): boolean {
  return round.practices.every((p) => Boolean(round.signedBy[p.practiceId]));
}
