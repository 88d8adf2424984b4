import crypto from 'node:crypto';

/**
 * The cryptography of the audit chain, with no database in it, so the server, the offline
 * verifier (`npm run verify-evidence`) and tests compute exactly the same thing.
 *
 * Each row has a digest (SHA-256 of its canonical content) and a link: HMAC-SHA-256 under the
 * evidence key over the previous link and the digest. Someone who can write the database but does
 * not hold the key cannot produce a valid link, so a changed, inserted or recomputed row breaks
 * the chain. The digest is separate from the link so an evidence pack can carry other networks'
 * rows as digests only: the chain still checks end to end without showing their content.
 */

export const GENESIS = '0'.repeat(64);

/** The fields of an audit row that its digest covers (type is inside data). */
export interface ChainRowContent {
  seq: number;
  id: string;
  at: string;
  actor: string;
  networkId: string | null;
  data: unknown;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** JSON with keys sorted at every level: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function canonical(row: ChainRowContent): string {
  return JSON.stringify([row.seq, row.id, row.at, row.actor, row.networkId, sortKeys(row.data)]);
}

/** SHA-256 of a row's canonical content. */
export function rowDigest(row: ChainRowContent): string {
  return crypto.createHash('sha256').update(canonical(row)).digest('hex');
}

/**
 * The link of the chain before it was keyed: plain SHA-256 over the previous hash and the row.
 * Kept to re-key old rows once (and to show, in tests, that a chain recomputed this way is caught).
 */
export function legacyLinkHash(prevHash: string, row: ChainRowContent): string {
  return crypto.createHash('sha256').update(prevHash).update('\n').update(canonical(row)).digest('hex');
}

/**
 * The evidence key and the keys derived from it. The secret itself never goes into the database;
 * only its id (a one-way fingerprint) does, so a process started with another key is refused.
 */
export interface EvidenceKey {
  /** 16 hex characters identifying the key without revealing it */
  id: string;
  link(prevHash: string, digest: string): string;
  checkpointMac(line: { keyId: string; seq: number; hash: string; at: string }): string;
  /** MAC of an evidence pack's manifest */
  packMac(bytes: Buffer | string): string;
}

function subkey(secret: Buffer, label: string): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', secret, Buffer.alloc(0), `formwork ${label}`, 32));
}

/** Builds the evidence key from its secret (EVIDENCE_KEY, or the key file). */
export function evidenceKey(secret: string | Buffer): EvidenceKey {
  const raw = Buffer.isBuffer(secret) ? secret : Buffer.from(secret.trim(), 'utf8');
  if (raw.length < 32) throw new Error('The evidence key must be at least 32 bytes.');
  const linkKey = subkey(raw, 'audit link');
  const checkpointKey = subkey(raw, 'audit checkpoint');
  const packKey = subkey(raw, 'evidence pack');
  const id = subkey(raw, 'key id').toString('hex').slice(0, 16);
  const hmac = (key: Buffer, text: string | Buffer) => crypto.createHmac('sha256', key).update(text).digest('hex');
  return {
    id,
    link: (prevHash, digest) => hmac(linkKey, `${prevHash}\n${digest}`),
    checkpointMac: (l) => hmac(checkpointKey, `${l.keyId}\n${l.seq}\n${l.hash}\n${l.at}`),
    packMac: (bytes) => hmac(packKey, bytes),
  };
}

/** Constant-time comparison of two hex strings. */
export function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

/** One line of the checkpoint file: the chain head just after a commit, MACed with the evidence key. */
export interface Checkpoint {
  keyId: string;
  seq: number;
  hash: string;
  at: string;
  mac: string;
}

export function makeCheckpoint(key: EvidenceKey, seq: number, hash: string, at: string): Checkpoint {
  const line = { keyId: key.id, seq, hash, at };
  return { ...line, mac: key.checkpointMac(line) };
}

export function checkpointIsAuthentic(key: EvidenceKey, c: Checkpoint): boolean {
  return c.keyId === key.id && sameHex(key.checkpointMac(c), c.mac);
}

/** Why the chain does not hold. A closed set, so scripts can branch on it. */
export const CHAIN_PROBLEM_CODES = [
  'wrong-key',
  'sequence-gap',
  'link-mismatch',
  'type-mismatch',
  'head-mismatch',
  'truncated',
  'checkpoint-mismatch',
  'checkpoint-forged',
  'no-checkpoint',
] as const;
export type ChainProblemCode = (typeof CHAIN_PROBLEM_CODES)[number];

