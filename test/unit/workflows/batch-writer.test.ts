import { describe, expect, it } from 'vitest';
import { createBatchWriter } from '../../../workflows/batch-writer';

/** A write that records each batch it was given and finishes when the test says so. */
function recordingWrite() {
  const batches: number[][] = [];
  const finish: (() => void)[] = [];
  const write = (items: number[]) =>
    new Promise<string[]>((resolve) => {
      batches.push(items);
      finish.push(() => resolve(items.map((i) => `done ${i}`)));
    });
  return { batches, finish, write };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('batch writer (group commit for workflow code)', () => {
  it('writes items handed over together in one batch, and those arriving during a write in the next', async () => {
    const { batches, finish, write } = recordingWrite();
    const writeOne = createBatchWriter(write, { maxBatch: 100 });
    const first = [1, 2, 3].map((i) => writeOne(i));
    await tick();
    // one write carries all three: they were queued before the writer took its first batch
    expect(batches).toEqual([[1, 2, 3]]);
    const second = [4, 5].map((i) => writeOne(i));
    await tick();
    expect(batches).toHaveLength(1);
    finish[0]();
    expect(await Promise.all(first)).toEqual(['done 1', 'done 2', 'done 3']);
    await tick();
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
    finish[1]();
    expect(await Promise.all(second)).toEqual(['done 4', 'done 5']);
  });

  it('splits a queue longer than the largest batch, in order', async () => {
    const { batches, finish, write } = recordingWrite();
    const writeOne = createBatchWriter(write, { maxBatch: 2 });
    const all = [1, 2, 3, 4, 5].map((i) => writeOne(i));
    for (let n = 0; n < 3; n++) {
      await tick();
      finish[n]();
    }
    expect(await Promise.all(all)).toHaveLength(5);
    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('fails only the items of the batch whose write failed, and keeps writing later ones', async () => {
    let calls = 0;
    const writeOne = createBatchWriter(
      async (items: string[]) => {
        calls += 1;
        if (calls === 1) throw new Error('the database is unavailable');
        return items.map((i) => i.toUpperCase());
      },
      { maxBatch: 10 },
    );
    const failed = [writeOne('a'), writeOne('b')];
    await expect(Promise.all(failed)).rejects.toThrow('the database is unavailable');
    await expect(failed[1]).rejects.toThrow('the database is unavailable');
    expect(await writeOne('c')).toBe('C');
    expect(calls).toBe(2);
  });
});
