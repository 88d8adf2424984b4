/**
 * Legal forms open to a GP network (DOMAIN.md §2) and the options appraisal that scores them
 * against a network's answers to the facilitator questions ("form follows function").
 *
 * The scores are a structured reading of the §2 matrix on a 0–5 scale; the weights come from the
 * answers (what matters to this network). The result is advice for a member vote, not a decision.
 * Pure: no I/O, safe in workflow code.
 */

export const LEGAL_FORM_KEYS = ['contractual', 'unincorporated', 'partnership', 'llp', 'cls', 'clg', 'cic'] as const;
export type LegalFormKey = (typeof LEGAL_FORM_KEYS)[number];

export const LEGAL_FORM_LABELS: Record<LegalFormKey, string> = {
  contractual: 'Contractual joint venture with a lead practice',
  unincorporated: 'Unincorporated association',
  partnership: 'General partnership (super-partnership)',
  llp: 'Limited liability partnership (LLP)',
  cls: 'Company limited by shares',
  clg: 'Company limited by guarantee',
  cic: 'Community interest company (CIC)',
};

/** The §2 matrix, one line per attribute, in words fit for the appraisal document. */
export const LEGAL_FORM_MATRIX: Record<
  LegalFormKey,
  {
    separatePerson: string;
    liability: string;
    contracts: string;
    staff: string;
    tax: string;
    governance: string;
    voting: string;
    regulators: string;
    setUp: string;
    fit: string;
  }
> = {
  contractual: {
    separatePerson: 'No: the practices contract with each other',
    liability: 'Each practice, by contract; the lead practice carries the employment risk',
    contracts: 'Practices keep their GMS/PMS/APMS contracts and the network contract',
    staff: 'The lead practice (or a federation) employs',
    tax: 'Income taxed within each practice; VAT may apply to staff secondments',
    governance: 'Network agreement and schedules',
    voting: 'As set in the agreement',
    regulators: 'Commissioner; CQC through the practices',
    setUp: 'Lowest: a template agreement exists',
    fit: 'Delivering a network contract without a new body',
  },
  unincorporated: {
    separatePerson: 'No',
    liability: 'Committee members unlimited unless indemnified',
    contracts: 'Cannot hold contracts in its own name',
    staff: 'Awkward: someone must employ on its behalf',
    tax: 'Taxed through the members',
    governance: 'Constitution or rules',
    voting: 'As the rules say',
    regulators: 'None',
    setUp: 'Low',
    fit: 'An early, loose association',
  },
  partnership: {
    separatePerson: 'No',
    liability: 'Unlimited, joint and several',
    contracts: 'Can hold GMS and PMS contracts',
    staff: 'Yes',
    tax: 'Tax-transparent: partners taxed personally',
    governance: 'Partnership deed (default: Partnership Act 1890)',
    voting: 'Majority for ordinary matters; unanimity to admit a partner or change the business',
    regulators: 'HMRC',
    setUp: 'Deed drafting; merger due diligence is heavy',
    fit: 'A full merger of practices',
  },
  llp: {
    separatePerson: 'Yes',
    liability: 'Limited; drawings in the two years before insolvency can be clawed back',
    contracts: 'Can hold APMS or NHS Standard contracts for the network',
    staff: 'Yes',
    tax: 'Tax-transparent like a partnership',
    governance: 'LLP members’ agreement (default: LLP Regulations 2001)',
    voting: 'Default equal shares; all members consent to admit',
    regulators: 'Companies House',
    setUp: 'Moderate',
    fit: 'A network holding a shared contract',
  },
  cls: {
    separatePerson: 'Yes',
    liability: 'Limited to unpaid share capital',
    contracts: 'Can hold contracts, including GMS',
    staff: 'Yes; NHS Pension access needs employing-authority or direction status',
    tax: 'Corporation tax, then tax on dividends',
    governance: 'Articles and a shareholders’ agreement (reserved matters)',
    voting: 'By shares, so it can be weighted by list size',
    regulators: 'Companies House; CQC if it provides regulated activity itself',
    setUp: 'Moderate: Articles, shareholders’ agreement and share issue',
    fit: 'A federation bidding for services',
  },
  clg: {
    separatePerson: 'Yes',
    liability: 'Limited to the guarantee, usually £1',
    contracts: 'APMS and NHS Standard contracts; cannot hold GMS',
    staff: 'Yes; NHS Pension access as for a company limited by shares',
    tax: 'Corporation tax; no dividends',
    governance: 'Articles; one member one vote is typical',
    voting: 'Usually one member, one vote',
    regulators: 'Companies House (and CQC where it provides care)',
    setUp: 'Moderate',
    fit: 'A not-for-profit provider arm',
  },
  cic: {
    separatePerson: 'Yes',
    liability: 'As for the underlying company form',
    contracts: 'As for the underlying company form',
    staff: 'Yes',
    tax: 'Corporation tax; dividends capped at 35%; asset lock',
    governance: 'Articles and a community interest statement',
    voting: 'By shares or membership',
    regulators: 'Companies House and the CIC Regulator (annual CIC report)',
    setUp: 'Moderate, plus the community interest test',
    fit: 'A social-purpose federation',
  },
};