export interface ChainProblem {
  code: ChainProblemCode;
  seq?: number;
  message: string;
}

/**
 * A row as the verifier sees it: in full (digest computed here) or, in an evidence pack, another
 * network's row reduced to its digest.
 */
export type VerifiableRow =
  (ChainRowContent & { type?: string; prevHash: string; hash: string }) | { seq: number; digest: string; prevHash: string; hash: string };

export interface ChainReport {
  valid: boolean;
  /** rows whose link was checked before the first problem in the chain itself */
  checked: number;
  firstBrokenSeq?: number;
  problems: ChainProblem[];
}

/**
 * Re-computes links from `start` (the previous link of the first row; the genesis value for a
 * whole chain) and reports the first row that breaks it. A broken link is reported once: every
 * later link depends on it, so listing them would say nothing new.
 */
export function verifyLinks(key: EvidenceKey, rows: VerifiableRow[], start: { prevHash: string; seq: number }): ChainReport {
  const problems: ChainProblem[] = [];
  let prev = start.prevHash;
  let expectedSeq = start.seq;
  let checked = 0;
  for (const row of rows) {
    if (row.seq !== expectedSeq) {
      problems.push({ code: 'sequence-gap', seq: expectedSeq, message: `Audit event ${expectedSeq} is missing: the next row is ${row.seq}.` });
      return { valid: false, checked, firstBrokenSeq: row.seq, problems };
    }
    const full = 'data' in row;
    if (full && row.type !== undefined && (row.data as { type?: unknown })?.type !== row.type) {
      problems.push({ code: 'type-mismatch', seq: row.seq, message: `Audit event ${row.seq} says it is of type ${row.type} but its data is of another type.` });
      return { valid: false, checked, firstBrokenSeq: row.seq, problems };
    }
    const digest = full ? rowDigest(row) : row.digest;
    if (row.prevHash !== prev || !sameHex(key.link(prev, digest), row.hash)) {
      problems.push({
        code: 'link-mismatch',
        seq: row.seq,
        message: `Audit event ${row.seq} does not carry a valid link under the evidence key: it was changed, inserted, or the chain was recomputed without the key.`,
      });
      return { valid: false, checked, firstBrokenSeq: row.seq, problems };
    }
    prev = row.hash;
    expectedSeq += 1;
    checked += 1;
  }
  return { valid: true, checked, problems };
}

/**
 * Compares checkpoints (written outside the database after each commit) with the rows. A checkpoint
 * is only ever written after its row committed, so every authentic checkpoint must name a row that
 * is still there with the same link: a missing row means events were deleted, another link means
 * the row or the chain was rewritten.
 */
export function compareCheckpoints(
  key: EvidenceKey,
  read: { checkpoints: Checkpoint[]; unreadable: number },
  hashAt: (seq: number) => string | undefined,
  lastSeq: number,
): { latest: Checkpoint | null; problems: ChainProblem[] } {
  const problems: ChainProblem[] = [];
  let latest: Checkpoint | null = null;
  let forged = read.unreadable;
  let mismatched: Checkpoint | null = null;
  for (const c of read.checkpoints) {
    if (!checkpointIsAuthentic(key, c)) {
      forged += 1;
      continue;
    }
    if (!latest || c.seq > latest.seq) latest = c;
    const hash = hashAt(c.seq);
    if (hash !== undefined && !sameHex(hash, c.hash) && (!mismatched || c.seq < mismatched.seq)) mismatched = c;
  }
  if (forged > 0) {
    problems.push({
      code: 'checkpoint-forged',
      message: `${forged} checkpoint line(s) do not carry a valid MAC under the evidence key: the checkpoint file was edited.`,
    });
  }
  if (latest && latest.seq > lastSeq) {
    problems.push({
      code: 'truncated',
      seq: lastSeq + 1,
      message: `The checkpoint of ${latest.at} records audit event ${latest.seq}, but the table ends at ${lastSeq}: the newest events were deleted.`,
    });
  }
  if (mismatched) {
    problems.push({
      code: 'checkpoint-mismatch',
      seq: mismatched.seq,
      message: `Audit event ${mismatched.seq} does not have the link its checkpoint of ${mismatched.at} recorded: the chain was rewritten from there on.`,
    });
  }
  return { latest, problems };
}
