import type { ActionLink } from '../action-links';
import type { ServerDeps } from '../deps';
import { AppError } from '../errors';

/**
 * Document metadata and files. Staff see every document; a person holding a live link for a
 * document (to sign it, or to vote on it) sees that document.
 */
export function createDocumentsService(deps: Pick<ServerDeps, 'db' | 'repos' | 'publicUrl'>) {
  const { db, repos, publicUrl } = deps;

  async function readable(id: string, access: { staff: boolean; link: ActionLink | null }) {
    const doc = await repos.documents.get(db, id);
    if (!access.staff) {
      const link = access.link;
      if (!link || link.token.documentId !== id) throw new AppError('UNAUTHENTICATED', 'Send a staff bearer token, or the link this document was sent with (?token=).');
      if (link.expired) throw new AppError('TOKEN_EXPIRED', 'This link has expired. Ask the facilitator for a new one.');
    }
    if (!doc) throw new AppError('NOT_FOUND', `No document with id ${id}.`);
    return doc;
  }

  return {
    async meta(id: string, access: { staff: boolean; link: ActionLink | null }) {
      const doc = await readable(id, access);
      const signatures = await repos.signoffs.signatures(db, { documentId: doc.id });
      const network = await repos.records.getNetwork(db, doc.networkId);
      const people = new Map((network?.practices ?? []).flatMap((p) => p.people).map((p) => [p.id, p.name]));
      const suffix = access.link ? `?token=${encodeURIComponent(access.link.secret)}` : '';
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

    async file(id: string, kind: 'pdf' | 'docx', access: { staff: boolean; link: ActionLink | null }) {
      const doc = await readable(id, access);
      const bytes = await repos.documents.file(db, doc.id, kind);
      if (!bytes) throw new AppError('NOT_FOUND', 'The file is missing.');
      return { bytes, fileName: `${doc.type}-v${doc.version}.${kind}`, sha256: kind === 'pdf' ? doc.sha256Pdf : doc.sha256Docx };
    },
  };
}

export type DocumentsService = ReturnType<typeof createDocumentsService>;
