/**
 * The registry of document types: for each type its title, its context schema and the version of its
 * built-in Handlebars-over-Markdown source (templates/<type>/template.md.hbs, read once per process).
 * This is the one place a document type or its title is defined; documents/ knows neither and
 * renders whatever template it is handed.
 *
 * Bump a type's `version` whenever its template or schema changes what a document says: the version
 * is recorded with every rendered document.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import * as panelPack from './panel-pack/schema';
import * as termsOfReference from './terms-of-reference/schema';
import * as legalEntity from './legal-entity-appraisal/schema';
import * as dataSharing from './data-sharing-agreement/schema';
import * as financial from './financial-framework/schema';
import * as strategicPlan from './strategic-plan/schema';
import * as disputes from './dispute-resolution/schema';
import * as conflicts from './conflict-of-interest-policy/schema';
import * as voteResult from './vote-result/schema';
import * as certificate from './completion-certificate/schema';
import * as settlement from './settlement-record/schema';
import * as panelOutcomeLetter from './panel-outcome-letter/schema';
import * as electionResult from './election-result/schema';

export interface CatalogueEntry {
  /** the document's name when its template gives it no `#` title of its own */
  title: string;
  version: number;
  schema: z.ZodType;
}

/** Each document type Formwork can render, by its name: the one list of them. Each has a folder of the same name here. */
export const TEMPLATE_CATALOGUE = {
  'panel-pack': { title: 'Panel pack', version: 1, schema: panelPack.contextSchema },
  'terms-of-reference': { title: 'Terms of reference and constitution', version: 2, schema: termsOfReference.contextSchema },
  'legal-entity-appraisal': { title: 'Legal entity options appraisal', version: 1, schema: legalEntity.contextSchema },
  'data-sharing-agreement': { title: 'Data-sharing agreement', version: 1, schema: dataSharing.contextSchema },
  'financial-framework': { title: 'Financial framework', version: 1, schema: financial.contextSchema },
  'strategic-plan': { title: 'Strategic plan', version: 1, schema: strategicPlan.contextSchema },
  'dispute-resolution': { title: 'Risk, issue and dispute resolution procedure', version: 1, schema: disputes.contextSchema },
  'conflict-of-interest-policy': { title: 'Conflict of interest policy', version: 1, schema: conflicts.contextSchema },
  'vote-result': { title: 'Vote result certificate', version: 1, schema: voteResult.contextSchema },
  'completion-certificate': { title: 'Certificate of completion', version: 1, schema: certificate.contextSchema },
  'settlement-record': { title: 'Settlement record', version: 1, schema: settlement.contextSchema },
  'panel-outcome-letter': { title: 'Panel outcome letter', version: 1, schema: panelOutcomeLetter.contextSchema },
  'election-result': { title: 'Election result certificate', version: 1, schema: electionResult.contextSchema },
} as const satisfies Record<string, CatalogueEntry>;

export type DocumentType = keyof typeof TEMPLATE_CATALOGUE;

/** The document types, in the catalogue's order. */
export const DOCUMENT_TYPES = Object.keys(TEMPLATE_CATALOGUE) as DocumentType[];

export function isDocumentType(value: string): value is DocumentType {
  return Object.hasOwn(TEMPLATE_CATALOGUE, value);
}

/** A document type's title, from the registry. */
export function documentTitle(type: DocumentType): string {
  return TEMPLATE_CATALOGUE[type].title;
}

const sources = new Map<DocumentType, string>();

/** Where a built-in template lives on disk. */
export function builtinTemplatePath(type: DocumentType): string {
  return path.join(__dirname, type, 'template.md.hbs');
}

export function loadBuiltinSource(type: DocumentType): string {
  let source = sources.get(type);
  if (source === undefined) {
    source = fs.readFileSync(builtinTemplatePath(type), 'utf8');
    sources.set(type, source);
  }
  return source;
}

/** "builtin:<type>@<n>" */
export function builtinTemplateVersion(type: DocumentType): string {
  return `builtin:${type}@${TEMPLATE_CATALOGUE[type].version}`;
}
