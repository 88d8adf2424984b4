import { z } from 'zod';
import { AppError } from '../errors';
import { defineRoute, type RouteDef } from '../route';
import { idParam, stageParams } from '../schemas';
import type { Services } from '../services';

const sealedQuery = z.object({ token: z.string().min(20).max(200).optional() });

const verifyResponse = z.union([
  z.object({
    valid: z.literal(true),
    documentId: z.string(),
    version: z.number(),
    title: z.string(),
    agreedSha256: z.string(),
    sealedSha256: z.string(),
    sealedAt: z.string(),
    signedBy: z.array(z.object({ name: z.string(), practice: z.string(), capacity: z.string(), signedAt: z.string() })),
    /** the sealed PDF's own signature, checked; null for seals made before sealed PDFs were signed */
    signature: z
      .object({
        level: z.enum(['PAdES-B-B', 'PAdES-B-T']),
        signer: z.string(),
        certificateSha256: z.string(),
        timestampedAt: z.string().nullable(),
      })
      .nullable(),
  }),
  z.object({
    valid: z.literal(false),
    reason: z.enum([
      'not a PDF',
      'not sealed by Formwork',
      'altered after sealing',
      'unknown document',
      'does not match the sealing record',
      'signature not valid',
    ]),
    documentId: z.string().optional(),
    version: z.number().optional(),
  }),
]);

/** Evidence: verifying a PDF, sealed copies, and a stage's evidence pack for commissioners. */
export function evidenceRoutes(s: Services): RouteDef[] {
  return [
    defineRoute({
      method: 'post',
      path: '/documents/verify',
      tag: 'evidence',
      access: 'public',
      summary: 'Checks a PDF against the sealed store: valid only if it is byte for byte a sealed PDF we issued and its PDF signature verifies',
      rawBody: { contentType: 'application/pdf', limit: '25mb' },
      response: verifyResponse,
      rateLimit: 'verify',
      handler: ({ body, req }) => {
        // a browser form or `curl -F` wraps the file in a form; its bytes are not the PDF's
        if (req.is(['multipart/*', 'application/x-www-form-urlencoded'])) {
          throw new AppError(
            'UNSUPPORTED_MEDIA_TYPE',
            'Send the PDF itself as the request body with Content-Type: application/pdf (e.g. curl --data-binary @sealed.pdf); form uploads are not accepted.',
          );
        }
        return s.evidence.verify(body);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/sealed/:id/pdf',
      tag: 'evidence',
      policy: { action: 'evidence.read', scope: { sealed: 'id' }, audit: true },
      link: { kinds: ['sealed-copy'], in: 'query', optional: true },
      summary: 'A sealed PDF: the agreed document with its certificate of completion',
      params: idParam,
      query: sealedQuery,
      produces: 'application/pdf',
      handler: async ({ params, query, staff, res }) => {
        const { sealed, pdf, fileName } = await s.evidence.sealedPdf(params.id, { staff: staff !== null, token: query.token });
        res.setHeader('Content-Disposition', `attachment; filename="${fileName}"`);
        res.setHeader('X-Content-SHA256', sealed.sealedSha256);
        res.type('application/pdf').send(pdf);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/networks/:id/stages/:stage/evidence',
      tag: 'evidence',
      policy: { action: 'evidence.read', scope: { network: 'id' }, audit: true },
      summary: "A stage's evidence pack (ZIP): agreed, sealed and certificate PDFs, seal manifests, audit events, manifest.json of SHA-256 hashes",
      params: stageParams,
      produces: 'application/zip',
      handler: async ({ params, staff, res }) => {
        const pack = await s.evidence.evidencePack(params.id, params.stage, staff!.name);
        res.setHeader('Content-Disposition', `attachment; filename="${pack.fileName}"`);
        res.setHeader('X-Content-SHA256', pack.sha256);
        res.type('application/zip').send(pack.zip);
      },
    }),
  ];
}
