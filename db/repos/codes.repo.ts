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
      await db('signing_codes').insert({
        id: crypto.randomUUID(),
        token_id: tokenId,
        code_hash: codeHash(tokenId, code),
        created_at: nowIso(),
        expires_at: expiresAt,
      });
      return { code, expiresAt };
    },
    /**
     * Checks and consumes a code. Each guess first takes one of the code's attempts with a
     * conditional update (`attempts < MAX`), so however many guesses arrive at once, no more than
     * MAX are ever compared; the right code after that is refused too.
     */
    async consume(db: Executor, tokenId: string, code: string): Promise<'ok' | 'missing' | 'expired' | 'wrong' | 'locked'> {
      const row = await db('signing_codes').where({ token_id: tokenId }).whereNull('used_at').orderBy('created_at', 'desc').first();
      if (!row) return 'missing';
      if (Date.parse(row.expires_at) <= Date.now()) return 'expired';
      const taken = await db('signing_codes').where({ id: row.id }).whereNull('used_at').where('attempts', '<', MAX_CODE_ATTEMPTS).increment('attempts', 1);
      if (taken === 0) {
        const now = await db('signing_codes').where({ id: row.id }).first();
        return now?.used_at ? 'missing' : 'locked';
      }
      const a = Buffer.from(codeHash(tokenId, code));
      const b = Buffer.from(String(row.code_hash));
      if (a.length !== b.length || !crypto.timingSafeEqual(a, b)) {
        const after = await db('signing_codes').where({ id: row.id }).first();
        return Number(after?.attempts ?? MAX_CODE_ATTEMPTS) >= MAX_CODE_ATTEMPTS ? 'locked' : 'wrong';
      }
      // the right code is used once: of two right guesses at once, one wins
      const used = await db('signing_codes').where({ id: row.id }).whereNull('used_at').update({ used_at: nowIso() });
      return used > 0 ? 'ok' : 'missing';
    },
  };
}

export type CodesRepo = ReturnType<typeof createCodesRepo>;
