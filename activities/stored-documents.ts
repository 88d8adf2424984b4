import { ApplicationFailure } from '@temporalio/common';
import type { Repos } from '../db/repos';
import type { DocumentMeta } from '../db/repos/documents.repo';
import type { Executor } from '../db/repos/executor';
import { TemplateContextError, type RenderedDocument } from '../documents';
import { renderTemplate } from '../templates';

/** Renders a document for an activity: invalid context is a final failure the API answers with 422. */
export async function renderForActivity(...args: Parameters<typeof renderTemplate>): Promise<RenderedDocument> {
  try {
    return await renderTemplate(...args);
  } catch (err) {
    if (err instanceof TemplateContextError) {
      throw ApplicationFailure.create({ type: 'TEMPLATE_CONTEXT_INVALID', message: err.message, nonRetryable: true, details: [err.issues] });
    }
    throw err;
  }
}

/** Stores a rendered document version and its `document.stored` audit event, in the caller's transaction. */
export async function storeRendered(
  trx: Executor,
  repos: Repos,
  actor: string,
  doc: {
    id: string;
    networkId: string;
    stageKey: string | null;
    type: string;
    version: number;
    title: string;
    idempotencyKey: string;
    rendered: RenderedDocument;
  },
): Promise<DocumentMeta> {
  const { rendered } = doc;
  const stored = await repos.documents.insert(trx, {
    id: doc.id,
    networkId: doc.networkId,
    stageKey: doc.stageKey,
    type: doc.type,
    version: doc.version,
    title: doc.title,
    status: 'issued',
    templateVersion: rendered.templateVersion,
    sha256Pdf: rendered.sha256Pdf,
    sha256Docx: rendered.sha256Docx,
    pdf: rendered.pdf,
    docx: rendered.docx,
    markdown: rendered.markdown,
    html: rendered.html,
    idempotencyKey: doc.idempotencyKey,
  });
  await repos.audit.append(
    trx,
    actor,
    {
      type: 'document.stored',
      documentId: doc.id,
      networkId: doc.networkId,
      docType: doc.type,
      version: doc.version,
      sha256Pdf: rendered.sha256Pdf,
      sha256Docx: rendered.sha256Docx,
    },
    doc.networkId,
  );
  return stored;
}
