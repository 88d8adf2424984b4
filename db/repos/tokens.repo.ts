import crypto from 'node:crypto';
import { type Executor, nowIso } from './executor';

export type StaffRole = 'facilitator' | 'commissioner';

export interface ApiToken { id: string; name: string; role: StaffRole; email: string | null; createdAt: string; expiresAt: string | null; revokedAt: string | null }
export interface ActionToken {
  id: string;
  /** 'sign' for a signing request; other kinds are added by their features */
  kind: string;
  personId: string;
  subjectId: string;
  documentId: string | null;
  documentVersion: number | null;
  workflowId: string;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
  viewedAt: string | null;
}

/** 256 random bits, URL-safe. Only the SHA-256 of a token is ever stored. */
export function newTokenSecret(): string {
  return crypto.randomBytes(32).toString('base64url');
}

export function hashToken(secret: string): string {
  return crypto.createHash('sha256').update(secret).digest('hex');
}

function actionTokenFromRow(r: Record<string, unknown>): ActionToken {
  return {
    id: String(r.id),
    kind: String(r.kind),
    personId: String(r.person_id),
    subjectId: String(r.subject_id),
    documentId: (r.document_id as string | null) ?? null,
    documentVersion: r.document_version == null ? null : Number(r.document_version),
    workflowId: String(r.workflow_id),
    createdAt: String(r.created_at),
    expiresAt: String(r.expires_at),
    usedAt: (r.used_at as string | null) ?? null,
    viewedAt: (r.viewed_at as string | null) ?? null,
  };
}

/** Staff API tokens and single-purpose action tokens (links in emails). */
export function createTokensRepo() {
  return {
    async insertApiToken(db: Executor, t: { id: string; secret: string; name: string; role: StaffRole; email?: string | null; expiresAt?: string | null }): Promise<void> {
      await db('api_tokens').insert({ id: t.id, token_hash: hashToken(t.secret), name: t.name, role: t.role, email: t.email ?? null, created_at: nowIso(), expires_at: t.expiresAt ?? null });
    },
    /** Where facilitators are told about declines, expiries and escalations. */
    async facilitatorEmails(db: Executor): Promise<string[]> {
      const rows = await db('api_tokens').where({ role: 'facilitator' }).whereNull('revoked_at').whereNotNull('email').distinct('email');
      return rows.map((r) => String(r.email));
    },
    async apiTokenBySecret(db: Executor, secret: string): Promise<ApiToken | null> {
      const r = await db('api_tokens').where({ token_hash: hashToken(secret) }).first();
      if (!r) return null;
      return { id: r.id, name: r.name, role: r.role, email: r.email ?? null, createdAt: r.created_at, expiresAt: r.expires_at ?? null, revokedAt: r.revoked_at ?? null };
    },
    async countApiTokens(db: Executor): Promise<number> {
      const r = await db('api_tokens').count({ n: '*' }).first();
      return Number(r?.n ?? 0);
    },
    async insertActionToken(db: Executor, t: Omit<ActionToken, 'createdAt' | 'usedAt' | 'viewedAt'> & { secret: string }): Promise<void> {
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
      return r ? actionTokenFromRow(r) : null;
    },
    /** Records the first time a link was opened; true when this call recorded it. */
    async markViewed(db: Executor, id: string): Promise<boolean> {
      return (await db('action_tokens').where({ id }).whereNull('viewed_at').update({ viewed_at: nowIso() })) > 0;
    },
    async extendForSubject(db: Executor, subjectId: string, expiresAt: string): Promise<void> {
      await db('action_tokens').where({ subject_id: subjectId }).whereNull('used_at').update({ expires_at: expiresAt });
    },
    /** Versions of a document type this person has opened a link for: "what changed since you last looked". */
    async viewedVersions(db: Executor, personId: string, documentIds: string[]): Promise<string[]> {
      if (documentIds.length === 0) return [];
      const rows = await db('action_tokens').where({ person_id: personId }).whereIn('document_id', documentIds).whereNotNull('viewed_at').distinct('document_id');
      return rows.map((r) => String(r.document_id));
    },
    async pendingForEmail(db: Executor, email: string): Promise<ActionToken[]> {
      const rows = await db('action_tokens')
        .join('people', 'people.id', 'action_tokens.person_id')
        .where('people.email', email.toLowerCase())
        .whereNull('action_tokens.used_at')
        .where('action_tokens.expires_at', '>', nowIso())
        .select('action_tokens.*');
      return rows.map(actionTokenFromRow);
    },
    async markActionTokenUsed(db: Executor, subjectId: string, personId: string): Promise<void> {
      await db('action_tokens').where({ subject_id: subjectId, person_id: personId }).whereNull('used_at').update({ used_at: nowIso() });
    },
    /** Marks the links of several people for one subject used, in one statement per 500. */
    async markActionTokensUsed(db: Executor, subjectId: string, personIds: readonly string[]): Promise<void> {
      for (let i = 0; i < personIds.length; i += 500) {
        await db('action_tokens').where({ subject_id: subjectId }).whereIn('person_id', personIds.slice(i, i + 500)).whereNull('used_at').update({ used_at: nowIso() });
      }
    },
  };
}

export type TokensRepo = ReturnType<typeof createTokensRepo>;
