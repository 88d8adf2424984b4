import crypto from 'node:crypto';
import { type Executor, nowIso } from './executor';

export type StaffRole = 'facilitator' | 'commissioner';

export interface ApiToken { id: string; name: string; role: StaffRole; createdAt: string; expiresAt: string | null; revokedAt: string | null }
export interface ActionToken {
  id: string;
  kind: 'sign';
  personId: string;
  subjectId: string;
  documentId: string | null;
  documentVersion: number | null;
  workflowId: string;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
}

/** 256 random bits, URL-safe. Only the SHA-256 of a token is ever stored. */
export function newTokenSecret(): string {
  return crypto.randomBytes(32).toString('base64url');
}

export function hashToken(secret: string): string {
  return crypto.createHash('sha256').update(secret).digest('hex');
}

/** Staff API tokens and single-purpose action tokens (links in emails). */
export function createTokensRepo() {
  return {
    async insertApiToken(db: Executor, t: { id: string; secret: string; name: string; role: StaffRole; expiresAt?: string | null }): Promise<void> {
      await db('api_tokens').insert({ id: t.id, token_hash: hashToken(t.secret), name: t.name, role: t.role, created_at: nowIso(), expires_at: t.expiresAt ?? null });
    },
    async apiTokenBySecret(db: Executor, secret: string): Promise<ApiToken | null> {
      const r = await db('api_tokens').where({ token_hash: hashToken(secret) }).first();
      if (!r) return null;
      return { id: r.id, name: r.name, role: r.role, createdAt: r.created_at, expiresAt: r.expires_at ?? null, revokedAt: r.revoked_at ?? null };
    },
    async countApiTokens(db: Executor): Promise<number> {
      const r = await db('api_tokens').count({ n: '*' }).first();
      return Number(r?.n ?? 0);
    },
    async insertActionToken(db: Executor, t: Omit<ActionToken, 'createdAt' | 'usedAt'> & { secret: string }): Promise<void> {
      await db('action_tokens').insert({
        id: t.id,
        token_hash: hashToken(t.secret),
        kind: t.kind,
        person_id: t.personId,
        subject_id: t.subjectId,
        document_id: t.documentId,
        document_version: t.documentVersion,
        workflow_id: t.workflowId,
        created_at: nowIso(),
        expires_at: t.expiresAt,
      });
    },
    async actionTokenBySecret(db: Executor, secret: string): Promise<ActionToken | null> {
      const r = await db('action_tokens').where({ token_hash: hashToken(secret) }).first();
      if (!r) return null;
      return {
        id: r.id,
        kind: r.kind,
        personId: r.person_id,
        subjectId: r.subject_id,
        documentId: r.document_id ?? null,
        documentVersion: r.document_version == null ? null : Number(r.document_version),
        workflowId: r.workflow_id,
        createdAt: r.created_at,
        expiresAt: r.expires_at,
        usedAt: r.used_at ?? null,
      };
    },
    async markActionTokenUsed(db: Executor, subjectId: string, personId: string): Promise<void> {
      await db('action_tokens').where({ subject_id: subjectId, person_id: personId }).whereNull('used_at').update({ used_at: nowIso() });
    },
  };
}

export type TokensRepo = ReturnType<typeof createTokensRepo>;
