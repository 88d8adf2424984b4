import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compareCheckpoints, evidenceKey, GENESIS, makeCheckpoint, rowDigest, verifyLinks } from '../../db/audit-chain';
import { parseCheckpointText } from '../../db/audit-checkpoints';

const key = evidenceKey(crypto.randomBytes(32));

function chain(n: number) {
  const rows = [];
  let prev = GENESIS;
  for (let seq = 1; seq <= n; seq++) {
    const content = {
      seq,
      id: `e${seq}`,
      at: '2026-12-01T10:00:00.000Z',
      actor: 'tester',
      networkId: seq % 2 ? 'n1' : 'n2',
      data: { type: 'programme.created', programmeId: `p${seq}`, name: `P${seq}` },
    };
    const hash = key.link(prev, rowDigest(content));
    rows.push({ ...content, type: 'programme.created', prevHash: prev, hash });
    prev = hash;
  }
  return rows;
}

describe('audit chain', () => {
  it('checks a stretch where other networks’ rows are digests only', () => {
    const rows = chain(6);
    const packed = rows.map((r) => (r.networkId === 'n1' ? r : { seq: r.seq, digest: rowDigest(r), prevHash: r.prevHash, hash: r.hash }));
    expect(verifyLinks(key, packed.slice(2), { seq: 3, prevHash: rows[1].hash })).toEqual({ valid: true, checked: 4, problems: [] });
    // a digest that does not belong to the row's content breaks the link
    const swapped = packed.map((r, i) => (i === 3 ? { ...r, digest: rowDigest(rows[0]) } : r));
    expect(verifyLinks(key, swapped, { seq: 1, prevHash: GENESIS })).toMatchObject({ valid: false, firstBrokenSeq: 4, problems: [{ code: 'link-mismatch' }] });
    // the key is what makes a link: the same rows under another key do not verify
    expect(verifyLinks(evidenceKey(crypto.randomBytes(32)), rows, { seq: 1, prevHash: GENESIS }).problems[0].code).toBe('link-mismatch');
  });

  it('refuses keys shorter than 32 bytes', () => {
    expect(() => evidenceKey('too short')).toThrow(/at least 32 bytes/);
  });

  it('takes the highest checkpoint, whatever order lines landed in, and counts forged ones', () => {
    const rows = chain(3);
    const lines = [makeCheckpoint(key, 3, rows[2].hash, 't3'), makeCheckpoint(key, 2, rows[1].hash, 't2')];
    const text = `${lines.map((l) => JSON.stringify(l)).join('\n')}\n${JSON.stringify({ ...lines[0], seq: 9 })}\n{"keyId":"x","seq":`;
    const read = parseCheckpointText(text);
    // a last line cut short by a crash is not counted as tampering
    expect(read).toMatchObject({ unreadable: 0 });
    expect(read.checkpoints).toHaveLength(3);
    const hashAt = (seq: number) => rows[seq - 1]?.hash;
    const result = compareCheckpoints(key, read, hashAt, 3);
    expect(result.latest?.seq).toBe(3);
    expect(result.problems.map((p) => p.code)).toEqual(['checkpoint-forged']);
    // a garbled line in the middle is
    expect(parseCheckpointText(`garbage\n${JSON.stringify(lines[0])}\n`).unreadable).toBe(1);
  });
});
