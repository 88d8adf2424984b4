/**
 * Runs PDF inspection (verify.ts) on a worker thread of its own, so that no file, however built,
 * holds up the event loop: the thread has a heap limit (resourceLimits) and each job a time limit,
 * after which the thread is ended and started afresh for the next job. Jobs run one at a time; a
 * bounded queue refuses more than a handful waiting. Where a thread cannot start at all (a runner
 * that transforms TypeScript only in the main thread), inspection runs here: the reader is bounded
 * either way, the thread adds the limits.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { inspectPdf, type PdfInspection } from './verify';

export interface VerifyThreadLimits {
  /** per job, from when the thread picks it up (a thread's own start is not counted) */
  timeoutMs: number;
  /** for a new thread to load, which on a busy machine can take seconds */
  startMs: number;
  /** the thread's old-generation heap */
  maxHeapMb: number;
  /** jobs waiting behind the running one */
  maxQueued: number;
}

export const DEFAULT_VERIFY_LIMITS: VerifyThreadLimits = { timeoutMs: 5_000, startMs: 60_000, maxHeapMb: 192, maxQueued: 16 };

/** Why a PDF could not be inspected: the thread's limits stopped it, or too many were waiting. */
export class InspectionRefused extends Error {
  constructor(
    readonly why: 'time limit' | 'memory limit' | 'busy' | 'failed',
    message: string,
  ) {
    super(message);
    this.name = 'InspectionRefused';
  }
}

interface Job {
  id: number;
  bytes: Uint8Array;
  legacy: boolean;
  resolve(result: PdfInspection): void;
  reject(err: Error): void;
}

export interface VerifyThread {
  /** `legacy`: see inspectPdf; only for bytes whose hash is that of a sealed PDF in the store */
  inspect(bytes: Uint8Array, options?: { legacy?: boolean }): Promise<PdfInspection>;
  /** ends the thread (it is started again on the next job) */
  close(): Promise<void>;
}

export function createVerifyThread(limits: VerifyThreadLimits = DEFAULT_VERIFY_LIMITS): VerifyThread {
  let worker: Worker | null = null;
  /** the thread has loaded and said so */
  let ready = false;
  let threadsUnavailable = false;
  let running: (Job & { timer?: NodeJS.Timeout }) | null = null;
  const queue: Job[] = [];
  let nextId = 1;

  const stopWorker = () => {
    const w = worker;
    worker = null;
    ready = false;
    if (w) {
      w.removeAllListeners();
      w.on('error', () => {});
      void w.terminate();
    }
  };

  const finish = (outcome: { result: PdfInspection } | { error: Error }) => {
    const job = running;
    if (!job) return;
    clearTimeout(job.timer);
    running = null;
    worker?.unref();
    if ('result' in outcome) job.resolve(outcome.result);
    else job.reject(outcome.error);
    pump();
  };

  const startWorker = (): Worker | null => {
    if (threadsUnavailable) return null;
    try {
      const w = new Worker(path.join(__dirname, 'verify-worker.cjs'), {
        resourceLimits: { maxOldGenerationSizeMb: limits.maxHeapMb, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 },
      });
      w.on('message', (m: { ready?: true; id: number; ok: boolean; result?: PdfInspection; error?: string }) => {
        if (m.ready) {
          ready = true;
          if (running) send(running);
          return;
        }
        if (!running || m.id !== running.id) return;
        if (m.ok && m.result) finish({ result: m.result });
        else finish({ error: new InspectionRefused('failed', m.error ?? 'the PDF could not be inspected') });
      });
      w.on('error', (err: Error & { code?: string }) => {
        stopWorker();
        const memory = err.code === 'ERR_WORKER_OUT_OF_MEMORY';
        finish({
          error: new InspectionRefused(memory ? 'memory limit' : 'failed', memory ? 'inspecting the PDF needed more memory than allowed' : err.message),
        });
      });
      w.on('exit', () => {
        if (worker === w) {
          worker = null;
          ready = false;
        }
        finish({ error: new InspectionRefused('failed', 'the verification thread stopped') });
      });
      // after the listeners, which would reference it again
      w.unref();
      return w;
    } catch {
      threadsUnavailable = true;
      return null;
    }
  };

  function pump(): void {
    if (running || queue.length === 0) return;
    const job = queue.shift()!;
    worker ??= startWorker();
    if (!worker) {
      inspectPdf(job.bytes, { legacy: job.legacy }).then(job.resolve, job.reject);
      pump();
      return;
    }
    // referenced only while a job is out, so an idle thread keeps no process alive
    worker.ref();
    if (ready) {
      running = { ...job };
      send(running);
      return;
    }
    // a thread still loading: the job waits for its `ready`, within the start-up allowance
    running = { ...job, timer: limitTimer(limits.startMs, 'failed', 'the verification thread did not start in time') };
  }

  function limitTimer(ms: number, why: InspectionRefused['why'], message: string): NodeJS.Timeout {
    const timer = setTimeout(() => {
      stopWorker();
      finish({ error: new InspectionRefused(why, message) });
    }, ms);
    timer.unref();
    return timer;
  }

  /** hands the running job to the loaded thread; its time limit starts now */
  function send(job: Job & { timer?: NodeJS.Timeout }): void {
    clearTimeout(job.timer);
    job.timer = limitTimer(limits.timeoutMs, 'time limit', 'inspecting the PDF took longer than allowed');
    // a copy of its own, moved to the thread rather than cloned
    const copy = new Uint8Array(job.bytes);
    worker!.postMessage({ id: job.id, bytes: copy, legacy: job.legacy }, [copy.buffer]);
  }

  return {
    inspect(bytes, options = {}) {
      if (queue.length >= limits.maxQueued) return Promise.reject(new InspectionRefused('busy', 'too many PDFs are waiting to be verified'));
      return new Promise<PdfInspection>((resolve, reject) => {
        queue.push({ id: nextId++, bytes, legacy: options.legacy ?? false, resolve, reject });
        pump();
      });
    },
    async close() {
      stopWorker();
    },
  };
}
