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
