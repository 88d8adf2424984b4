import { requireCurrent, type ActionLink } from '../action-links';
import type { ServerDeps } from '../deps';
import { AppError } from '../errors';

/**
 * Document metadata and files. Who may read a document is the access policy's decision (staff in
 * scope, the network's officers, or the holder of a link sent with that document); a link must
 * also still be current: not past its expiry, and not for a round a newer version has voided.
 */
export function createDocumentsService(deps: Pick<ServerDeps, 'db' | 'repos' | 'publicUrl'>) {
  const { db, repos, publicUrl } = deps;

  async function readable(id: string, link: ActionLink | null) {
    if (link) requireCurrent(link);
    const doc = await repos.documents.get(db, id);
    if (!doc) throw new AppError('NOT_FOUND', `No document with id ${id}.`);
    return doc;
  }

  return {
    /** `link`: the action link the document was read with, if it was (null for a person's credential). */
    async meta(id: string, link: ActionLink | null) {
      const doc = await readable(id, link);
      const signatures = await repos.signoffs.signatures(db, { documentId: doc.id });
      const network = await repos.records.getNetwork(db, doc.networkId);
      const people = new Map((network?.practices ?? []).flatMap((p) => p.people).map((p) => [p.id, p.name]));
      const suffix = link ? `?token=${encodeURIComponent(link.secret)}` : '';
      return {
        id: doc.id,
        networkId: doc.networkId,
        stage: doc.stageKey,
        type: doc.type,
        title: doc.title,
        version: doc.version,
        status: doc.status,
        templateVersion: doc.templateVersion,
        sha256: doc.sha256Pdf,
        sha256Docx: doc.sha256Docx,
        createdAt: doc.createdAt,
        links: { pdf: `${publicUrl}/api/v1/documents/${doc.id}/pdf${suffix}`, docx: `${publicUrl}/api/v1/documents/${doc.id}/docx${suffix}` },
        signatures: signatures.map((x) => ({ practiceId: x.practiceId, personId: x.personId, name: people.get(x.personId) ?? '', signedAt: x.signedAt })),
      };
    },

    async file(id: string, kind: 'pdf' | 'docx', link: ActionLink | null) {
      const doc = await readable(id, link);
      const bytes = await repos.documents.file(db, doc.id, kind);
      if (!bytes) throw new AppError('NOT_FOUND', 'The file is missing.');
      return { bytes, fileName: `${doc.type}-v${doc.version}.${kind}`, sha256: kind === 'pdf' ? doc.sha256Pdf : doc.sha256Docx };
    },
  };
}

export type DocumentsService = ReturnType<typeof createDocumentsService>;
