import { payloadsFromJson, payloadsToJson, type RemotePayloads } from '../../codec/remote-codec';
import { CodecKeyError } from '../../codec/payload-codec';
import type { ServerDeps } from '../deps';
import { AppError } from '../errors';

/**
 * Temporal's remote codec for the Temporal UI and CLI: decodes what staff are shown, encodes what
 * they send. A payload that cannot be decrypted (altered, or under a key this server lacks) is a
 * 422 naming the key, never the payload.
 */
export function createCodecService(deps: Pick<ServerDeps, 'payloadCodec'>) {
  const run = async (op: 'encode' | 'decode', body: RemotePayloads): Promise<RemotePayloads> => {
    try {
      return payloadsToJson(await deps.payloadCodec[op](payloadsFromJson(body)));
    } catch (err) {
      if (err instanceof CodecKeyError) throw new AppError('VALIDATION_FAILED', err.message);
      throw err;
    }
  };
  return {
    decode: (body: RemotePayloads) => run('decode', body),
    encode: (body: RemotePayloads) => run('encode', body),
  };
}