/** The network's answers to the facilitator questions. */
export interface LegalFormAnswers {
  /** who will hold the network's contract: the practices, or the network itself */
  holdsContract: 'practices' | 'network';
  /** must the vehicle be able to hold a GMS contract? */
  holdsGms: boolean;
  /** who employs shared staff */
  employsStaff: 'none' | 'lead-practice' | 'network';
  /** how much limiting the members' liability matters */
  limitedLiability: 'low' | 'medium' | 'high';
  /** surpluses reinvested, or distributed to members */
  profit: 'reinvest' | 'distribute';
  /** should votes be weighted by list size? */
  weightedVoting: boolean;
  /** how often members are expected to join or leave */
  membershipChanges: 'rare' | 'frequent';
  /** must staff keep NHS Pension access? */
  nhsPension: boolean;
  /** is tax transparency (profits taxed in the practices) preferred? */
  taxTransparency: boolean;
  /** the set-up budget */
  setUpBudget: 'minimal' | 'moderate';
  /** does the network want a formal social purpose and asset lock? */
  socialPurpose: boolean;
  /** will the vehicle itself provide CQC-regulated activity? */
  regulatedActivity: boolean;
}

export const DEFAULT_LEGAL_FORM_ANSWERS: LegalFormAnswers = {
  holdsContract: 'practices',
  holdsGms: false,
  employsStaff: 'lead-practice',
  limitedLiability: 'medium',
  profit: 'reinvest',
  weightedVoting: false,
  membershipChanges: 'rare',
  nhsPension: true,
  taxTransparency: false,
  setUpBudget: 'minimal',
  socialPurpose: false,
  regulatedActivity: false,
};

type Scores = Record<LegalFormKey, number>;
const s = (contractual: number, unincorporated: number, partnership: number, llp: number, cls: number, clg: number, cic: number): Scores => ({
  contractual,
  unincorporated,
  partnership,
  llp,
  cls,
  clg,
  cic,
});

interface Criterion {
  key: string;
  name: string;
  weight: number;
  why: string;
  scores: Scores;
}

/** The criteria that apply to these answers, with weights 1–3 (criteria weighted 0 are left out). */
export function criteriaFor(a: LegalFormAnswers): Criterion[] {
  const all: Criterion[] = [
    a.holdsContract === 'network'
      ? {
          key: 'contract',
          name: 'Holding the network’s contract',
          weight: 3,
          why: 'the network itself is to hold the contract',
          scores: s(1, 0, 4, 5, 5, 4, 4),
        }
      : { key: 'contract', name: 'Practices keep their contracts', weight: 1, why: 'the practices keep the contracts', scores: s(5, 4, 3, 3, 3, 3, 3) },
    { key: 'gms', name: 'Holding a GMS contract', weight: a.holdsGms ? 3 : 0, why: 'the vehicle must be able to hold GMS', scores: s(2, 0, 5, 3, 5, 0, 3) },
    a.employsStaff === 'network'
      ? { key: 'staff', name: 'Employing shared staff', weight: 3, why: 'the network will employ staff itself', scores: s(2, 1, 4, 5, 5, 5, 5) }
      : {
          key: 'staff',
          name: 'Employing shared staff',
          weight: a.employsStaff === 'lead-practice' ? 1 : 0,
          why: 'a lead practice will employ shared staff',
          scores: s(5, 3, 4, 4, 4, 4, 4),
        },
    {
      key: 'liability',
      name: 'Limiting members’ liability',
      weight: { low: 1, medium: 2, high: 3 }[a.limitedLiability],
      why: `limiting liability matters ${a.limitedLiability === 'high' ? 'a great deal' : a.limitedLiability === 'medium' ? 'to the members' : 'a little'}`,
      scores: s(3, 1, 0, 5, 5, 5, 5),
    },
    a.profit === 'distribute'
      ? { key: 'profit', name: 'Distributing surpluses to members', weight: 2, why: 'surpluses are to be distributed', scores: s(4, 3, 5, 5, 5, 0, 2) }
      : { key: 'profit', name: 'Reinvesting surpluses', weight: 1, why: 'surpluses are to be reinvested', scores: s(3, 3, 2, 3, 3, 5, 5) },
    a.weightedVoting
      ? { key: 'voting', name: 'Votes weighted by list size', weight: 2, why: 'votes should be weighted by list size', scores: s(4, 3, 3, 4, 5, 2, 3) }
      : { key: 'voting', name: 'One practice, one vote', weight: 1, why: 'each practice should have an equal vote', scores: s(5, 4, 3, 4, 3, 5, 4) },
    {
      key: 'membership',
      name: 'Ease of admitting and releasing members',
      weight: a.membershipChanges === 'frequent' ? 2 : 1,
      why: a.membershipChanges === 'frequent' ? 'members are expected to join and leave' : 'membership should be stable',
      scores: s(4, 4, 1, 2, 4, 5, 4),
    },
    {
      key: 'pension',
      name: 'NHS Pension access for staff',
      weight: a.nhsPension ? 2 : 0,
      why: 'staff must keep NHS Pension access',
      scores: s(5, 1, 4, 3, 3, 3, 3),
    },
    {
      key: 'tax',
      name: 'Tax transparency',
      weight: a.taxTransparency ? 2 : 1,
      why: a.taxTransparency ? 'profits should be taxed in the practices' : 'tax efficiency',
      scores: s(5, 3, 5, 5, 2, 2, 2),
    },
    {
      key: 'setup',
      name: 'Cost and time to set up',
      weight: a.setUpBudget === 'minimal' ? 2 : 1,
      why: a.setUpBudget === 'minimal' ? 'the set-up budget is minimal' : 'a moderate set-up budget is available',
      scores: s(5, 4, 2, 3, 3, 3, 2),
    },
    {
      key: 'purpose',
      name: 'Formal social purpose and asset lock',
      weight: a.socialPurpose ? 2 : 0,
      why: 'the network wants a formal social purpose',
      scores: s(2, 2, 1, 1, 2, 4, 5),
    },
    {
      key: 'cqc',
      name: 'Providing regulated activity itself',
      weight: a.regulatedActivity ? 2 : 0,
      why: 'the vehicle will provide CQC-regulated activity itself',
      scores: s(1, 0, 4, 5, 5, 5, 5),
    },
  ];
  return all.filter((c) => c.weight > 0);
}

