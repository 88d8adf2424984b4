import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AesGcmPayloadCodec, formworkDataConverter, newCodecKeyEntry, parseCodecKeys } from '../../codec/payload-codec';
import { evidenceKey } from '../../db/audit-chain';
import { createCheckpointStore } from '../../db/audit-checkpoints';
import type { AuditEvidence } from '../../db/repos';

/**
 * The payload codec of this test file: a fresh key per file, shared by its in-process stacks, its
 * own clients and workers, and the replayer, as one deployment's processes share their keys.
 */
export const testCodecKeys = newCodecKeyEntry();
export const testCodec = new AesGcmPayloadCodec(parseCodecKeys(testCodecKeys));
export const testDataConverter = formworkDataConverter(testCodec);

/** An evidence key and a checkpoint directory of its own, for tests that build repositories directly. */
export function testAuditEvidence(dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-evidence-'))): AuditEvidence & { dir: string } {
  const key = evidenceKey(crypto.randomBytes(32));
  return { dir, key, checkpoints: createCheckpointStore({ dir, key }) };
}

/**
 * Decrypts, in place, every payload of a history that this file's codec encrypted (inputs, results,
 * failures, headers), so a recorded history can be committed and replayed without the key, which
 * lives only as long as the test process.
 */
export async function decodeHistoryPayloads<T extends object>(history: T): Promise<T> {
  const payloads: { metadata?: Record<string, Uint8Array> | null; data?: Uint8Array | null }[] = [];
  const walk = (value: unknown) => {
    if (!value || typeof value !== 'object' || ArrayBuffer.isView(value)) return;
    const v = value as Record<string, unknown>;
    if (v.metadata && typeof v.metadata === 'object' && 'data' in v) payloads.push(v as (typeof payloads)[number]);
    for (const child of Object.values(v)) walk(child);
  };
  walk(history);
  for (const payload of payloads) {
    const [decoded] = await testCodec.decode([payload]);
    payload.metadata = decoded.metadata;
    payload.data = decoded.data;
  }
  return history;
}
