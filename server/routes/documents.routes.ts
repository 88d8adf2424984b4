import { defineRoute, type RouteDef } from '../route';
import { documentMetaResponse, idParam } from '../schemas';
import type { Services } from '../services';
import { DOCUMENT_MEDIA_TYPE, sendDocumentFile } from '../document-files';

/** A document is read by staff, or with the link it was sent with (`?token=`): a signer, a voter, a panel member, a practice sent its outcome letter. */
const DOCUMENT_LINK = { kinds: ['sign', 'vote', 'score', 'panel-letter'], in: 'query', optional: true } as const;

/** Document metadata and files: for staff in scope and the network's officers, or with the link the document was sent with. */
export function documentsRoutes(s: Services): RouteDef[] {
  const file = (kind: 'pdf' | 'docx') =>
    defineRoute({
      method: 'get',
      path: `/documents/:id/${kind}`,
      tag: 'documents',
      policy: { action: 'document.read', scope: { document: 'id' } },
      link: DOCUMENT_LINK,
      summary: `The document as ${kind.toUpperCase()}`,
      params: idParam,
      produces: DOCUMENT_MEDIA_TYPE[kind],
      handler: async ({ params, link, res }) => {
        const { bytes, fileName, sha256 } = await s.documents.file(params.id, kind, link);
        res.setHeader('X-Content-SHA256', sha256);
        sendDocumentFile(res, kind, bytes, fileName);
      },
    });

  return [
    defineRoute({
      method: 'get',
      path: '/documents/:id',
      tag: 'documents',
      policy: { action: 'document.read', scope: { document: 'id' } },
      link: DOCUMENT_LINK,
      summary: 'Document metadata incl. version and SHA-256',
      params: idParam,
      response: documentMetaResponse,
      handler: ({ params, link }) => s.documents.meta(params.id, link),
    }),
    file('pdf'),
    file('docx'),
  ];
}
