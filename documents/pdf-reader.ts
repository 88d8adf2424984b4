/**
 * A bounded reader for PDFs from strangers (POST /documents/verify): it follows the cross-reference
 * table from the end of the file and parses only the objects it is asked for, never the whole file,
 * and decodes only the one stream it is asked for, up to a size cap. A name tree is walked with a
 * visited set and a node budget, so a node that lists itself, or a tree of a million nodes, ends
 * the walk instead of the server.
 *
 * It reads classic cross-reference tables (what Formwork writes when it seals, and what incremental
 * updates append); a file whose cross-reference is a compressed stream is reported as unreadable.
 * Objects are parsed with pdf-lib's object parser.
 */
import zlib from 'node:zlib';
import { PDFArray, PDFContext, PDFDict, PDFHexString, PDFName, PDFNumber, PDFObject, PDFObjectParser, PDFRawStream, PDFRef, PDFString } from 'pdf-lib';

export interface ReaderLimits {
  /** indirect objects that may be parsed in all */
  maxObjects: number;
  /** cross-reference sections that may be followed through /Prev */
  maxXrefSections: number;
  /** nodes of a name tree that may be visited */
  maxNameTreeNodes: number;
}

export const DEFAULT_READER_LIMITS: ReaderLimits = { maxObjects: 4000, maxXrefSections: 32, maxNameTreeNodes: 512 };

/** The file cannot be read within the limits, or is not what a PDF should be. */
export class PdfReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PdfReadError';
  }
}

const TAIL = 2048;

function latin1(bytes: Uint8Array, from: number, to: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + from, Math.max(0, Math.min(to, bytes.length) - from)).toString('latin1');
}

export interface BoundedPdf {
  trailer: PDFDict;
  /** the object a reference points at (or the value itself); undefined when absent or unreadable */
  resolve(value: PDFObject | undefined): PDFObject | undefined;
  /** a dictionary entry, resolved */
  get(dict: PDFDict, key: string): PDFObject | undefined;
}

/** Reads the cross-reference sections newest first; an object's newest entry wins. */
function readXref(bytes: Uint8Array, limits: ReaderLimits, context: PDFContext): { offsets: Map<number, number>; trailer: PDFDict } {
  const tail = latin1(bytes, Math.max(0, bytes.length - TAIL), bytes.length);
  const at = tail.lastIndexOf('startxref');
  if (at < 0) throw new PdfReadError('no startxref at the end of the file');
  const m = /^startxref\s+(\d+)/.exec(tail.slice(at));
  if (!m) throw new PdfReadError('startxref gives no offset');
  const offsets = new Map<number, number>();
  let trailer: PDFDict | null = null;
  const seen = new Set<number>();
  let next: number | null = Number(m[1]);
  while (next !== null) {
    if (seen.has(next)) throw new PdfReadError('the cross-reference sections form a loop');
    if (seen.size >= limits.maxXrefSections) throw new PdfReadError('too many cross-reference sections');
    seen.add(next);
    const section = readXrefSection(bytes, next, offsets, context);
    trailer ??= section.trailer;
    const prev = section.trailer.get(PDFName.of('Prev'));
    next = prev instanceof PDFNumber ? prev.asNumber() : null;
  }
  if (!trailer) throw new PdfReadError('no trailer');
  return { offsets, trailer };
}

