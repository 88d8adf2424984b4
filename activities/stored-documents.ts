import { ApplicationFailure } from '@temporalio/common';
import type { Repos } from '../db/repos';
import type { AuditEntry } from '../db/repos/audit.repo';
import type { DocumentMeta, NewDocument } from '../db/repos/documents.repo';
import { type Executor, isUniqueViolation } from '../db/repos/executor';
import { TemplateContextError, type RenderedDocument } from '../documents';
import { renderTemplate } from '../templates';
import type { DocumentRef } from '../workflows/messages';

/** Builds a template's context or renders it: invalid context is a final failure the API answers with 422. */
export async function withContextCheck<T>(build: () => T | Promise<T>): Promise<T> {
  try {
    return await build();
  } catch (err) {
    if (err instanceof TemplateContextError) {
      throw ApplicationFailure.create({ type: 'TEMPLATE_CONTEXT_INVALID', message: err.message, nonRetryable: true, details: [err.issues] });
    }
    throw err;
  }
}

/** Renders a document for an activity (see `withContextCheck`). */
export function renderForActivity(...args: Parameters<typeof renderTemplate>): Promise<RenderedDocument> {
  return withContextCheck(() => renderTemplate(...args));
}

/** What a workflow keeps of a stored document version. */
export function documentRef(d: DocumentMeta): DocumentRef {
  return { id: d.id, type: d.type, title: d.title, version: d.version, sha256: d.sha256Pdf };
}

/**
 * Renders and stores a document version once per idempotency key: the version an earlier attempt
 * stored is answered again, and a retry racing an attempt that did commit (the key is unique) finds
 * that one. `store` renders and stores the version in its own transaction and returns it.
 */
export async function storeOnce(db: Executor, repos: Repos, idempotencyKey: string, store: () => Promise<DocumentMeta>): Promise<DocumentMeta> {
  const existing = await repos.documents.byIdempotencyKey(db, idempotencyKey);
  if (existing) return existing;
  try {
    return await store();
  } catch (err) {
    const again = isUniqueViolation(err) ? await repos.documents.byIdempotencyKey(db, idempotencyKey) : null;
    if (again) return again;
    throw err;
  }
}

type RenderedVersion = Pick<NewDocument, 'id' | 'networkId' | 'stageKey' | 'type' | 'version' | 'title' | 'idempotencyKey'> & { rendered: RenderedDocument };

/**
 * Stores a rendered document version in the caller's transaction and gives its `document.stored`
 * audit event to append, for a transaction that writes more after it. The audit chain's head must
 * be taken last: a write to a record a network's readiness is built from (a panel presentation, a
 * dispute, …) locks the network's row, and a transaction holding the head while it waits for that
 * row deadlocks with one of the same network that holds the row and waits for the head.
 */
export async function insertRendered(trx: Executor, repos: Repos, actor: string, doc: RenderedVersion): Promise<{ stored: DocumentMeta; audit: AuditEntry }> {
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
  const audit: AuditEntry = {
    actor,
    event: {
      type: 'document.stored',
      documentId: doc.id,
      networkId: doc.networkId,
      docType: doc.type,
      version: doc.version,
      sha256Pdf: rendered.sha256Pdf,
      sha256Docx: rendered.sha256Docx,
    },
    networkId: doc.networkId,
  };
  return { stored, audit };
}

/** Stores a rendered document version and appends its `document.stored` audit event, in the caller's transaction: the transaction's last write. */
export async function storeRendered(trx: Executor, repos: Repos, actor: string, doc: RenderedVersion): Promise<DocumentMeta> {
  const { stored, audit } = await insertRendered(trx, repos, actor, doc);
  await repos.audit.appendMany(trx, [audit]);
  return stored;
}
