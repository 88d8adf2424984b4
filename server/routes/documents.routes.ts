import { z } from 'zod';
import { AppError } from '../errors';
import { defineRoute, type RouteDef } from '../route';
import { documentMetaResponse, idParam } from '../schemas';
import type { Services } from '../services';

const fileQuery = z.object({ token: z.string().min(20).max(200).optional() });

/** Document metadata and files. Staff see every document; a signer sees the one their link is for. */
export function documentsRoutes(s: Services): RouteDef[] {
  async function authorise(documentId: string, staff: unknown, token: string | undefined) {
    if (staff) return;
    if (token) {
      const action = await s.repos.tokens.actionTokenBySecret(s.db, token);
      if (action && action.documentId === documentId && Date.parse(action.expiresAt) > Date.now()) return;
    }
    throw new AppError('UNAUTHENTICATED', 'Send a staff bearer token, or the action token this document was sent with (?token=).');
  }

  async function meta(id: string) {
    const doc = await s.repos.documents.get(s.db, id);
    if (!doc) throw new AppError('NOT_FOUND', `No document with id ${id}.`);
    return doc;
  }

  const file = (kind: 'pdf' | 'docx') =>
    defineRoute({
      method: 'get', path: `/documents/:id/${kind}`, tag: 'documents', access: 'public', summary: `The document as ${kind.toUpperCase()}`, params: idParam, query: fileQuery,
      produces: kind === 'pdf' ? 'application/pdf' : 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      handler: async ({ params, query, staff, res }) => {
        const doc = await meta(params.id);
        await authorise(doc.id, staff, query.token);
        const bytes = await s.repos.documents.file(s.db, doc.id, kind);
        if (!bytes) throw new AppError('NOT_FOUND', 'The file is missing.');
        res.setHeader('Content-Disposition', `inline; filename="${doc.type}-v${doc.version}.${kind}"`);
        res.setHeader('X-Content-SHA256', kind === 'pdf' ? doc.sha256Pdf : doc.sha256Docx);
        res.type(kind === 'pdf' ? 'application/pdf' : 'application/vnd.openxmlformats-officedocument.wordprocessingml.document').send(bytes);
      },
    });

  return [
    defineRoute({
      method: 'get', path: '/documents/:id', tag: 'documents', access: 'public', summary: 'Document metadata incl. version and SHA-256', params: idParam, query: fileQuery, response: documentMetaResponse,
      handler: async ({ params, query, staff }) => {
        const doc = await meta(params.id);
        await authorise(doc.id, staff, query.token);
        const signatures = await s.repos.signoffs.signatures(s.db, { documentId: doc.id });
        const network = await s.repos.records.getNetwork(s.db, doc.networkId);
        const people = new Map((network?.practices ?? []).flatMap((p) => p.people).map((p) => [p.id, p.name]));
        const suffix = query.token ? `?token=${encodeURIComponent(query.token)}` : '';
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
          links: { pdf: `${s.publicUrl}/api/v1/documents/${doc.id}/pdf${suffix}`, docx: `${s.publicUrl}/api/v1/documents/${doc.id}/docx${suffix}` },
          signatures: signatures.map((x) => ({ practiceId: x.practiceId, personId: x.personId, name: people.get(x.personId) ?? '', signedAt: x.signedAt })),
        };
      },
    }),
    file('pdf'),
    file('docx'),
  ];
}
