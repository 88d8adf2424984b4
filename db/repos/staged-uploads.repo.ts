import crypto from 'node:crypto';
import { type Executor, nowIso } from './executor';

/** What a staged upload is: a CSV of networks, or a candidate version of a template. */
export type StagedKind = 'network-csv' | 'template';

/** How long a parsed upload waits for its confirmation. */
export const STAGED_UPLOAD_MINUTES = 30;

/**
 * Uploads parsed and checked but not yet confirmed, kept in the database (not in a process's
 * memory) so the confirmation may reach any server process. Each belongs to the person who
 * uploaded it and to one programme, and is taken once.
 */
export function createStagedUploadsRepo() {
  return {
    async insert(
      db: Executor,
      input: { kind: StagedKind; programmeId: string; personId: string; payload: unknown },
    ): Promise<{ id: string; expiresAt: string }> {
      const now = Date.now();
      // expired uploads of anyone go as new ones come: nothing else ever reads them
      await db('staged_uploads').where('expires_at', '<=', new Date(now).toISOString()).delete();
      const id = crypto.randomBytes(18).toString('base64url');
      const expiresAt = new Date(now + STAGED_UPLOAD_MINUTES * 60_000).toISOString();
      await db('staged_uploads').insert({
        id,
        kind: input.kind,
        programme_id: input.programmeId,
        person_id: input.personId,
        payload: JSON.stringify(input.payload),
        created_at: nowIso(),
        expires_at: expiresAt,
      });
      return { id, expiresAt };
    },

    /** The payload of a live upload of this kind, programme and person; null for any other. */
    async get(db: Executor, id: string, owner: { kind: StagedKind; programmeId: string; personId: string }): Promise<unknown> {
      const row = await db('staged_uploads')
        .where({ id, kind: owner.kind, programme_id: owner.programmeId, person_id: owner.personId })
        .where('expires_at', '>', nowIso())
        .first();
      return row ? JSON.parse(String(row.payload)) : null;
    },

    /** Uses an upload up: true when this call removed it (so two confirmations cannot both act). */
    async take(db: Executor, id: string): Promise<boolean> {
      return (await db('staged_uploads').where({ id }).delete()) === 1;
    },
  };
}

export type StagedUploadsRepo = ReturnType<typeof createStagedUploadsRepo>;
