/**
 * Rendering benchmark: the terms of reference of a five-practice network, DOCX and PDF, rendered
 * many times; and, for comparison, the same DOCX converted to PDF by LibreOffice headless (the
 * usual alternative to rendering PDFs ourselves). Writes bench/out/render.json.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { renderTemplate, STAGE_TEMPLATES } from '../templates';
import { towerHamletsFacts } from '../test/fixtures/network-facts';

const WARM_UP = 5;
const RUNS = 30;
const LIBREOFFICE_RUNS = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function findOnPath(command: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, command);
    if (dir && fs.existsSync(candidate)) return candidate;
  }
  return null;
}

export interface RenderBenchResult {
  torMedianMs: number;
  libreofficeMedianMs: number | null;
  speedup: number | null;
  runs: number;
  practices: number;
  libreofficeSkipped?: string;
}

export async function benchRender(): Promise<RenderBenchResult> {
  const facts = towerHamletsFacts('Network 2 Network');
  const context = STAGE_TEMPLATES['terms-of-reference'].buildContext(facts, {});
  const meta = { documentId: 'bench-tor', version: 1, networkName: facts.network.name, issuedOn: facts.wave.panelDate };

  let docx: Buffer = Buffer.alloc(0);
  for (let i = 0; i < WARM_UP; i++) docx = (await renderTemplate('terms-of-reference', context, meta)).docx;
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await renderTemplate('terms-of-reference', context, meta);
    times.push(performance.now() - start);
  }
  const torMedianMs = Math.round(median(times) * 10) / 10;

  let libreofficeMedianMs: number | null = null;
  let libreofficeSkipped: string | undefined;
  const soffice = findOnPath('soffice');
  if (!soffice) {
    libreofficeSkipped = 'soffice is not on PATH (install LibreOffice, e.g. libreoffice-writer-nogui, to compare)';
    console.log(`LibreOffice comparison skipped: ${libreofficeSkipped}`);
  } else {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'formwork-bench-'));
    const input = path.join(dir, 'tor.docx');
    fs.writeFileSync(input, docx);
    // A private profile so a running LibreOffice (or a locked profile) cannot interfere.
    const profile = `-env:UserInstallation=file://${path.join(dir, 'profile')}`;
    spawnSync(soffice, [profile, '--headless', '--convert-to', 'pdf', '--outdir', dir, input], { stdio: 'ignore', timeout: 120_000 });
    const loTimes: number[] = [];
    for (let i = 0; i < LIBREOFFICE_RUNS; i++) {
      const start = performance.now();
      const result = spawnSync(soffice, [profile, '--headless', '--convert-to', 'pdf', '--outdir', dir, input], { stdio: 'ignore', timeout: 120_000 });
      if (result.status !== 0 || !fs.existsSync(path.join(dir, 'tor.pdf'))) {
        libreofficeSkipped = `soffice failed (exit ${result.status ?? result.signal})`;
        break;
      }
      loTimes.push(performance.now() - start);
    }
    fs.rmSync(dir, { recursive: true, force: true });
    if (loTimes.length > 0 && !libreofficeSkipped) libreofficeMedianMs = Math.round(median(loTimes) * 10) / 10;
    else console.log(`LibreOffice comparison skipped: ${libreofficeSkipped}`);
  }

  const result: RenderBenchResult = {
    torMedianMs,
    libreofficeMedianMs,
    speedup: libreofficeMedianMs !== null ? Math.round((libreofficeMedianMs / torMedianMs) * 10) / 10 : null,
    runs: RUNS,
    practices: facts.practices.length,
    ...(libreofficeSkipped ? { libreofficeSkipped } : {}),
  };
  const outDir = path.join(__dirname, 'out');
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'render.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`ToR (${facts.practices.length} practices) DOCX+PDF median ${torMedianMs} ms over ${RUNS} runs`);
  if (libreofficeMedianMs !== null) console.log(`LibreOffice DOCX→PDF median ${libreofficeMedianMs} ms; rendering ourselves is ${result.speedup}× faster`);
  return result;
}

if (require.main === module) {
  benchRender().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
