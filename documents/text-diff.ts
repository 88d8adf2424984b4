import { diffLines } from 'diff';

export interface DiffPart {
  op: 'equal' | 'insert' | 'delete';
  text: string;
}

/**
 * Line diff of two versions of a document's Markdown, in order: what stayed, what was removed from
 * `a`, what was added in `b`. Joining the `equal` and `delete` parts gives `a` back; joining the
 * `equal` and `insert` parts gives `b`.
 */
export function textDiff(a: string, b: string): DiffPart[] {
  return diffLines(a, b).map((change) => ({
    op: change.added ? 'insert' : change.removed ? 'delete' : 'equal',
    text: change.value,
  }));
}
