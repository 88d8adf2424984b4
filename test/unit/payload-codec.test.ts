import crypto from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { AesGcmPayloadCodec, CodecKeyError, ENCRYPTED_ENCODING, KEY_ID_METADATA, newCodecKeyEntry, parseCodecKeys } from '../../codec/payload-codec';
import { payloadsFromJson, payloadsToJson, remotePayloadsSchema } from '../../codec/remote-codec';

const key = (id: string) => ({ id, key: crypto.randomBytes(32) });
const payload = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);
const text = (p: Payload) =>
  Buffer.from(p.data ?? []).toString('utf8') +
  Object.values(p.metadata ?? {})
    .map((v) => Buffer.from(v ?? []).toString('utf8'))
    .join('');

describe('AES-GCM payload codec', () => {
  const signer = { name: 'Dr Ada Lovelace', email: 'ada@example.org', typedName: 'Ada Lovelace' };

  it('encrypts the whole payload, names the key, and decodes it back exactly', async () => {
    const codec = new AesGcmPayloadCodec([key('k1')]);
    const original = payload(signer);
    const [encoded] = await codec.encode([original]);
    expect(Buffer.from(encoded.metadata!.encoding!).toString()).toBe(ENCRYPTED_ENCODING);
    expect(Buffer.from(encoded.metadata![KEY_ID_METADATA]!).toString()).toBe('k1');
    // neither the value nor its original encoding is left in clear
    expect(text(encoded)).not.toContain('Ada');
    expect(text(encoded)).not.toContain('json/plain');
    const [decoded] = await codec.decode([encoded]);
    expect(defaultPayloadConverter.fromPayload(decoded)).toEqual(signer);
    expect(Buffer.from(decoded.metadata!.encoding!).toString()).toBe('json/plain');
  });

  it('rotates keys: the first key encrypts, every configured key decrypts, an unknown key is named', async () => {
    const old = key('2025-old');
    const fresh = key('2026-new');
    const before = new AesGcmPayloadCodec([old]);
    const after = new AesGcmPayloadCodec([fresh, old]);
    const [underOld] = await before.encode([payload('choice: for')]);
    expect(defaultPayloadConverter.fromPayload((await after.decode([underOld]))[0])).toBe('choice: for');
    const [underNew] = await after.encode([payload('x')]);
    expect(Buffer.from(underNew.metadata![KEY_ID_METADATA]!).toString()).toBe('2026-new');
    await expect(before.decode([underNew])).rejects.toThrow(/codec key "2026-new", which this process does not hold/);
  });

  it('refuses an altered payload and a payload relabelled to another key', async () => {
    const a = key('a');
    const b = { id: 'b', key: a.key };
    const codec = new AesGcmPayloadCodec([a, b]);
    const [encoded] = await codec.encode([payload('secret')]);
    const flipped = Buffer.from(encoded.data!);
    flipped[20] ^= 1;
    await expect(codec.decode([{ ...encoded, data: flipped }])).rejects.toBeInstanceOf(CodecKeyError);
    // same key bytes under another id: the id is bound into the tag, so relabelling fails
    const relabelled = { ...encoded, metadata: { ...encoded.metadata, [KEY_ID_METADATA]: new TextEncoder().encode('b') } };
    await expect(codec.decode([relabelled])).rejects.toThrow(/does not authenticate/);
  });

  it('passes payloads it did not encrypt through decode unchanged (histories from before the codec)', async () => {
    const codec = new AesGcmPayloadCodec([key('k')]);
    const plain = payload({ legacy: true });
    expect(await codec.decode([plain])).toEqual([plain]);
  });

  it('uses a fresh nonce each time, so equal values do not look equal', async () => {
    const codec = new AesGcmPayloadCodec([key('k')]);
    const [x, y] = await codec.encode([payload('for'), payload('for')]);
    expect(Buffer.from(x.data!).equals(Buffer.from(y.data!))).toBe(false);
  });
});

describe('codec keys from configuration', () => {
  it('reads id:key lists in hex or base64, newest first', () => {
    const hex = crypto.randomBytes(32).toString('hex');
    const b64 = crypto.randomBytes(32).toString('base64');
    const keys = parseCodecKeys(`new:${hex}, old:${b64}`);
    expect(keys.map((k) => k.id)).toEqual(['new', 'old']);
    expect(keys[0].key.toString('hex')).toBe(hex);
    expect(parseCodecKeys(newCodecKeyEntry())).toHaveLength(1);
  });

  it('names what is wrong without echoing the secret', () => {
    const secret = crypto.randomBytes(16).toString('hex');
    expect(() => parseCodecKeys(`short:${secret}`)).toThrow(/key "short" must be 32 bytes/);
    try {
      parseCodecKeys(`short:${secret}`);
    } catch (err) {
      expect((err as Error).message).not.toContain(secret);
    }
    expect(() => parseCodecKeys('no-colon')).toThrow(/entry 1 must be id:key/);
    const k = crypto.randomBytes(32).toString('hex');
    expect(() => parseCodecKeys(`a:${k},a:${k}`)).toThrow(/unique/);
  });
});

describe('remote codec contract', () => {
  it('round-trips protobuf JSON payloads through the codec', async () => {
    const codec = new AesGcmPayloadCodec([key('k')]);
    const body = remotePayloadsSchema.parse(payloadsToJson([payload({ n: 1 }), payload('two')]));
    const encoded = payloadsToJson(await codec.encode(payloadsFromJson(body)));
    const decoded = payloadsFromJson(remotePayloadsSchema.parse(payloadsToJson(await codec.decode(payloadsFromJson(encoded)))));
    expect(decoded.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([{ n: 1 }, 'two']);
  });

  it('rejects what is not a Payloads message', () => {
    expect(remotePayloadsSchema.safeParse({ payloads: [{ data: 'not base64!' }] }).success).toBe(false);
    expect(remotePayloadsSchema.safeParse({ payloads: [], extra: 1 }).success).toBe(false);
  });
});
