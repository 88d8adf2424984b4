/**
 * Worker-thread entry for inspecting PDFs from strangers: one job at a time, bytes in, a
 * PdfInspection out. The thread runs under time and memory limits set by verify-thread.ts; if a
 * file exhausts them the thread dies and only that request is answered "unreadable". It says
 * `ready` once loaded, so a job's time limit does not count the thread's own start.
 */
import { parentPort } from 'node:worker_threads';
import { inspectPdf } from './verify';

parentPort?.on('message', async (message: { id: number; bytes: Uint8Array; legacy: boolean }) => {
  try {
    parentPort?.postMessage({ id: message.id, ok: true, result: await inspectPdf(message.bytes, { legacy: message.legacy }) });
  } catch (err) {
    parentPort?.postMessage({ id: message.id, ok: false, error: (err as Error).message });
  }
});

parentPort?.postMessage({ ready: true });