export interface OptionScore {
  form: LegalFormKey;
  label: string;
  total: number;
  max: number;
  /** total ÷ max × 100, rounded to a whole number */
  percent: number;
  rank: number;
  scores: { criterion: string; score: number; weight: number; weighted: number }[];
}

export interface Appraisal {
  criteria: { key: string; name: string; weight: number; why: string }[];
  options: OptionScore[];
  recommended: LegalFormKey;
  runnerUp: LegalFormKey;
  /** why the recommended form wins: criteria where it beats the runner-up most */
  reasons: string[];
  /** criteria that matter where the recommended form is weak */
  cautions: string[];
}

/**
 * Scores every legal form against the answers. Ties are broken by the order of LEGAL_FORM_KEYS
 * (simpler forms first), so the same answers always give the same recommendation.
 */
export function appraiseLegalForms(answers: LegalFormAnswers): Appraisal {
  const criteria = criteriaFor(answers);
  const max = criteria.reduce((a, c) => a + c.weight * 5, 0);
  const options: OptionScore[] = LEGAL_FORM_KEYS.map((form) => {
    const scores = criteria.map((c) => ({ criterion: c.name, score: c.scores[form], weight: c.weight, weighted: c.scores[form] * c.weight }));
    const total = scores.reduce((a, x) => a + x.weighted, 0);
    return { form, label: LEGAL_FORM_LABELS[form], total, max, percent: max > 0 ? Math.round((total / max) * 100) : 0, rank: 0, scores };
  });
  const ranked = [...options].sort((a, b) => b.total - a.total || LEGAL_FORM_KEYS.indexOf(a.form) - LEGAL_FORM_KEYS.indexOf(b.form));
  ranked.forEach((o, i) => {
    o.rank = i + 1;
  });
  const [best, second] = ranked;
  const reasons = criteria
    .map((c) => ({ c, gain: (c.scores[best.form] - c.scores[second.form]) * c.weight }))
    .filter((x) => x.gain > 0)
    .sort((a, b) => b.gain - a.gain)
    .slice(0, 3)
    .map(
      ({ c }) => `${c.name}: it scores ${c.scores[best.form]} out of 5 against ${c.scores[second.form]} for the runner-up, and this matters because ${c.why}.`,
    );
  if (reasons.length === 0)
    reasons.push(`It scores at least as well as the runner-up on every criterion and is listed first among equals as the simpler form.`);
  const cautions = criteria
    .filter((c) => c.weight >= 2 && c.scores[best.form] <= 2)
    .map((c) => `${c.name}: it scores only ${c.scores[best.form]} out of 5, although ${c.why}.`);
  return {
    criteria: criteria.map(({ key, name, weight, why }) => ({ key, name, weight, why })),
    options,
    recommended: best.form,
    runnerUp: second.form,
    reasons,
    cautions,
  };
}
