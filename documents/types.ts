/** The document types Formwork can render. Each has a folder under templates/. */
export type DocumentType =
  | 'panel-pack'
  | 'terms-of-reference'
  | 'legal-entity-appraisal'
  | 'data-sharing-agreement'
  | 'financial-framework'
  | 'strategic-plan'
  | 'dispute-resolution'
  | 'conflict-of-interest-policy'
  | 'vote-result'
  | 'completion-certificate'
  | 'panel-outcome-letter';

export const DOCUMENT_TYPES: readonly DocumentType[] = [
  'panel-pack',
  'terms-of-reference',
  'legal-entity-appraisal',
  'data-sharing-agreement',
  'financial-framework',
  'strategic-plan',
  'dispute-resolution',
  'conflict-of-interest-policy',
  'vote-result',
  'completion-certificate',
  'panel-outcome-letter',
] as const;

export function isDocumentType(value: string): value is DocumentType {
  return (DOCUMENT_TYPES as readonly string[]).includes(value);
}

/** Facts about this issue of the document that are not part of its template context. */
export interface RenderMeta {
  documentId: string;
  version: number;
  networkName: string;
  /** ISO date (YYYY-MM-DD) */
  issuedOn: string;
}

export interface RenderedDocument {
  title: string;
  /** the Markdown produced by the template: the content that is diffed between versions */
  markdown: string;
  /** a safe HTML fragment (no <html> or <body>) */
  html: string;
  docx: Buffer;
  pdf: Buffer;
  sha256Pdf: string;
  sha256Docx: string;
  /** "builtin:<type>@<n>" or the override's version */
  templateVersion: string;
}

/** One problem with a template context, addressed by a dotted path such as `practices.2.odsCode`. */
export interface ContextIssue {
  path: string;
  message: string;
}

/**
 * The context given to a template was incomplete or invalid. `issues` lists every problem found,
 * not only the first, so a facilitator can fix a stage's data in one go.
 */
export class TemplateContextError extends Error {
  readonly issues: ContextIssue[];
  constructor(issues: ContextIssue[], what = 'template context') {
    super(`Invalid ${what}: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`);
    this.name = 'TemplateContextError';
    this.issues = issues;
  }
}
