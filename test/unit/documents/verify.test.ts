import { describe, expect, it } from 'vitest';
import { PDFDocument } from 'pdf-lib';
import { readSeal } from '../../../documents/seal';
import { openBoundedPdf, PdfReadError, readEmbeddedFile } from '../../../documents/pdf-reader';
import { inspectPdf } from '../../../documents/verify';
import { createVerifyThread, InspectionRefused } from '../../../documents/verify-thread';
import {
  assemblePdf,
  junkStartingWithPdfHeader,
  manifestCompressionBomb,
  mutuallyReferencingNameTree,
  objectStreamBomb,
  selfReferencingNameTree,
} from '../../fixtures/hostile-pdfs';

const MiB = 1024 * 1024;

describe('the bounded PDF reader', () => {
  it('walks a name tree whose node lists itself, or whose nodes list each other, once per node', () => {
    const self = selfReferencingNameTree();
    expect(self.length).toBeLessThan(700);
    expect(readEmbeddedFile(openBoundedPdf(self), 'formwork-seal.json', MiB)).toBeNull();
    expect(readEmbeddedFile(openBoundedPdf(mutuallyReferencingNameTree()), 'formwork-seal.json', MiB)).toBeNull();
    expect(readSeal(self)).toBeNull();
  });

  it('stops a name tree that is larger than its node budget', () => {
    const kids = Array.from({ length: 600 }, (_, i) => `${i + 6} 0 R`).join(' ');
    const leaves = Array.from({ length: 600 }, () => '<< /Names [(other.txt) null] >>');
    const wide = assemblePdf([
      '<< /Type /Catalog /Pages 2 0 R /Names 4 0 R >>',
      '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
      '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>',
      '<< /EmbeddedFiles 5 0 R >>',
      `<< /Kids [${kids}] >>`,
      ...leaves,
    ]);
    const pdf = openBoundedPdf(wide);
    expect(() => readEmbeddedFile(pdf, 'formwork-seal.json', MiB)).toThrow(PdfReadError);
    expect(() =>
      readEmbeddedFile(openBoundedPdf(wide), 'formwork-seal.json', MiB, { maxObjects: 4000, maxXrefSections: 32, maxNameTreeNodes: 1000 }),
    ).not.toThrow();
    expect(readSeal(wide)).toBeNull();
  });

  it('decodes only the manifest, and only up to its cap: a compression bomb is refused, not inflated', () => {
    const bomb = manifestCompressionBomb(64);
    expect(bomb.length).toBeLessThan(128 * 1024);
    expect(readEmbeddedFile(openBoundedPdf(bomb), 'formwork-seal.json', MiB)).toBeNull();
    // the same structure holding less than the cap is read: the bomb was refused for its size
    const small = manifestCompressionBomb(0.5);
    expect(readEmbeddedFile(openBoundedPdf(small), 'formwork-seal.json', MiB)?.length).toBe(MiB / 2);
    expect(readSeal(bomb)).toBeNull();
    // an object stream is never decoded at all (pdf-lib would inflate it while loading)
    expect(readSeal(objectStreamBomb(64))).toBeNull();
  });

  it('finds no structure in junk that merely starts with %PDF-, without parsing it', async () => {
    const junk = junkStartingWithPdfHeader(25 * MiB - 4096);
    expect(() => openBoundedPdf(junk)).toThrow(/startxref/);
    const inspection = await inspectPdf(junk);
    expect(inspection).toMatchObject({ isPdf: true, seal: null, signature: { present: false } });
  });

  it('reads a cross-reference table updated incrementally, newest entries first, and refuses a loop', async () => {
    const doc = await PDFDocument.create();
    doc.addPage();
    await doc.attach(Buffer.from('{"hello":"world"}'), 'formwork-seal.json', { mimeType: 'application/json' });
    const base = Buffer.from(await doc.save({ useObjectStreams: false }));
    expect(Buffer.from(readEmbeddedFile(openBoundedPdf(base), 'formwork-seal.json', MiB)!).toString()).toBe('{"hello":"world"}');
    // a second section whose /Prev points at itself
    const start = base.length;
    const looped = Buffer.concat([base, Buffer.from(`xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 1 /Prev ${start} >>\nstartxref\n${start}\n%%EOF\n`)]);
    expect(() => openBoundedPdf(looped)).toThrow(/loop/);
    expect(readSeal(looped)).toBeNull();
  });
});

