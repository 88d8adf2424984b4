import type { Payload, PayloadCodec } from '@temporalio/common';

/** Something shaped like a Temporal Payload inside a history (metadata map and data bytes). */
function isPayload(v: unknown): v is Payload {
  return !!v && typeof v === 'object' && (v as Payload).data instanceof Uint8Array && !!(v as Payload).metadata && typeof (v as Payload).metadata === 'object';
}

function walk(value: unknown, visit: (v: unknown) => boolean | void) {
  if (visit(value) === false) return;
  if (Array.isArray(value)) for (const x of value) walk(x, visit);
  else if (value && typeof value === 'object' && !(value instanceof Uint8Array)) for (const x of Object.values(value)) walk(x, visit);
}

/**
 * Everything a reader of the stored history sees, as text: every string field and every byte
 * field read as UTF-8 (JSON payloads, failure messages, memos, headers), with nothing decoded.
 */
export function rawHistoryText(history: unknown): string {
  const parts: string[] = [];
  walk(history, (v) => {
    if (typeof v === 'string') parts.push(v);
    else if (v instanceof Uint8Array) parts.push(Buffer.from(v).toString('utf8'));
  });
  return parts.join('\n');
}

/** The same history with every payload decoded by `codec` first: what the workflow code itself sees. */
export async function decodedHistoryText(history: unknown, codec: PayloadCodec): Promise<string> {
  const payloads = payloadsOf(history);
  const decoded = await codec.decode(payloads);
  return decoded.map((p) => Buffer.from(p.data ?? []).toString('utf8')).join('\n');
}

/** Every payload of a history, outermost first (a payload's own fields are not searched). */
function payloadsOf(history: unknown): Payload[] {
  const payloads: Payload[] = [];
  walk(history, (v) => {
    if (isPayload(v)) {
      payloads.push(v);
      return false;
    }
  });
  return payloads;
}

/** The payloads of a history that are not encrypted by the codec, as text. */
export function clearPayloads(history: unknown): string[] {
  return payloadsOf(history)
    .filter((p) => Buffer.from(p.metadata?.encoding ?? []).toString() !== 'binary/encrypted')
    .map((p) => Buffer.from(p.data ?? []).toString('utf8'));
}

/**
 * Decodes every payload of a history in place (the workflow's arguments, results, failures), so a
 * recorded history can be replayed with any key: the recorder stores histories this way.
 */
export async function decodeHistoryInPlace<T>(history: T, codec: PayloadCodec): Promise<T> {
  const payloads = payloadsOf(history);
  const decoded = await codec.decode(payloads);
  payloads.forEach((p, i) => {
    p.metadata = decoded[i].metadata;
    p.data = decoded[i].data;
  });
  return history;
}
