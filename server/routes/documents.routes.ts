import { defineRoute, type RouteDef } from '../route';
import { documentMetaResponse, idParam } from '../schemas';
import type { Services } from '../services';

/** A document is read by staff, or with the link it was sent with (`?token=`): a signer, a voter, a panel member, a practice sent its outcome letter. */
const DOCUMENT_LINK = { kinds: ['sign', 'vote', 'score', 'panel-letter'], in: 'query', optional: true } as const;

/** Document metadata and files. Staff see every document; a signer sees the one their link is for. */
export function documentsRoutes(s: Services): RouteDef[] {
  const file = (kind: 'pdf' | 'docx') =>
    defineRoute({
      method: 'get', path: `/documents/:id/${kind}`, tag: 'documents', access: 'public', link: DOCUMENT_LINK, summary: `The document as ${kind.toUpperCase()}`, params: idParam,
      produces: kind === 'pdf' ? 'application/pdf' : 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      handler: async ({ params, staff, link, res }) => {
        const { bytes, fileName, sha256 } = await s.documents.file(params.id, kind, { staff: staff !== null, link });
        res.setHeader('Content-Disposition', `inline; filename="${fileName}"`);
        res.setHeader('X-Content-SHA256', sha256);
        res.type(kind === 'pdf' ? 'application/pdf' : 'application/vnd.openxmlformats-officedocument.wordprocessingml.document').send(bytes);
      },
    });

  return [
    defineRoute({
      method: 'get', path: '/documents/:id', tag: 'documents', access: 'public', link: DOCUMENT_LINK, summary: 'Document metadata incl. version and SHA-256', params: idParam, response: documentMetaResponse,
      handler: ({ params, staff, link }) => s.documents.meta(params.id, { staff: staff !== null, link }),
    }),
    file('pdf'),
    file('docx'),
  ];
}
