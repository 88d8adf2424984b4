/**
 * poppler's pdfsig on a PDF, for checking that standard tools validate Formwork's signatures.
 * CI installs poppler-utils; where pdfsig is missing the report says so (and tests that need it
 * are skipped with that message).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const PDFSIG_MISSING = 'pdfsig is not installed (apt-get install poppler-utils): the check by a standard tool is skipped';

export function hasPdfsig(): boolean {
  return !spawnSync('pdfsig', ['-v']).error;
}

export function pdfsigReport(pdf: Buffer): { available: boolean; output: string } {
  if (!hasPdfsig()) {
    console.warn(PDFSIG_MISSING);
    return { available: false, output: '' };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'formwork-pdfsig-'));
  try {
    const file = path.join(dir, 'sealed.pdf');
    fs.writeFileSync(file, pdf);
    const result = spawnSync('pdfsig', [file]);
    return { available: true, output: result.stdout.toString() + result.stderr.toString() };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
