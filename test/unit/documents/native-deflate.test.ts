import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildDocumentModel } from '../../../documents';
import { renderPdf } from '../../../documents/pdf/render-pdf';
import { flat, pdfText } from './extract';

// the pako instance pdf-lib loads, as documents/pdf/native-deflate.ts finds it (pako ships no types)
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pako = require(require.resolve('pako', { paths: [path.dirname(require.resolve('pdf-lib'))] })) as {
  deflate(data: Uint8Array, options?: unknown): Uint8Array;
};

describe("pdf-lib's stream compression", () => {
  it("is Node's zlib once the PDF renderer is loaded, and what it writes reads back", async () => {
    // a font, as pdf-lib embeds one: on such data the JavaScript port and Node's zlib write different bytes
    const data = fs.readFileSync(path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf', 'DejaVuSerif.ttf')).subarray(0, 100_000);
    // the call pdf-lib makes gives Node's bytes, not the JavaScript port's
    expect(Buffer.from(pako.deflate(data)).equals(zlib.deflateSync(data))).toBe(true);
    expect(zlib.inflateSync(pako.deflate(data)).equals(data)).toBe(true);

    const meta = { documentId: 'doc-1', version: 1, networkName: 'Riverside Network', issuedOn: '2009-03-16' };
    const model = buildDocumentModel('# Terms of reference\n\n## Purpose\n\nThe network works together for its 61,000 patients.\n');
    const pdf = await renderPdf(model, { meta, title: 'Terms of reference', contentHash: 'abc123' });
    expect(flat(pdfText(pdf))).toContain('The network works together for its 61,000 patients.');
  });
});