describe('seals made before sealed PDFs were signed', () => {
  it('are read the old way only when asked (for bytes whose hash matched the store)', async () => {
    // formwork-seal/1 PDFs were saved with object streams, which the bounded reader does not follow
    const manifest = {
      format: 'formwork-seal/1',
      documentId: 'doc-legacy',
      version: 1,
      title: 'Panel Pack: Highway Network',
      networkName: 'Highway Network',
      agreedSha256: 'a'.repeat(64),
      completedAt: '2026-06-01T10:00:00.000Z',
      signers: [
        {
          name: 'Dr Ann Lee',
          email: 'ann@example.org',
          practice: 'Bow Road Practice',
          capacity: 'Partner',
          consentVersion: 'esign-consent-1',
          signedAtUtc: '2026-06-01T10:00:00.000Z',
          signedAtLondon: '2026-06-01T11:00:00+01:00',
          ip: '192.0.2.1',
          userAgent: 'Mozilla/5.0',
          method: 'link',
        },
      ],
      sealedAt: '2026-06-01T10:01:00.000Z',
      pages: { agreed: 1, certificate: 1 },
    };
    const doc = await PDFDocument.create();
    doc.addPage();
    doc.addPage();
    await doc.attach(Buffer.from(JSON.stringify(manifest)), 'formwork-seal.json', { mimeType: 'application/json' });
    const legacy = Buffer.from(await doc.save({ useObjectStreams: true }));
    expect((await inspectPdf(legacy)).seal).toBeNull();
    const read = await inspectPdf(legacy, { legacy: true });
    expect(read.seal).toEqual({ manifest, pageCount: 2 });
    expect(read.signature).toEqual({ present: false });
  });
});

describe('the verification thread', () => {
  it('inspects on a thread of its own, and answers hostile files', async () => {
    // a roomy time limit: what is tested is the answer, not the speed (bench/ measures that), and a
    // busy machine may be slow to start the thread
    const thread = createVerifyThread({ timeoutMs: 60_000, startMs: 60_000, maxHeapMb: 128, maxQueued: 4 });
    try {
      for (const hostile of [selfReferencingNameTree(), mutuallyReferencingNameTree(), manifestCompressionBomb(64), objectStreamBomb(64)]) {
        const inspection = await thread.inspect(hostile);
        expect(inspection).toMatchObject({ isPdf: true, seal: null });
      }
    } finally {
      await thread.close();
    }
  });

  it('ends a job past its time limit, and carries on with a fresh thread', async () => {
    const thread = createVerifyThread({ timeoutMs: 1, startMs: 60_000, maxHeapMb: 128, maxQueued: 4 });
    try {
      const refused = await thread.inspect(junkStartingWithPdfHeader(4 * MiB)).catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(InspectionRefused);
      expect((refused as InspectionRefused).why).toBe('time limit');
    } finally {
      await thread.close();
    }
    const roomy = createVerifyThread({ timeoutMs: 60_000, startMs: 60_000, maxHeapMb: 128, maxQueued: 4 });
    try {
      expect((await roomy.inspect(selfReferencingNameTree())).isPdf).toBe(true);
    } finally {
      await roomy.close();
    }
  });

  it('counts a job’s time limit from when its thread has loaded, not from the thread’s start', async () => {
    // loading the thread takes seconds (its own module loader, pdf-lib); reading one small page takes milliseconds
    const thread = createVerifyThread({ timeoutMs: 500, startMs: 60_000, maxHeapMb: 128, maxQueued: 4 });
    try {
      const onePage = await PDFDocument.create();
      onePage.addPage();
      expect(await thread.inspect(await onePage.save())).toMatchObject({ isPdf: true, seal: null });
    } finally {
      await thread.close();
    }
  });

  it('refuses a job whose thread does not load within the start-up allowance', async () => {
    const thread = createVerifyThread({ timeoutMs: 60_000, startMs: 1, maxHeapMb: 128, maxQueued: 4 });
    try {
      const refused = await thread.inspect(selfReferencingNameTree()).catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(InspectionRefused);
      expect((refused as InspectionRefused).why).toBe('failed');
    } finally {
      await thread.close();
    }
  });

  it('refuses more waiting files than its queue holds', async () => {
    const thread = createVerifyThread({ timeoutMs: 60_000, startMs: 60_000, maxHeapMb: 128, maxQueued: 2 });
    try {
      const jobs = Array.from({ length: 4 }, () =>
        thread.inspect(selfReferencingNameTree()).then(
          () => 'done',
          (err: InspectionRefused) => err.why,
        ),
      );
      const outcomes = await Promise.all(jobs);
      expect(outcomes.filter((o) => o === 'busy').length).toBeGreaterThanOrEqual(1);
      expect(outcomes.filter((o) => o === 'done').length).toBeGreaterThanOrEqual(2);
    } finally {
      await thread.close();
    }
  });
});
