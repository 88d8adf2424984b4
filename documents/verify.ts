/**
 * Inspecting a PDF someone sends us: its SHA-256, the seal manifest it carries (bounded reader,
 * manifest only) and its PDF signature (PAdES), checked cryptographically over the byte ranges it
 * claims, which must cover the whole file but the signature itself. CPU-bound and synchronous in its
 * parsing: verify-thread.ts runs it on a worker thread with time and memory limits.
 */
import { sha256 } from './hash';
import { checkPadesSignature } from './pades';
import { looksLikePdf, readLegacySeal, readSeal } from './seal';
import type { SealManifest } from './seal-manifest';

/** A signature's /Contents larger than this is not read (ours are 24 KiB). */
const MAX_SIGNATURE_BYTES = 256 * 1024;
/** How far before /ByteRange the signature dictionary's /SubFilter may be. */
const DICT_WINDOW = 4096;

export type SignatureInspection =
  | { present: false }
  | { present: true; valid: false; problem: string }
  | {
      present: true;
      valid: true;
      level: 'PAdES-B-B' | 'PAdES-B-T';
      signer: string;
      certificateSha256: string;
      timestampedAt: string | null;
    };

export interface PdfInspection {
  sha256: string;
  isPdf: boolean;
  seal: { manifest: SealManifest; pageCount: number } | null;
  signature: SignatureInspection;
}

function occurrences(bytes: Buffer, needle: string, max: number): number[] {
  const found: number[] = [];
  let at = bytes.indexOf(needle, 0, 'latin1');
  while (at >= 0 && found.length < max) {
    found.push(at);
    at = bytes.indexOf(needle, at + needle.length, 'latin1');
  }
  return found;
}

const HEX = /^[0-9a-fA-F]*$/;

/** Finds the one PDF signature and checks it; see the module comment. */
export async function inspectSignature(input: Uint8Array): Promise<SignatureInspection> {
  const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const at = occurrences(bytes, '/ByteRange', 3);
  if (at.length === 0) return { present: false };
  if (at.length > 1) return { present: true, valid: false, problem: `the file has ${at.length} signatures or more; a sealed PDF has one` };
  const m = /^\/ByteRange\s*\[\s*(\d{1,12})\s+(\d{1,12})\s+(\d{1,12})\s+(\d{1,12})\s*\]/.exec(bytes.toString('latin1', at[0], at[0] + 80));
  if (!m) return { present: true, valid: false, problem: 'the signature byte range cannot be read' };
  const [start, length1, start2, length2] = m.slice(1).map(Number);
  if (start !== 0 || start2 + length2 !== bytes.length || length1 <= 0 || start2 <= length1) {
    return { present: true, valid: false, problem: 'the signature does not cover the whole document' };
  }
  if (bytes[length1] !== 0x3c /* < */ || bytes[start2 - 1] !== 0x3e /* > */)
    return { present: true, valid: false, problem: 'the signature byte range does not frame its /Contents' };
  const hex = bytes.toString('latin1', length1 + 1, start2 - 1);
  if (hex.length > MAX_SIGNATURE_BYTES * 2 || hex.length % 2 !== 0 || !HEX.test(hex))
    return { present: true, valid: false, problem: 'the signature /Contents is not a hex string of a sensible size' };
  const dict = bytes.toString('latin1', Math.max(0, at[0] - DICT_WINDOW), length1);
  if (!/\/SubFilter\s*\/ETSI\.CAdES\.detached/.test(dict))
    return { present: true, valid: false, problem: 'the signature is not a PAdES signature (SubFilter ETSI.CAdES.detached)' };
  const signed = Buffer.concat([bytes.subarray(0, length1), bytes.subarray(start2)]);
  const check = await checkPadesSignature(Buffer.from(hex, 'hex'), signed);
  if (!check.valid) return { present: true, valid: false, problem: check.problem };
  return {
    present: true,
    valid: true,
    level: check.level,
    signer: check.signer,
    certificateSha256: check.certificateSha256,
    timestampedAt: check.timestampedAt,
  };
}

/**
 * Everything verify needs to know about some bytes, without trusting them. With `legacy` (only for
 * bytes whose SHA-256 is that of a sealed PDF in the store), a seal the bounded reader cannot follow
 * is read the way seals were made before they were signed.
 */
export async function inspectPdf(input: Uint8Array, options: { legacy?: boolean } = {}): Promise<PdfInspection> {
  const hash = sha256(input);
  if (!looksLikePdf(input)) return { sha256: hash, isPdf: false, seal: null, signature: { present: false } };
  const seal = readSeal(input) ?? (options.legacy ? await readLegacySeal(input) : null);
  const signature = await inspectSignature(input).catch((): SignatureInspection => ({
    present: true,
    valid: false,
    problem: 'the signature cannot be checked',
  }));
  return { sha256: hash, isPdf: true, seal: seal ? { manifest: seal.manifest, pageCount: seal.pageCount } : null, signature };
}
