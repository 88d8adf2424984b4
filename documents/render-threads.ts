import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { DocumentModel } from './document-model';
import type { PdfOptions } from './pdf/render-pdf';
import { renderPdf } from './pdf/render-pdf';
import { renderDocx } from './render-docx';
import type { RenderFormat } from './render-worker';

/**
 * Renders each format of a document on a worker thread of its own when threads can be started, else
 * in this thread. The bytes are the same either way (the same code renders them); the threads only
 * let DOCX and PDF rendering use both cores. A thread that cannot load (e.g. under a runner that
 * transforms TypeScript only in the main thread) is given up on, quietly, and rendering goes on here.
 */
interface Thread {
  worker: Worker | null;
  pending: Map<number, { resolve(bytes: Buffer): void; reject(err: Error): void }>;
}

const threads = new Map<RenderFormat, Thread>();
let nextId = 1;

function threadFor(format: RenderFormat): Thread {
  let thread = threads.get(format);
  if (thread) return thread;
  thread = { worker: null, pending: new Map() };
  threads.set(format, thread);
  const t = thread;
  const failAll = (err: Error) => {
    t.worker = null;
    for (const p of t.pending.values()) p.reject(err);
    t.pending.clear();
  };
  try {
    const worker = new Worker(path.join(__dirname, 'render-worker.cjs'));
    worker.on('message', (m: { id: number; ok: boolean; bytes?: Uint8Array; error?: string }) => {
      const p = t.pending.get(m.id);
      if (!p) return;
      t.pending.delete(m.id);
      if (t.pending.size === 0) worker.unref();
      if (m.ok && m.bytes) p.resolve(Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength));
      else p.reject(new Error(m.error ?? `${format} rendering failed`));
    });
    worker.on('error', failAll);
    worker.on('exit', () => failAll(new Error(`${format} render thread stopped`)));
    // An idle render thread must not keep a script (npm run samples) from exiting, and a busy one
    // must: it is referenced only while a job is out (and unreferenced after the listeners are
    // added, since adding a 'message' listener references it again).
    worker.unref();
    t.worker = worker;
  } catch {
    t.worker = null;
  }
  return t;
}

function renderHere(format: RenderFormat, model: DocumentModel, options: PdfOptions): Promise<Buffer> {
  return format === 'pdf' ? renderPdf(model, options) : renderDocx(model, options);
}

export async function renderOnThread(format: RenderFormat, model: DocumentModel, options: PdfOptions): Promise<Buffer> {
  const thread = threadFor(format);
  const worker = thread.worker;
  if (!worker) return renderHere(format, model, options);
  try {
    return await new Promise<Buffer>((resolve, reject) => {
      const id = nextId++;
      thread.pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, format, model, options });
    });
  } catch {
    return renderHere(format, model, options);
  }
}

/** Where each format renders now: on its own thread, or here (before first use, or after a thread failed). */
export function renderThreadStatus(): Record<RenderFormat, 'thread' | 'here'> {
  return { docx: threads.get('docx')?.worker ? 'thread' : 'here', pdf: threads.get('pdf')?.worker ? 'thread' : 'here' };
}
