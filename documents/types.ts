/**
 * What documents/ is given to render: a Handlebars-over-Markdown source, the version label recorded
 * with every document made from it, and the title to use when the source has no `#` title.
 * The registry of document types and their templates is templates/catalogue.ts.
 */
export interface DocumentTemplate {
  source: string;
  version: string;
  title: string;
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
  /** the template's version label, e.g. "builtin:<type>@<n>" or an override's */
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
