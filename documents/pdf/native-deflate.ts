/**
 * pdf-lib compresses every stream it writes (page contents, font subsets, attachments, object
 * streams) with pako, zlib ported to JavaScript. Node's own zlib is the same format in native code
 * and three to four times faster; on a busy worker deflate was about half of the PDF rendering time.
 * pdf-lib looks `deflate` up on pako's module object at each call, so pointing that one function
 * at zlib changes nothing else. The bytes differ from pako's (another zlib version matches
 * differently) but decode the same, and the same input gives the same bytes every time.
 *
 * Imported for its effect by every module that writes PDFs with pdf-lib.
 */
import path from 'node:path';
import zlib from 'node:zlib';

interface Pako {
  deflate(data: Uint8Array, options?: unknown): Uint8Array;
}

// the pako pdf-lib itself loads (pako ships no types, hence the plain require)
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pako = require(require.resolve('pako', { paths: [path.dirname(require.resolve('pdf-lib'))] })) as Pako;
const javascriptDeflate = pako.deflate;

if (!(pako.deflate as { native?: boolean }).native) {
  // only the call pdf-lib makes (no options: zlib format, default level) goes native
  const deflate = (data: Uint8Array, options?: unknown): Uint8Array => {
    if (options !== undefined) return javascriptDeflate(data, options);
    const out = zlib.deflateSync(data);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  };
  (deflate as { native?: boolean }).native = true;
  pako.deflate = deflate;
}
