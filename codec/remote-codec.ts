import type { Payload } from '@temporalio/common';
import { z } from 'zod';

/**
 * Temporal's remote codec contract (what the Temporal UI and CLI send to a codec endpoint's
 * /encode and /decode): a Payloads message in protobuf JSON, so metadata values and data are
 * base64. Fields of a payload other than metadata and data are not ours to keep and are dropped.
 */
const base64 = z
  .string()
  .max(8_000_000)
  .regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'must be base64');

export const remotePayloadSchema = z
  .object({
    metadata: z.record(z.string().max(200), base64).optional(),
    data: base64.optional(),
  })
  // loose: a newer Temporal may send more fields of a payload; they are not read (see above), not refused
  .loose();

export const remotePayloadsSchema = z.strictObject({ payloads: z.array(remotePayloadSchema).max(10_000) });
export type RemotePayloads = z.infer<typeof remotePayloadsSchema>;

export function payloadsFromJson(body: RemotePayloads): Payload[] {
  return body.payloads.map((p) => ({
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))])),
    data: new Uint8Array(Buffer.from(p.data ?? '', 'base64')),
  }));
}

export function payloadsToJson(payloads: Payload[]): RemotePayloads {
  return {
    payloads: payloads.map((p) => ({
      metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
      data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
    })),
  };
}
