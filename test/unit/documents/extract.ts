/**
 * Text extraction for assertions on rendered documents: poppler's pdftotext for PDFs (CI installs
 * poppler-utils) and the document part of the DOCX package for Word files.
 */
import { spawnSync } from 'node:child_process';
import JSZip from 'jszip';
import { PDFDocument } from 'pdf-lib';
import { expect } from 'vitest';

/** Text of a PDF, pages separated by form feeds, in reading order. */
export function pdfText(pdf: Buffer, layout = false): string {
  const result = spawnSync('pdftotext', [...(layout ? ['-layout'] : []), '-enc', 'UTF-8', '-', '-'], { input: pdf, maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw new Error(`pdftotext is needed for these tests (apt-get install poppler-utils): ${result.error.message}`);
  if (result.status !== 0) throw new Error(`pdftotext failed: ${result.stderr.toString()}`);
  return result.stdout.toString('utf8');
}

export function pdfPages(pdf: Buffer): string[] {
  return pdfText(pdf)
    .split('\f')
    .filter((p, i, all) => i < all.length - 1 || p.trim() !== '');
}

export async function pdfPageCount(pdf: Buffer): Promise<number> {
  return (await PDFDocument.load(pdf)).getPageCount();
}

function decodeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

export interface DocxParagraph {
  style: string | null;
  numbered: { numId: string; level: number } | null;
  text: string;
}

/** The paragraphs of a DOCX's main document part, with their style and list numbering. */
export async function docxParagraphs(docx: Buffer, part = 'word/document.xml'): Promise<DocxParagraph[]> {
  const zip = await JSZip.loadAsync(docx);
  const xml = await zip.file(part)?.async('string');
  if (!xml) throw new Error(`${part} is missing`);
  return [...xml.matchAll(/<w:p[ >][\s\S]*?<\/w:p>/g)].map((m) => {
    const p = m[0];
    const style = /<w:pStyle w:val="([^"]+)"/.exec(p)?.[1] ?? null;
    const numId = /<w:numId w:val="(\d+)"/.exec(p)?.[1];
    const level = /<w:ilvl w:val="(\d+)"/.exec(p)?.[1];
    const text = [...p.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((t) => decodeXml(t[1])).join('');
    return { style, numbered: numId ? { numId, level: Number(level ?? 0) } : null, text };
  });
}

export async function docxPart(docx: Buffer, part: string): Promise<string> {
  const zip = await JSZip.loadAsync(docx);
  const xml = await zip.file(part)?.async('string');
  if (xml === undefined) throw new Error(`${part} is missing`);
  return xml;
}

/** Collapses whitespace so assertions do not depend on line breaks. */
export function flat(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Asserts that the parts stand in the text in this order. */
export function inOrder(text: string, parts: string[]): void {
  let at = -1;
  for (const part of parts) {
    const next = text.indexOf(part, at + 1);
    expect(next, `"${part}" after position ${at}`).toBeGreaterThan(at);
    at = next;
  }
}
