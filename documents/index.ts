/**
 * The documents engine: template + context → Markdown → one document model → DOCX, PDF and HTML.
 * Pure (no database, no network); the only file access is reading built-in templates and fonts,
 * cached for the life of the process.
 */
import { z } from 'zod';
import { TEMPLATE_CATALOGUE, builtinTemplateVersion, loadBuiltinSource } from '../templates/catalogue';
import { buildDocumentModel } from './document-model';
import { sha256 } from './hash';
import { renderHtml } from './render-html';
import { renderOnThread } from './render-threads';
import { CompiledTemplate, compileTemplate } from './template-engine';
import { DocumentType, RenderMeta, RenderedDocument, TemplateContextError } from './types';

export { DOCUMENT_TYPES, TemplateContextError, isDocumentType } from './types';
export type { ContextIssue, DocumentType, RenderMeta, RenderedDocument } from './types';
export { sha256 } from './hash';
export { textDiff } from './text-diff';
export type { DiffPart } from './text-diff';
export { buildDocumentModel } from './document-model';
export type { DocumentModel } from './document-model';
export { formatDate, formatDateTimeLondon, formatDateTimeUtc, formatPence, formatPercent, formatPounds, listAnd, ordinal, plural } from './format';

const metaSchema = z.object({
  documentId: z.string().min(1),
  version: z.number().int().positive(),
  networkName: z.string().min(1),
  issuedOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be an ISO date (YYYY-MM-DD)'),
});

function toIssues(error: z.ZodError, prefix = ''): { path: string; message: string }[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.'),
    message: issue.message,
  }));
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

/** Validates a context against a document type's schema; returns the parsed (defaulted) context. */
export function parseContext(type: DocumentType, context: unknown): Record<string, unknown> {
  const entry = TEMPLATE_CATALOGUE[type];
  if (!entry) throw new TemplateContextError([{ path: 'type', message: `unknown document type "${String(type)}"` }]);
  const parsed = entry.schema.safeParse(context);
  if (!parsed.success) throw new TemplateContextError(toIssues(parsed.error));
  return parsed.data as Record<string, unknown>;
}

/**
 * Validates `context` against the template's zod schema (throwing TemplateContextError listing
 * every invalid or missing field), fills the template, and renders DOCX, PDF and HTML from the one
 * Markdown AST. `override` replaces the built-in template source (its version is recorded).
 */
export async function renderDocument(
  type: DocumentType,
  context: unknown,
  meta: RenderMeta,
  override?: { source: string; version: string },
): Promise<RenderedDocument> {
  const metaParsed = metaSchema.safeParse(meta);
  const issues = metaParsed.success ? [] : toIssues(metaParsed.error, 'meta');
  let data: Record<string, unknown> | null = null;
  try {
    data = parseContext(type, context);
  } catch (err) {
    if (!(err instanceof TemplateContextError)) throw err;
    issues.push(...err.issues);
  }
  if (issues.length > 0 || !data) throw new TemplateContextError(issues);

  const template = compileCached(override ? override.source : loadBuiltinSource(type));
  const templateVersion = override ? override.version : builtinTemplateVersion(type);
  const markdown = template.render({ ...data, meta });
  const model = buildDocumentModel(markdown);
  const title = model.title || TEMPLATE_CATALOGUE[type].title;
  const contentHash = sha256(markdown).slice(0, 12);
  // DOCX and PDF render at once on threads of their own (or here, where threads cannot start)
  const [docx, pdf] = await Promise.all([renderOnThread('docx', model, { meta, title, contentHash }), renderOnThread('pdf', model, { meta, title, contentHash })]);
  return {
    title,
    markdown,
    html: renderHtml(model),
    docx,
    pdf,
    sha256Pdf: sha256(pdf),
    sha256Docx: sha256(docx),
    templateVersion,
  };
}
