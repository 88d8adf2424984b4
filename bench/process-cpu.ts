/**
 * CPU time used by a process tree, read from /proc (Linux), so a benchmark can say which process a
 * burst of work cost and how much, beside wall-clock latencies that a shared machine makes noisy.
 */
import fs from 'node:fs';
import { descendants } from '../test/support/processes';

const TICKS_PER_SECOND = 100;

/** Milliseconds of CPU (user + system) per process of the tree, keyed by a short label. */
export function treeCpuMs(rootPid: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const pid of [rootPid, ...descendants(rootPid).map((d) => d.pid)]) {
    let stat: string;
    let cmdline: string;
    try {
      stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      continue;
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of /proc/<pid>/stat; the slice above starts at field 3
    const ms = ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
    // the Temporal dev server, or Formwork (the launcher and the process running server and worker)
    const label = /\btemporal\b.*\bstart-dev\b/.test(cmdline) ? 'temporal' : /bin\/start\.ts/.test(cmdline) ? 'formwork' : 'other';
    out[label] = (out[label] ?? 0) + ms;
  }
  return out;
}

/** The CPU each labelled process used between two readings. */
export function cpuBetween(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.keys(after).map((k) => [k, Math.round(after[k] - (before[k] ?? 0))]));
}
