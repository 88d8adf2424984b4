import crypto from 'node:crypto';
import { type Executor, nowIso } from './executor';

/** How many wrong guesses a code survives. */
export const MAX_CODE_ATTEMPTS = 5;

function codeHash(tokenId: string, code: string): string {
  return crypto.createHash('sha256').update(`${tokenId}:${code}`).digest('hex');
}

/** One-time signing codes sent by email: stored hashed, bound to one action token, short-lived, few tries. */
export function createCodesRepo() {
  return {
    async issue(db: Executor, tokenId: string, ttlMinutes = 10): Promise<{ code: string; expiresAt: string }> {
      const code = String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');
      const expiresAt = new Date(Date.now() + ttlMinutes * 60_000).toISOString();
      await db('signing_codes').where({ token_id: tokenId }).whereNull('used_at').update({ used_at: nowIso() });
      await db('signing_codes').insert({ id: crypto.randomUUID(), token_id: tokenId, code_hash: codeHash(tokenId, code), created_at: nowIso(), expires_at: expiresAt });
      return { code, expiresAt };
    },
    /** Checks and consumes a code. */
    async consume(db: Executor, tokenId: string, code: string): Promise<'ok' | 'missing' | 'expired' | 'wrong' | 'locked'> {
      const row = await db('signing_codes').where({ token_id: tokenId }).whereNull('used_at').orderBy('created_at', 'desc').first();
      if (!row) return 'missing';
      if (Date.parse(row.expires_at) <= Date.now()) return 'expired';
      if (Number(row.attempts) >= MAX_CODE_ATTEMPTS) return 'locked';
      const a = Buffer.from(codeHash(tokenId, code));
      const b = Buffer.from(String(row.code_hash));
      if (a.length !== b.length || !crypto.timingSafeEqual(a, b)) {
        await db('signing_codes').where({ id: row.id }).increment('attempts', 1);
        return Number(row.attempts) + 1 >= MAX_CODE_ATTEMPTS ? 'locked' : 'wrong';
      }
      await db('signing_codes').where({ id: row.id }).update({ used_at: nowIso() });
      return 'ok';
    },
  };
}

export type CodesRepo = ReturnType<typeof createCodesRepo>;
