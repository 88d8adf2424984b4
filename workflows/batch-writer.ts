/**
 * Group commit for workflow code: callers hand over one item each and wait; one write at a time
 * takes every item waiting (up to `maxBatch`) and writes them together. Items that arrive while a
 * write runs go together in the next one, so a burst of N callers costs a few writes, not N.
 *
 * Plain promises only, so it is deterministic inside a workflow: the first write starts after the
 * current activation's handlers have queued their items (they run synchronously, before any
 * continuation), and a batch is the same on replay as it was when it ran. The server uses it too,
 * to send the signatures arriving for one round together (server/services/sign-sender.ts).
 */

/**
 * Returns `write(item)`, which settles with the item's own result or with the error of the write
 * that carried it. `writeBatch` gets the items in the order they were handed over and answers with
 * one result per item, in the same order; if it throws, every item of that batch gets the error.
 */
export function createBatchWriter<T, R>(writeBatch: (items: T[]) => Promise<R[]>, opts: { maxBatch: number }): (item: T) => Promise<R> {
  const queued: { item: T; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  let writing = false;

  async function drain(): Promise<void> {
    writing = true;
    try {
      // let the rest of this activation queue its items before the first batch is taken
      await Promise.resolve();
      while (queued.length) {
        const batch = queued.splice(0, opts.maxBatch);
        try {
          const results = await writeBatch(batch.map((b) => b.item));
          batch.forEach((b, i) => b.resolve(results[i]));
        } catch (err) {
          for (const b of batch) b.reject(err);
        }
      }
    } finally {
      writing = false;
    }
  }

  return (item) =>
    new Promise<R>((resolve, reject) => {
      queued.push({ item, resolve, reject });
      if (!writing) void drain();
    });
}
