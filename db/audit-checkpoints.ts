import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Checkpoint, type EvidenceKey, makeCheckpoint } from './audit-chain';

/**
 * Checkpoints of the audit chain head, kept outside the database: one JSON line per appending
 * transaction (the head it left), MACed with the evidence key, in append-only files under one
 * directory.
 *
 * Several processes append at once (the server and workers of one deployment). Each host writes
 * its own file (`checkpoints-<host>.log`), so processes on different machines sharing the
 * directory (a network volume) never write the same file; processes on one host append to it
 * with O_APPEND, one write per line of a few hundred bytes, which the kernel does not interleave.
 * Lines may land out of order (two commits racing); the verifier takes the highest sequence
 * number, not the last line.
 */
export interface CheckpointStore {
  readonly dir: string;
  /** Appends the head just committed. Never throws: a failed write is reported through onError. */
  record(seq: number, hash: string): void;
  /** Every checkpoint line in the directory; lines that do not parse are counted, not returned. */
  readAll(): { checkpoints: Checkpoint[]; unreadable: number };
}

const FILE = /^checkpoints-[A-Za-z0-9._-]+\.log$/;

function parseLine(line: string): Checkpoint | null {
  try {
    const v = JSON.parse(line) as Record<string, unknown>;
    if (typeof v.keyId === 'string' && Number.isInteger(v.seq) && typeof v.hash === 'string' && typeof v.at === 'string' && typeof v.mac === 'string') {
      return { keyId: v.keyId, seq: v.seq as number, hash: v.hash, at: v.at, mac: v.mac };
    }
  } catch {
    /* not JSON */
  }
  return null;
}

/** Reads checkpoint lines from text; a last line without its newline is a write cut short, not tampering. */
export function parseCheckpointText(text: string): { checkpoints: Checkpoint[]; unreadable: number } {
  const checkpoints: Checkpoint[] = [];
  let unreadable = 0;
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    const parsed = parseLine(line);
    if (parsed) checkpoints.push(parsed);
    else if (i < lines.length - 1) unreadable += 1;
  });
  return { checkpoints, unreadable };
}

export function createCheckpointStore(opts: { dir: string; key: EvidenceKey; host?: string; onError?: (err: unknown) => void }): CheckpointStore {
  const host = (opts.host ?? os.hostname()).replace(/[^A-Za-z0-9._-]/g, '_') || 'host';
  const file = path.join(opts.dir, `checkpoints-${host}.log`);
  let dirReady = false;
  return {
    dir: opts.dir,
    record(seq, hash) {
      try {
        if (!dirReady) {
          fs.mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
          dirReady = true;
        }
        const line = `${JSON.stringify(makeCheckpoint(opts.key, seq, hash, new Date().toISOString()))}\n`;
        fs.appendFileSync(file, line, { mode: 0o600 });
      } catch (err) {
        opts.onError?.(err);
      }
    },
    readAll() {
      let names: string[];
      try {
        names = fs.readdirSync(opts.dir).filter((n) => FILE.test(n));
      } catch {
        return { checkpoints: [], unreadable: 0 };
      }
      const all: Checkpoint[] = [];
      let unreadable = 0;
      for (const name of names) {
        const parsed = parseCheckpointText(fs.readFileSync(path.join(opts.dir, name), 'utf8'));
        all.push(...parsed.checkpoints);
        unreadable += parsed.unreadable;
      }
      return { checkpoints: all, unreadable };
    },
  };
}
