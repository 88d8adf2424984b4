import crypto from 'node:crypto';
import path from 'node:path';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { AEAD_IV_BYTES, AEAD_TAG_BYTES, aeadDecrypt, aeadEncrypt } from '../crypto/aead';

/** Payloads this codec wrote say so in their metadata; anything else passes through decode untouched. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
export const CIPHER_METADATA = 'encryption-cipher';
const CIPHER = 'AES-256-GCM';
const IV_BYTES = AEAD_IV_BYTES;
const TAG_BYTES = AEAD_TAG_BYTES;

/** One codec key: an id (kept in clear in each payload's metadata) and 32 secret bytes. */
export interface CodecKey {
  id: string;
  key: Buffer;
}

export class CodecKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CodecKeyError';
  }
}

const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('utf8') : undefined);

/**
 * Encrypts every payload with AES-256-GCM: the whole original payload (metadata and data,
 * protobuf-encoded) becomes the ciphertext, so not even its encoding is left in clear. The key id
 * and cipher name are bound in as additional data, so a payload cannot be relabelled to another
 * key. Rotation: the first key encrypts, every key decrypts; retire a key only once no open
 * workflow (or retained history you still want to read) holds payloads under it.
 */
export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly current: CodecKey;
  private readonly byId: Map<string, Buffer>;

  constructor(keys: CodecKey[]) {
    if (keys.length === 0) throw new CodecKeyError('The payload codec needs at least one key.');
    for (const k of keys) if (k.key.length !== 32) throw new CodecKeyError(`Codec key ${k.id} must be 32 bytes.`);
    this.current = keys[0];
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
    if (this.byId.size !== keys.length) throw new CodecKeyError('Codec key ids must be unique.');
  }

  /** The id of the key that encrypts. */
  get currentKeyId(): string {
    return this.current.id;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.encrypt(p));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => (text(p.metadata?.encoding) === ENCRYPTED_ENCODING ? this.decrypt(p) : p));
  }

  private encrypt(payload: Payload): Payload {
    const plain = temporal.api.common.v1.Payload.encode(payload).finish();
    const { iv, ciphertext, tag } = aeadEncrypt(this.current.key, Buffer.from(plain), Buffer.from(`${CIPHER}\n${this.current.id}`));
    return {
      metadata: { encoding: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(this.current.id), [CIPHER_METADATA]: utf8(CIPHER) },
      data: Buffer.concat([iv, ciphertext, tag]),
    };
  }

  private decrypt(payload: Payload): Payload {
    const keyId = text(payload.metadata?.[KEY_ID_METADATA]) ?? '';
    const cipherName = text(payload.metadata?.[CIPHER_METADATA]);
    if (cipherName !== CIPHER) throw new CodecKeyError(`A payload is encrypted with ${cipherName ?? 'an unnamed cipher'}, not ${CIPHER}.`);
    const key = this.byId.get(keyId);
    if (!key)
      throw new CodecKeyError(
        `A payload is encrypted with codec key "${keyId}", which this process does not hold. Add it to TEMPORAL_CODEC_KEYS (after the current key).`,
      );
    const data = Buffer.from(payload.data ?? new Uint8Array());
    if (data.length < IV_BYTES + TAG_BYTES) throw new CodecKeyError('An encrypted payload is too short to be one.');
    let plain: Buffer;
    try {
      const sealed = {
        iv: data.subarray(0, IV_BYTES),
        ciphertext: data.subarray(IV_BYTES, data.length - TAG_BYTES),
        tag: data.subarray(data.length - TAG_BYTES),
      };
      plain = aeadDecrypt(key, sealed, Buffer.from(`${CIPHER}\n${keyId}`));
    } catch {
      throw new CodecKeyError(`An encrypted payload under codec key "${keyId}" does not authenticate: it was altered or the key is wrong.`);
    }
    const decoded = temporal.api.common.v1.Payload.decode(plain);
    return { metadata: decoded.metadata, data: decoded.data };
  }
}

/** The failure converter that moves error messages and stack traces into an (encrypted) payload. */
export const FAILURE_CONVERTER_PATH = path.join(__dirname, 'failure-converter.js');

/**
 * The data converter of every Temporal client, worker and replayer of Formwork: payloads through
 * the AES-GCM codec, failure messages encoded so the codec covers them too. The workflow bundle
 * must be built with the same FAILURE_CONVERTER_PATH (a worker given workflowsPath does that itself).
 */
export function formworkDataConverter(codec: PayloadCodec): DataConverter {
  return { payloadCodecs: [codec], failureConverterPath: FAILURE_CONVERTER_PATH };
}

/**
 * Parses `id:key,id:key` (the first encrypts). A key is 32 bytes written as 64 hex characters or
 * as base64. Throws a message that names the bad entry without echoing any key.
 */
export function parseCodecKeys(value: string): CodecKey[] {
  const entries = value
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new CodecKeyError('give at least one key as id:key');
  const keys = entries.map((entry, i) => {
    const at = entry.indexOf(':');
    const id = at > 0 ? entry.slice(0, at) : '';
    const secret = at > 0 ? entry.slice(at + 1) : '';
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(id)) throw new CodecKeyError(`entry ${i + 1} must be id:key, with an id of letters, digits, '.', '_' or '-'`);
    const key = /^[0-9a-fA-F]{64}$/.test(secret)
      ? Buffer.from(secret, 'hex')
      : /^[A-Za-z0-9+/_-]+={0,2}$/.test(secret)
        ? Buffer.from(secret, 'base64')
        : Buffer.alloc(0);
    if (key.length !== 32) throw new CodecKeyError(`key "${id}" must be 32 bytes, as 64 hex characters or base64`);
    return { id, key };
  });
  if (new Set(keys.map((k) => k.id)).size !== keys.length) throw new CodecKeyError('key ids must be unique');
  return keys;
}

/** A new random key entry (`id:base64`) for a key file or TEMPORAL_CODEC_KEYS. */
export function newCodecKeyEntry(now = new Date()): string {
  const id = `k${now.toISOString().slice(0, 10).replace(/-/g, '')}-${crypto.randomBytes(3).toString('hex')}`;
  return `${id}:${crypto.randomBytes(32).toString('base64')}`;
}
