import { remotePayloadsSchema } from '../../codec/remote-codec';
import { defineRoute, type RouteDef } from '../route';
import type { Services } from '../services';

/**
 * The codec endpoint of Temporal's remote codec contract: point the Temporal UI (or
 * `temporal --codec-endpoint`) at /api/v1/codec. Decoding shows personal data, so it is for staff;
 * encoding lets a caller put payloads into workflows, so it is for facilitators. Browsers reach it
 * from the configured UI origins only (CORS in app.ts).
 */
export function codecRoutes(s: Services): RouteDef[] {
  return [
    defineRoute({
      method: 'post',
      path: '/codec/decode',
      tag: 'codec',
      policy: { action: 'codec.decode', cookie: true },
      summary: "Temporal remote codec: decrypts payloads of Formwork's workflow histories for display",
      body: remotePayloadsSchema,
      response: remotePayloadsSchema,
      handler: ({ body }) => s.codec.decode(body),
    }),
    defineRoute({
      method: 'post',
      path: '/codec/encode',
      tag: 'codec',
      policy: { action: 'codec.encode', cookie: true },
      summary: 'Temporal remote codec: encrypts payloads (for signals or updates sent from the Temporal UI or CLI)',
      body: remotePayloadsSchema,
      response: remotePayloadsSchema,
      handler: ({ body }) => s.codec.encode(body),
    }),
  ];
}
