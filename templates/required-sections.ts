/**
 * What a stage's document must contain, whoever wrote its template: the sections DOMAIN.md §3 (and,
 * for the panel pack and the legal-entity appraisal, §5 and §2) names for that kind of document,
 * and a signature block for every member practice. A programme's own version of a template that
 * leaves any of them out is refused, with what is missing named, before it can be used.
 *
 * A section is found by a level-2 heading (`## …`) containing any one of its words, so a programme
 * may word its headings its own way ("Decision making", "How decisions are made").
 */
import { buildDocumentModel } from '../documents';
import type { DocumentType } from './catalogue';

export interface RequiredSection {
  /** how the section is named to the person whose template lacks it */
  title: string;
  /** lower-case words, any one of which a section heading must contain */
  words: readonly string[];
}

const section = (title: string, ...words: string[]): RequiredSection => ({ title, words });

/** The required sections of each stage's document. */
export const REQUIRED_SECTIONS: Partial<Record<DocumentType, readonly RequiredSection[]>> = {
  'panel-pack': [
    section('Vision', 'vision'),
    section('Aspirations', 'aspiration'),
    section('Use of the new freedoms', 'freedom'),
    section('Leadership (clinical director and payee)', 'leadership'),
    section('Footprint and list size', 'footprint', 'list size'),
  ],
  'terms-of-reference': [
    section('Name, purpose and legal status', 'purpose'),
    section('Membership (admission, withdrawal, expulsion)', 'membership'),
    section('The network board', 'board'),
    section('Officers', 'officer'),
    section('Meetings', 'meeting'),
    section('Quorum', 'quorum'),
    section('Decision-making', 'decision'),
    section('Conflicts of interest', 'conflict'),
    section('Review and amendment', 'amendment'),
  ],
  'legal-entity-appraisal': [section('The options compared', 'option'), section('Scores', 'score'), section('Recommendation', 'recommendation')],
  'data-sharing-agreement': [
    section('Parties and roles', 'parties', 'party'),
    section('Purposes', 'purpose'),
    section('Lawful basis', 'lawful basis'),
    section('Data shared', 'data shared', 'data categories'),
    section('Security', 'security'),
    section('Retention and destruction', 'retention'),
    section('Personal data breaches', 'breach'),
    section('Review', 'review'),
    section('Exit', 'exit'),
  ],
  'financial-framework': [
    section('Funding streams', 'funding'),
    section('Distribution method', 'distribution'),
    section('Holding the money', 'holding'),
    section('Controls and reporting', 'control', 'reporting'),
    section('Leaving the network', 'leaving', 'exit'),
  ],
  'strategic-plan': [
    section('Vision and values', 'vision'),
    section('Objectives', 'objective'),
    section('Actions by horizon', 'action'),
    section('Measures (KPIs)', 'measure', 'kpi'),
    section('Risks', 'risk'),
    section('Review', 'review'),
  ],
};

/** What a rendered document lacks: required sections by title, and the practices without a signature block. */
export interface MissingParts {
  sections: string[];
  signaturesFor: string[];
}

function plain(text: string): string {
  return text
    .toLowerCase()
    .replace(/[-‐–—_]/g, ' ')
    .replace(/\s+/g, ' ');
}

/** A party's name as compared: entities decoded, quotes straightened, case and spacing ignored. */
function partyKey(name: string): string {
  const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'", '#x3D': '=', '#x60': '`' };
  return name
    .replace(/&(amp|lt|gt|quot|#39|#x27|#x3D|#x60);/g, (_m, e: string) => entities[e])
    .replace(/[‘’]/g, "'")
    .replace(/[“”]/g, '"')
    .trim()
    .toLowerCase()
    .replace(/\s+/g, ' ');
}

/**
 * Checks a document rendered from a candidate template: every required section of its type has a
 * heading, and every member practice (by name) has a signature block.
 */
export function missingParts(type: DocumentType, markdown: string, practiceNames: readonly string[]): MissingParts {
  const model = buildDocumentModel(markdown);
  const headings = model.blocks.filter((b) => b.kind === 'heading' && b.level === 2).map((b) => plain((b as { text: string }).text));
  const parties = new Set(model.blocks.filter((b) => b.kind === 'signature').map((b) => partyKey((b as { party: string }).party)));
  return {
    sections: (REQUIRED_SECTIONS[type] ?? []).filter((s) => !headings.some((h) => s.words.some((w) => h.includes(w)))).map((s) => s.title),
    signaturesFor: practiceNames.filter((name) => !parties.has(partyKey(name))),
  };
}
