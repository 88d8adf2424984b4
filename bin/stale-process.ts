import fs from 'node:fs';

/**
 * A dev server left running by an earlier start that was killed with SIGKILL still holds its port
 * and its database file. Its pid is kept in a file; a stale one is stopped before starting again.
 */
export async function stopStaleProcess(pidFile: string, mustContain: string): Promise<boolean> {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
  } catch {
    return false;
  }
  if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid || pid === process.ppid) return false;
  let cmdline: string;
  try {
    cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return false;
  }
  if (!cmdline.includes(mustContain)) return false;
  const alive = () => {
    try {
      process.kill(pid, 0);
      return fs.existsSync(`/proc/${pid}`) && !/\(.*\)\s+Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  };
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100 && alive(); i++) await new Promise((r) => setTimeout(r, 100));
  if (alive()) process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 50 && alive(); i++) await new Promise((r) => setTimeout(r, 100));
  return true;
}
