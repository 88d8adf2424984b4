/**
 * Rendering a document of a registered type: the registry supplies the template source, version,
 * title and context schema; documents/ does the rendering. A programme's override replaces the
 * built-in source (its version is recorded instead).
 */
import { metaIssues, renderDocument, renderDocumentPdf, TemplateContextError, type ContextIssue, type RenderMeta, type RenderedDocument } from '../documents';
import { TEMPLATE_CATALOGUE, builtinTemplateVersion, loadBuiltinSource, type DocumentType } from './catalogue';

function contextIssues(type: DocumentType, context: unknown): { data: Record<string, unknown> | null; issues: ContextIssue[] } {
  const entry = TEMPLATE_CATALOGUE[type];
  if (!entry) return { data: null, issues: [{ path: 'type', message: `unknown document type "${String(type)}"` }] };
  const parsed = entry.schema.safeParse(context);
  if (parsed.success) return { data: parsed.data as Record<string, unknown>, issues: [] };
  return { data: null, issues: parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })) };
}

/** Validates a context against a document type's schema; returns the parsed (defaulted) context. */
export function parseContext(type: DocumentType, context: unknown): Record<string, unknown> {
  const { data, issues } = contextIssues(type, context);
  if (!data) throw new TemplateContextError(issues);
  return data;
}

/** The template to render for a type: a programme's override, or the built-in one. */
function templateOf(type: DocumentType, override?: { source: string; version: string }) {
  return {
    source: override ? override.source : loadBuiltinSource(type),
    version: override ? override.version : builtinTemplateVersion(type),
    title: TEMPLATE_CATALOGUE[type].title,
  };
}

/** The context parsed against the type's schema, or one TemplateContextError listing every problem of it and of `meta`. */
function validated(type: DocumentType, context: unknown, meta: RenderMeta): Record<string, unknown> {
  const { data, issues } = contextIssues(type, context);
  const all = [...metaIssues(meta), ...issues];
  if (all.length > 0 || !data) throw new TemplateContextError(all);
  return data;
}

/**
 * Validates `context` against the type's zod schema and `meta` (throwing one TemplateContextError
 * listing every invalid or missing field of both), then renders DOCX, PDF and HTML.
 */
export async function renderTemplate(
  type: DocumentType,
  context: unknown,
  meta: RenderMeta,
  override?: { source: string; version: string },
): Promise<RenderedDocument> {
  const data = validated(type, context, meta);
  return renderDocument(templateOf(type, override), data, meta);
}

/** As `renderTemplate`, but only the PDF (see documents' `renderDocumentPdf`). */
export async function renderTemplatePdf(type: DocumentType, context: unknown, meta: RenderMeta): Promise<Buffer> {
  const data = validated(type, context, meta);
  return renderDocumentPdf(templateOf(type), data, meta);
}
