/**
 * The typefaces of our PDFs: DejaVu Serif for text and DejaVu Sans for headings and running
 * heads, shipped as TrueType files by the `dejavu-fonts-ttf` package (free licence, wide coverage:
 * £, en dashes, curly quotes and accented names all have glyphs).
 *
 * Font bytes and the fontkit faces used for measuring are loaded once per process; word widths are
 * memoised because the same words recur in every document.
 */
import fs from 'node:fs';
import path from 'node:path';
import fontkit from '@pdf-lib/fontkit';

export type FontKey = 'serif' | 'serifBold' | 'serifItalic' | 'serifBoldItalic' | 'sans' | 'sansBold';

const FILES: Record<FontKey, string> = {
  serif: 'DejaVuSerif.ttf',
  serifBold: 'DejaVuSerif-Bold.ttf',
  serifItalic: 'DejaVuSerif-Italic.ttf',
  serifBoldItalic: 'DejaVuSerif-BoldItalic.ttf',
  sans: 'DejaVuSans.ttf',
  sansBold: 'DejaVuSans-Bold.ttf',
};

interface Glyph {
  id: number;
  advanceWidth: number;
  codePoints: number[];
}

interface Face {
  unitsPerEm: number;
  layout(text: string): { glyphs: Glyph[] };
}

interface LoadedFont {
  key: FontKey;
  bytes: Uint8Array;
  face: Face;
  /** the face as pdf-lib sees it: shared across documents, shaping through our cache */
  pdfFace: Face;
  /** glyphs of each word (or run of spaces) seen so far */
  glyphs: Map<string, Glyph[]>;
  widths: Map<string, number>;
}

const CACHE_LIMIT = 50_000;

const loaded = new Map<FontKey, LoadedFont>();
const byBytes = new WeakMap<Uint8Array, LoadedFont>();
let fontDir: string | null = null;

function fontDirectory(): string {
  if (!fontDir) fontDir = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
  return fontDir;
}

export function loadFont(key: FontKey): LoadedFont {
  let font = loaded.get(key);
  if (!font) {
    const bytes = fs.readFileSync(path.join(fontDirectory(), FILES[key]));
    const face = fontkit.create(bytes) as unknown as Face;
    const pdfFace = Object.create(face) as Face;
    pdfFace.layout = (text: string) => ({ glyphs: glyphsFor(key, text) });
    font = { key, bytes: new Uint8Array(bytes), face, pdfFace, glyphs: new Map(), widths: new Map() };
    loaded.set(key, font);
    byBytes.set(font.bytes, font);
  }
  return font;
}

/**
 * Words longer than this are set character by character instead of shaped whole: shaping costs grow
 * with a word's length, a long word is a URL or a pasted string rather than prose, and pdf-lib draws
 * at advance widths (no kerning) either way. A 150,000-character word then costs what its characters
 * cost, not minutes.
 */
const LONG_WORD = 32;
/** Strings longer than this are measured afresh rather than kept in the width cache. */
const CACHED_TEXT = 1024;

/**
 * fontkit keeps one glyph object per glyph id, with the code points of the text that first produced
 * it: a Z first met as part of a decomposed Ż keeps Ż's. pdf-lib builds a PDF's ToUnicode map (what
 * copying and searching the text read) from those code points, so where glyphs map one to one onto
 * the word's characters, each gets its own character's code point.
 */
function withOwnCodePoints(glyphs: Glyph[], word: string): Glyph[] {
  const chars = Array.from(word);
  if (glyphs.length !== chars.length) return glyphs;
  return glyphs.map((glyph, i) => {
    const codePoint = chars[i].codePointAt(0)!;
    if (glyph.codePoints.length === 1 && glyph.codePoints[0] === codePoint) return glyph;
    return Object.create(glyph, { codePoints: { value: [codePoint] } }) as Glyph;
  });
}

function wordGlyphs(font: LoadedFont, word: string): Glyph[] {
  let glyphs = font.glyphs.get(word);
  if (glyphs) return glyphs;
  if (word.length > LONG_WORD) {
    glyphs = [];
    for (const ch of word) for (const glyph of wordGlyphs(font, ch)) glyphs.push(glyph);
    return glyphs;
  }
  glyphs = withOwnCodePoints(font.face.layout(word).glyphs, word);
  if (font.glyphs.size < CACHE_LIMIT) font.glyphs.set(word, glyphs);
  return glyphs;
}

/**
 * The glyphs of `text`, shaped word by word and memoised. pdf-lib draws glyphs at their advance
 * widths (it ignores kerning), so shaping words separately draws exactly what shaping the whole
 * line would, at a fraction of the cost.
 */
export function glyphsFor(key: FontKey, text: string): Glyph[] {
  const font = loadFont(key);
  const out: Glyph[] = [];
  for (const part of text.split(/(\s+)/)) {
    // one by one: spreading a word of 150,000 glyphs into push() overflows the call stack
    if (part) for (const glyph of wordGlyphs(font, part)) out.push(glyph);
  }
  return out;
}

/** Width in points of `text` set in `key` at `size`, as pdf-lib will draw it. */
export function textWidth(key: FontKey, text: string, size: number): number {
  const font = loadFont(key);
  let units = font.widths.get(text);
  if (units === undefined) {
    units = 0;
    for (const glyph of glyphsFor(key, text)) units += glyph.advanceWidth;
    if (font.widths.size < CACHE_LIMIT && text.length <= CACHED_TEXT) font.widths.set(text, units);
  }
  return (units / font.face.unitsPerEm) * size;
}

/**
 * A fontkit for pdf-lib that hands back the process-wide parsed face of our font files instead of
 * parsing them again for every document. Parsing (and the byte-by-byte copy fontkit's bundled
 * Buffer makes) dominated PDF rendering time; the face is read-only once loaded, and pdf-lib makes
 * its own subset per document. Its shaping goes through our word cache (pdf-lib only needs each
 * glyph's id, advance width and code points, and draws at advance widths anyway).
 */
export const sharedFontkit = {
  create(bytes: Uint8Array): unknown {
    const font = byBytes.get(bytes);
    return font ? font.pdfFace : fontkit.create(bytes as Buffer);
  },
};

export function fontFor(style: { bold?: boolean; italic?: boolean }, family: 'serif' | 'sans' = 'serif'): FontKey {
  if (family === 'sans') return style.bold ? 'sansBold' : 'sans';
  if (style.bold && style.italic) return 'serifBoldItalic';
  if (style.bold) return 'serifBold';
  if (style.italic) return 'serifItalic';
  return 'serif';
}
