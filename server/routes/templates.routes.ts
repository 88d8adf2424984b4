import { z } from 'zod';
import { defineRoute, type RouteDef } from '../route';
import { idField, idParam, stageParams } from '../schemas';
import type { Services } from '../services';

const typeParams = z.object({
  id: idField,
  type: z
    .string()
    .min(1)
    .max(60)
    .regex(/^[\x21-\x7E]+$/, 'must be a document type such as terms-of-reference'),
});
const sourceBody = z.object({ source: z.string().min(1).max(500_000) });

/** Template overrides, stage previews and version diffs. */
export function templatesRoutes(s: Services): RouteDef[] {
  return [
    defineRoute({
      method: 'put',
      path: '/programmes/:id/templates/:type',
      tag: 'documents',
      policy: { action: 'programme.manage', scope: { programme: 'id' } },
      status: 201,
      summary:
        "Upload a programme's own version of a stage template and use it; it must compile, render against the programme's data, and keep the stage's required sections and a signature block for every practice (422 TEMPLATE_INCOMPLETE names what is missing)",
      params: typeParams,
      body: sourceBody,
      response: z.object({ documentType: z.string(), version: z.number(), templateVersion: z.string(), createdAt: z.string() }),
      handler: ({ params, body, person }) => s.templates.upload(person!, params.id, params.type, body.source),
    }),
    defineRoute({
      method: 'post',
      path: '/programmes/:id/templates/:type/preview',
      tag: 'documents',
      policy: { action: 'programme.manage', scope: { programme: 'id' } },
      summary:
        "Render a candidate version of a stage template against the programme's first network (or sample facts) without using or storing it; refused as an upload would be",
      params: typeParams,
      body: sourceBody,
      response: z.object({
        title: z.string(),
        html: z.string(),
        markdown: z.string(),
        renderedWith: z.object({ kind: z.enum(['network', 'sample']), name: z.string() }),
      }),
      handler: ({ params, body }) => s.templates.previewCandidate(params.id, params.type, body.source),
    }),
    defineRoute({
      method: 'delete',
      path: '/programmes/:id/templates/:type',
      tag: 'documents',
      policy: { action: 'programme.manage', scope: { programme: 'id' } },
      summary:
        'Go back to the built-in template of this type (recorded as a version of its own; documents issued before keep naming the version that made them)',
      params: typeParams,
      response: z.object({
        documentType: z.string(),
        usesBuiltin: z.literal(true),
        templateVersion: z.string(),
        reverted: z.boolean(),
        version: z.number().nullable(),
      }),
      handler: ({ params, person }) => s.templates.revert(person!, params.id, params.type),
    }),
    defineRoute({
      method: 'get',
      path: '/programmes/:id/templates',
      tag: 'documents',
      policy: { action: 'programme.read', scope: { programme: 'id' } },
      summary: "A programme's template versions, oldest first (`builtin`: a version that went back to the built-in template)",
      params: idParam,
      response: z.array(
        z.object({
          documentType: z.string(),
          version: z.number(),
          builtin: z.boolean(),
          templateVersion: z.string(),
          createdBy: z.string(),
          createdAt: z.string(),
        }),
      ),
      handler: ({ params }) => s.templates.list(params.id),
    }),
    defineRoute({
      method: 'get',
      path: '/networks/:id/stages/:stage/preview',
      tag: 'documents',
      policy: { action: 'network.read', scope: { network: 'id' } },
      summary: "The stage's document as it would be issued now (HTML and markdown)",
      params: stageParams,
      response: z.object({ title: z.string(), version: z.number(), templateVersion: z.string(), html: z.string(), markdown: z.string() }),
      handler: ({ params }) => s.templates.preview(params.id, params.stage),
    }),
    defineRoute({
      method: 'get',
      path: '/documents/:id/diff',
      tag: 'documents',
      policy: { action: 'document.read', scope: { document: 'id' } },
      summary: 'What changed between two versions of a document (default: the previous version)',
      params: idParam,
      query: z.object({ against: idField.optional() }),
      response: z.object({
        from: z.object({ id: z.string(), version: z.number() }),
        to: z.object({ id: z.string(), version: z.number() }),
        changed: z.boolean(),
        parts: z.array(z.object({ op: z.enum(['equal', 'insert', 'delete']), text: z.string() })),
        blocks: z.array(z.object({ change: z.enum(['added', 'removed', 'changed']), where: z.string(), label: z.string(), html: z.string() })),
      }),
      handler: ({ params, query }) => s.templates.diff(params.id, query.against),
    }),
  ];
}
