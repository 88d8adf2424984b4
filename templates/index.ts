/**
 * The template library as the rest of the system sees it: the registry of document types and titles
 * (catalogue.ts), rendering a document of a type (render.ts), and for each formation stage the
 * schema of the data a facilitator supplies and the builder of the full template context. Every stage-data
 * field is optional or defaulted, so a stage can be issued with no data at all; defaults are
 * explicit wording or documented figures, never blanks.
 */
import type { z } from 'zod';
import type { StageKey } from '../domain/stages';
import type { DocumentType } from './catalogue';
import type { NetworkFacts } from './network-context';
import * as panelPack from './panel-pack/schema';
import * as termsOfReference from './terms-of-reference/schema';
import * as legalEntity from './legal-entity-appraisal/schema';
import * as dataSharing from './data-sharing-agreement/schema';
import * as financial from './financial-framework/schema';
import * as strategicPlan from './strategic-plan/schema';
import * as disputes from './dispute-resolution/schema';
import * as conflicts from './conflict-of-interest-policy/schema';

export type { StageKey } from '../domain/stages';
export type { NetworkFacts } from './network-context';
export { buildNetworkContext } from './network-context';
export { DOCUMENT_TYPES, TEMPLATE_CATALOGUE, builtinTemplateVersion, documentTitle, isDocumentType, loadBuiltinSource } from './catalogue';
export type { DocumentType } from './catalogue';
export { parseContext, renderTemplate } from './render';
export { missingParts, REQUIRED_SECTIONS, type MissingParts, type RequiredSection } from './required-sections';
export { certificateFromManifest, renderCertificate } from './completion-certificate/certificate';
export type { VoteResultContext, VoteResultInput } from './vote-result/schema';
export type { ElectionResultContext, ElectionResultInput } from './election-result/schema';
export type { CompletionCertificateContext, CompletionSigner } from './completion-certificate/schema';
export { type SettlementRecordContext, termsFromText } from './settlement-record/schema';
export type { PanelOutcomeLetterInput } from './panel-outcome-letter/schema';

export interface StageTemplate {
  documentType: DocumentType;
  stageDataSchema: z.ZodType;
  buildContext(facts: NetworkFacts, stageData: unknown): unknown;
}

export const STAGE_TEMPLATES: Record<StageKey, StageTemplate> = {
  'panel-presentation': { documentType: 'panel-pack', stageDataSchema: panelPack.stageDataSchema, buildContext: panelPack.buildContext },
  'terms-of-reference': { documentType: 'terms-of-reference', stageDataSchema: termsOfReference.stageDataSchema, buildContext: termsOfReference.buildContext },
  'legal-entity': { documentType: 'legal-entity-appraisal', stageDataSchema: legalEntity.stageDataSchema, buildContext: legalEntity.buildContext },
  'data-sharing-agreement': { documentType: 'data-sharing-agreement', stageDataSchema: dataSharing.stageDataSchema, buildContext: dataSharing.buildContext },
  'financial-framework': { documentType: 'financial-framework', stageDataSchema: financial.stageDataSchema, buildContext: financial.buildContext },
  'strategic-plan': { documentType: 'strategic-plan', stageDataSchema: strategicPlan.stageDataSchema, buildContext: strategicPlan.buildContext },
};

/** Context builders of the network documents that are not the output of a single stage. */
export const SUPPORTING_TEMPLATES = {
  'dispute-resolution': { documentType: 'dispute-resolution' as const, optionsSchema: disputes.optionsSchema, buildContext: disputes.buildContext },
  'conflict-of-interest-policy': {
    documentType: 'conflict-of-interest-policy' as const,
    optionsSchema: conflicts.optionsSchema,
    buildContext: conflicts.buildContext,
  },
};
