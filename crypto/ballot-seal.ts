import crypto from 'node:crypto';
import { aeadDecrypt, aeadEncrypt } from './aead';
import type { z } from 'zod';

/**
 * Ballot secrecy in transit and receipts. A secret ballot's choice (or an election's preferences)
 * is sealed by the server with the motion's or election's key before it travels to the workflow,
 * so workflow history never holds it in clear; the recording activity opens it. The key lives in
 * the database and is erased at the close, after which sealed ballots in history cannot be opened.
 */

/** A fresh 256-bit key for sealing the ballots of one motion or election. */
export function newBallotKey(): string {
  return crypto.randomBytes(32).toString('base64');
}

/** AES-256-GCM over a JSON payload; the output is `iv.tag.ciphertext`, base64url. */
export function sealBallot(key: string, payload: unknown): string {
  const { iv, tag, ciphertext } = aeadEncrypt(Buffer.from(key, 'base64'), Buffer.from(JSON.stringify(payload), 'utf8'));
  return [iv, tag, ciphertext].map((b) => b.toString('base64url')).join('.');
}

/** Opens a sealed ballot; throws if it was not sealed with this key or has been altered. */
export function openSealedBallot(key: string, sealed: string): unknown {
  const [iv, tag, ciphertext] = sealed.split('.').map((p) => Buffer.from(p, 'base64url'));
  return JSON.parse(aeadDecrypt(Buffer.from(key, 'base64'), { iv, tag, ciphertext }).toString('utf8'));
}

/** Opens a sealed ballot and checks its shape; null if it does not open with this key or is not that shape. */
export function openSealedBallotAs<T>(schema: z.ZodType<T>, key: string, sealed: string): T | null {
  let payload: unknown;
  try {
    payload = openSealedBallot(key, sealed);
  } catch {
    return null;
  }
  const parsed = schema.safeParse(payload);
  return parsed.success ? parsed.data : null;
}

/** The stored form of a receipt code: SHA-256 of the code, normalised as a person would type it. */
export function hashReceipt(code: string): string {
  return crypto.createHash('sha256').update(code.trim().toUpperCase()).digest('hex');
}

/** A receipt code a person can read out: 16 characters from an unambiguous alphabet, in groups. */
export function newReceiptCode(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = crypto.randomBytes(16);
  const chars = [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
  return chars.match(/.{4}/g)!.join('-');
}
