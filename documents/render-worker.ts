/**
 * Worker-thread entry: renders one format (DOCX or PDF) of a document model off the main thread,
 * so the two formats of a document are produced on two cores at once.
 */
import { parentPort } from 'node:worker_threads';
import type { DocumentModel } from './document-model';
import { renderDocx } from './render-docx';
import { renderPdf, type PdfOptions } from './pdf/render-pdf';

export type RenderFormat = 'docx' | 'pdf';

parentPort?.on('message', async (message: { id: number; format: RenderFormat; model: DocumentModel; options: PdfOptions }) => {
  try {
    const bytes = message.format === 'pdf' ? await renderPdf(message.model, message.options) : await renderDocx(message.model, message.options);
    const copy = new Uint8Array(bytes);
    parentPort?.postMessage({ id: message.id, ok: true, bytes: copy }, [copy.buffer]);
  } catch (err) {
    parentPort?.postMessage({ id: message.id, ok: false, error: (err as Error).message });
  }
});
