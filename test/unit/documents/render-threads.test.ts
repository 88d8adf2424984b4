import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDocumentModel } from '../../../documents';
import { renderPdf } from '../../../documents/pdf/render-pdf';
import { renderDocx } from '../../../documents/render-docx';
import { renderOnThread, renderThreadStatus } from '../../../documents/render-threads';
import { docxParagraphs, pdfText } from './extract';

const model = buildDocumentModel('# Threads\n\n## First clause\n\nThe £40,000 grant is paid to “Bow Road Practice”.\n\n- one\n- two\n');
const options = { meta: { documentId: 'doc-1', version: 3, networkName: 'Highway Network', issuedOn: '2026-11-22' }, title: 'Threads', contentHash: 'abc123' };

describe('rendering on worker threads', () => {
  it('renders both formats on threads of their own, with the same content as rendering here', async () => {
    const [docx, pdf] = await Promise.all([renderOnThread('docx', model, options), renderOnThread('pdf', model, options)]);
    expect(renderThreadStatus()).toEqual({ docx: 'thread', pdf: 'thread' });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(docx.subarray(0, 2).toString()).toBe('PK');
    const here = await renderPdf(model, options);
    expect(pdfText(pdf)).toBe(pdfText(here));
    expect(pdfText(pdf)).toContain('£40,000');
    // the package carries a creation time, so compare what it says, not its bytes
    expect(await docxParagraphs(docx)).toEqual(await docxParagraphs(await renderDocx(model, options)));
  });

  it('keep a script alive while they render and let it exit once they are idle', () => {
    // the child renders on threads and then has nothing left to do: it must finish by itself
    // (a generous limit only stops a hanging child; it is no speed target)
    const child = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', '..', 'fixtures', 'render-then-exit.ts')], {
      timeout: 90_000,
      encoding: 'utf8',
    });
    expect(child.signal, 'the child had to be killed: something kept it alive').toBeNull();
    expect(child.status, child.stderr).toBe(0);
    expect(child.stdout).toMatch(/^rendered \d+ bytes$/m);
  });
});
