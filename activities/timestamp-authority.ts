import type { TimestampTransport } from '../documents/pades';

/** How long a time-stamp authority may take to answer before sealing gives up (and is retried). */
const TSA_TIMEOUT_MS = 10_000;
/** A time-stamp response is a few kB; anything far larger is not one. */
const TSA_MAX_RESPONSE_BYTES = 256 * 1024;

/**
 * The RFC 3161 transport over HTTP(S): POSTs the DER TimeStampReq as application/timestamp-query
 * and returns the DER TimeStampResp. A failure throws, so the sealing activity is retried.
 */
export function createTimestampTransport(url: string): TimestampTransport {
  return async (request) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/timestamp-query', accept: 'application/timestamp-reply' },
      body: new Uint8Array(request),
      signal: AbortSignal.timeout(TSA_TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`the time-stamp authority at ${url} answered HTTP ${response.status}`);
    const length = Number(response.headers.get('content-length') ?? 0);
    if (length > TSA_MAX_RESPONSE_BYTES) throw new Error(`the time-stamp authority at ${url} sent ${length} bytes; a time-stamp response is far smaller`);
    const body = Buffer.from(await response.arrayBuffer());
    if (body.length > TSA_MAX_RESPONSE_BYTES)
      throw new Error(`the time-stamp authority at ${url} sent ${body.length} bytes; a time-stamp response is far smaller`);
    return body;
  };
}