function readXrefSection(bytes: Uint8Array, offset: number, offsets: Map<number, number>, context: PDFContext): { trailer: PDFDict } {
  if (!Number.isSafeInteger(offset) || offset < 0 || offset >= bytes.length) throw new PdfReadError('startxref points outside the file');
  const head = latin1(bytes, offset, offset + 32);
  if (!/^\s*xref\b/.test(head)) throw new PdfReadError('the cross-reference is not a classic xref table (a compressed cross-reference stream is not read)');
  let pos = offset + head.indexOf('xref') + 4;
  const trailerAt = indexOf(bytes, 'trailer', pos);
  if (trailerAt < 0) throw new PdfReadError('the xref table has no trailer');
  const table = latin1(bytes, pos, trailerAt);
  const lines = table
    .split(/\r\n|\r|\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  let i = 0;
  while (i < lines.length) {
    const sub = /^(\d+)\s+(\d+)$/.exec(lines[i]);
    if (!sub) throw new PdfReadError('the xref table is malformed');
    const first = Number(sub[1]);
    const count = Number(sub[2]);
    i += 1;
    for (let n = 0; n < count; n++, i++) {
      const entry = /^(\d{1,10})\s+(\d{1,5})\s+([nf])$/.exec(lines[i] ?? '');
      if (!entry) throw new PdfReadError('an xref entry is malformed');
      if (entry[3] === 'n' && !offsets.has(first + n)) offsets.set(first + n, Number(entry[1]));
    }
  }
  pos = trailerAt + 'trailer'.length;
  const parser = PDFObjectParser.forBytes(bytes.subarray(pos, Math.min(bytes.length, pos + 64 * 1024)), context, true);
  const trailer = parser.parseObject();
  if (!(trailer instanceof PDFDict)) throw new PdfReadError('the trailer is not a dictionary');
  return { trailer };
}

function indexOf(bytes: Uint8Array, text: string, from: number): number {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(text, from, 'latin1');
}

/**
 * Opens a PDF for bounded reading. Throws PdfReadError when it has no readable classic
 * cross-reference table; objects are parsed lazily as they are resolved.
 */
export function openBoundedPdf(bytes: Uint8Array, limits: ReaderLimits = DEFAULT_READER_LIMITS): BoundedPdf {
  const context = PDFContext.create();
  const { offsets, trailer } = readXref(bytes, limits, context);
  const cache = new Map<number, PDFObject | undefined>();
  let parsed = 0;

  const load = (ref: PDFRef): PDFObject | undefined => {
    if (cache.has(ref.objectNumber)) return cache.get(ref.objectNumber);
    if (++parsed > limits.maxObjects) throw new PdfReadError('the file needs more objects than the budget allows');
    cache.set(ref.objectNumber, undefined); // a reference to itself while parsing resolves to nothing
    const offset = offsets.get(ref.objectNumber);
    let object: PDFObject | undefined;
    if (offset !== undefined && offset >= 0 && offset < bytes.length) {
      const header = /^\s*(\d+)\s+(\d+)\s+obj/.exec(latin1(bytes, offset, offset + 48));
      if (header && Number(header[1]) === ref.objectNumber) {
        try {
          object = PDFObjectParser.forBytes(bytes.subarray(offset + header[0].length), context, true).parseObject();
        } catch {
          object = undefined;
        }
      }
    }
    cache.set(ref.objectNumber, object);
    return object;
  };
  const resolve = (value: PDFObject | undefined): PDFObject | undefined => (value instanceof PDFRef ? load(value) : value);
  return { trailer, resolve, get: (dict, key) => resolve(dict.get(PDFName.of(key))) };
}

function textOf(value: PDFObject | undefined): string | null {
  if (value instanceof PDFString || value instanceof PDFHexString) return value.decodeText();
  return null;
}

/**
 * Finds `name` in the catalog's EmbeddedFiles name tree and returns its file stream, or null.
 * The walk visits each node once and at most `maxNameTreeNodes` nodes; past the budget it throws.
 */
function findEmbeddedFile(pdf: BoundedPdf, name: string, limits: ReaderLimits): PDFRawStream | null {
  const root = pdf.get(pdf.trailer, 'Root');
  if (!(root instanceof PDFDict)) return null;
  const names = pdf.get(root, 'Names');
  const tree = names instanceof PDFDict ? pdf.get(names, 'EmbeddedFiles') : undefined;
  if (!(tree instanceof PDFDict)) return null;
  const visited = new Set<PDFDict>();
  const stack: PDFDict[] = [tree];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (visited.has(node)) continue;
    if (visited.size >= limits.maxNameTreeNodes) throw new PdfReadError('the embedded-files name tree is larger than the budget allows');
    visited.add(node);
    const pairs = pdf.get(node, 'Names');
    if (pairs instanceof PDFArray) {
      for (let i = 0; i + 1 < pairs.size(); i += 2) {
        if (textOf(pdf.resolve(pairs.get(i))) !== name) continue;
        const spec = pdf.resolve(pairs.get(i + 1));
        const ef = spec instanceof PDFDict ? pdf.get(spec, 'EF') : undefined;
        const file = ef instanceof PDFDict ? pdf.get(ef, 'F') : undefined;
        return file instanceof PDFRawStream ? file : null;
      }
    }
    const kids = pdf.get(node, 'Kids');
    if (kids instanceof PDFArray) {
      for (let i = 0; i < kids.size(); i++) {
        const kid = pdf.resolve(kids.get(i));
        if (kid instanceof PDFDict && !visited.has(kid)) stack.push(kid);
      }
    }
  }
  return null;
}

/** A stream's bytes, decoded only if unfiltered or FlateDecode, and never beyond `maxBytes`. */
function decodeCapped(stream: PDFRawStream, maxBytes: number): Uint8Array | null {
  const filter = stream.dict.get(PDFName.of('Filter'));
  const filters = filter === undefined ? [] : filter instanceof PDFArray ? filter.asArray() : [filter];
  if (filters.length > 1 || filters.some((f) => f !== PDFName.of('FlateDecode'))) return null;
  const raw = stream.getContents();
  if (filters.length === 0) return raw.length <= maxBytes ? raw : null;
  try {
    return zlib.inflateSync(raw, { maxOutputLength: maxBytes });
  } catch {
    // more than maxBytes (a compression bomb stops here), or not deflate data
    return null;
  }
}

/**
 * The decoded bytes of an embedded file, or null when there is none, it is too large, or it is
 * encoded otherwise than Flate. Throws PdfReadError when a budget runs out.
 */
export function readEmbeddedFile(pdf: BoundedPdf, name: string, maxBytes: number, limits: ReaderLimits = DEFAULT_READER_LIMITS): Uint8Array | null {
  const stream = findEmbeddedFile(pdf, name, limits);
  return stream ? decodeCapped(stream, maxBytes) : null;
}

/** The page count the page tree's root claims (0 when it does not say). */
export function claimedPageCount(pdf: BoundedPdf): number {
  const root = pdf.get(pdf.trailer, 'Root');
  const pages = root instanceof PDFDict ? pdf.get(root, 'Pages') : undefined;
  const count = pages instanceof PDFDict ? pdf.get(pages, 'Count') : undefined;
  return count instanceof PDFNumber ? count.asNumber() : 0;
}
