/**
 * The documents engine: template + context → Markdown → one document model → DOCX, PDF and HTML.
 * Pure (no database, no network); it renders the template it is given and knows no document types
 * (those are templates/catalogue.ts). The only file access is reading the fonts, once per process.
 */
import { z } from 'zod';
import { buildDocumentModel } from './document-model';
import { sha256 } from './hash';
import { renderHtml } from './render-html';
import { renderOnThread } from './render-threads';
import { documentSafe } from './text';
import { CompiledTemplate, compileTemplate } from './template-engine';
import { ContextIssue, DocumentTemplate, RenderMeta, RenderedDocument, TemplateContextError } from './types';

export { TemplateContextError } from './types';
export type { ContextIssue, DocumentTemplate, RenderMeta, RenderedDocument } from './types';
export { sha256 } from './hash';
export { documentSafe, documentText, textProblem } from './text';
export { textDiff } from './text-diff';
export type { DiffPart } from './text-diff';
export { describeChanges } from './change-view';
export type { ChangeBlock } from './change-view';
export { buildDocumentModel } from './document-model';
export type { DocumentModel } from './document-model';
export { formatDate, formatDateTimeLondon, formatDateTimeUtc, formatPence, formatPercent, formatPounds, listAnd, ordinal, plural } from './format';

const metaSchema = z.object({
  documentId: z.string().min(1),
  version: z.number().int().positive(),
  networkName: z.string().min(1),
  issuedOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be an ISO date (YYYY-MM-DD)'),
});

/** Every problem with a document's meta (id, version, network name, issue date), as `meta.*` issues. */
export function metaIssues(meta: RenderMeta): ContextIssue[] {
  const parsed = metaSchema.safeParse(meta);
  if (parsed.success) return [];
  return parsed.error.issues.map((issue) => ({ path: ['meta', ...issue.path.map(String)].join('.'), message: issue.message }));
}

// Compiled templates, keyed by source text: built-ins compile once per process, and an override
// used repeatedly (say for every version of a network's ToR) compiles once too.
const compiled = new Map<string, CompiledTemplate>();
const COMPILED_CACHE_LIMIT = 200;

function compileCached(source: string): CompiledTemplate {
  let template = compiled.get(source);
  if (!template) {
    template = compileTemplate(source);
    if (compiled.size >= COMPILED_CACHE_LIMIT) compiled.delete(compiled.keys().next().value as string);
    compiled.set(source, template);
  }
  return template;
}

/**
 * Checks that an override template source compiles, throwing TemplateContextError (path
 * "template") with the parser's message if it does not. Call it before storing an override.
 */
export function validateTemplateSource(source: string): void {
  compileCached(source);
}

/** The Markdown and model of a filled template, and the meta every format prints. */
function prepare(template: DocumentTemplate, context: Record<string, unknown>, meta: RenderMeta) {
  const issues = metaIssues(meta);
  if (issues.length > 0) throw new TemplateContextError(issues);
  const compiledTemplate = compileCached(template.source);
  // whatever the context holds, every format gets only characters a document can hold (DOCX is XML)
  meta = { ...meta, networkName: documentSafe(meta.networkName), documentId: documentSafe(meta.documentId) };
  const markdown = documentSafe(compiledTemplate.render({ ...context, meta }));
  const model = buildDocumentModel(markdown);
  const title = model.title || template.title;
  const options = { meta, title, contentHash: sha256(markdown).slice(0, 12) };
  return { markdown, model, title, options };
}

/**
 * Fills `template` with `context` (already validated by the caller against the template's schema)
 * and renders DOCX, PDF and HTML from the one Markdown AST. Throws TemplateContextError when `meta`
 * is invalid, the source does not compile, or a value the template uses is missing.
 */
export async function renderDocument(template: DocumentTemplate, context: Record<string, unknown>, meta: RenderMeta): Promise<RenderedDocument> {
  const { markdown, model, title, options } = prepare(template, context, meta);
  // DOCX and PDF render at once on threads of their own (or here, where threads cannot start)
  const [docx, pdf] = await Promise.all([renderOnThread('docx', model, options), renderOnThread('pdf', model, options)]);
  return {
    title,
    markdown,
    html: renderHtml(model),
    docx,
    pdf,
    sha256Pdf: sha256(pdf),
    sha256Docx: sha256(docx),
    templateVersion: template.version,
  };
}

/**
 * The PDF alone, byte for byte the PDF `renderDocument` gives, for output that is never stored as
 * an editable document (the certificate of completion appended to a sealed PDF): a DOCX costs
 * about as much to build as the PDF, and nobody would read it.
 */
export async function renderDocumentPdf(template: DocumentTemplate, context: Record<string, unknown>, meta: RenderMeta): Promise<Buffer> {
  const { model, options } = prepare(template, context, meta);
  return renderOnThread('pdf', model, options);
}
