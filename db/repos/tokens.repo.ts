import crypto from 'node:crypto';
import { type Executor, IN_CHUNK, insertRows, nowIso } from './executor';
import { createPersonsRepo } from './persons.repo';
import { memberFromRow } from './records.repo';

/** A personal API token. It carries its owner's powers as they are when it is used, never more. */
export interface ApiToken {
  id: string;
  personId: string;
  label: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

function apiTokenFromRow(r: Record<string, unknown>): ApiToken {
  return {
    id: String(r.id),
    personId: String(r.person_id),
    label: String(r.name),
    createdAt: String(r.created_at),
    expiresAt: (r.expires_at as string | null) ?? null,
    revokedAt: (r.revoked_at as string | null) ?? null,
    lastUsedAt: (r.last_used_at as string | null) ?? null,
  };
}

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

/** A link as `actionLinkBySecret` reads it. */
export interface ActionLinkRecord {
  token: ActionToken;
  /** the practice membership it was sent to; null for links sent outside the practices (dispute officers, panel members) */
  member: ReturnType<typeof memberFromRow> | null;
  /** the programme of the member's network asks for an emailed code beside a signing link */
  signingCodeByEmail: boolean;
  /** the status of the round a signing link serves */
  roundStatus: string | null;
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

/** Personal API tokens and single-purpose action tokens (links in emails). */
export function createTokensRepo() {
  const persons = createPersonsRepo();
  const repo = {
    async insertApiToken(db: Executor, t: { id: string; secret: string; personId: string; label: string; expiresAt?: string | null }): Promise<void> {
      await db('api_tokens').insert({
        id: t.id,
        token_hash: hashToken(t.secret),
        person_id: t.personId,
        name: t.label,
        created_at: nowIso(),
        expires_at: t.expiresAt ?? null,
      });
    },
    /**
     * Where facilitators are told about a network's declines, expiries and escalations: the
     * facilitators granted on its programme, and the administrator.
     */
    facilitatorEmails(db: Executor, networkId: string): Promise<string[]> {
      return persons.facilitatorEmails(db, networkId);
    },
    async apiTokenBySecret(db: Executor, secret: string): Promise<ApiToken | null> {
      const r = await db('api_tokens')
        .where({ token_hash: hashToken(secret) })
        .first();
      return r && r.person_id ? apiTokenFromRow(r) : null;
    },
    async getApiToken(db: Executor, id: string): Promise<ApiToken | null> {
      const r = await db('api_tokens').where({ id }).first();
      return r && r.person_id ? apiTokenFromRow(r) : null;
    },
    /** A person's tokens, newest first (never their secrets: only hashes are stored). */
    async apiTokensOf(db: Executor, personId: string): Promise<ApiToken[]> {
      return (
        await db('api_tokens')
          .where({ person_id: personId })
          .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id' }])
      ).map(apiTokenFromRow);
    },
    /** Revokes a token; true when this call revoked it. */
    async revokeApiToken(db: Executor, id: string): Promise<boolean> {
      return (await db('api_tokens').where({ id }).whereNull('revoked_at').update({ revoked_at: nowIso() })) > 0;
    },
    async revokeApiTokensOf(db: Executor, personId: string): Promise<number> {
      return db('api_tokens').where({ person_id: personId }).whereNull('revoked_at').update({ revoked_at: nowIso() });
    },
    /** Records use, at most once a minute per token. */
    async touchApiToken(db: Executor, id: string): Promise<void> {
      const cutoff = new Date(Date.now() - 60_000).toISOString();
      await db('api_tokens')
        .where({ id })
        .where((q) => q.whereNull('last_used_at').orWhere('last_used_at', '<', cutoff))
        .update({ last_used_at: nowIso() });
    },
    async countApiTokens(db: Executor): Promise<number> {
      const r = await db('api_tokens').count({ n: '*' }).first();
      return Number(r?.n ?? 0);
    },
    async insertActionToken(db: Executor, t: Omit<ActionToken, 'createdAt' | 'usedAt' | 'viewedAt'> & { secret: string }): Promise<void> {
      await repo.insertActionTokens(db, [t]);
    },
    async insertActionTokens(db: Executor, tokens: readonly (Omit<ActionToken, 'createdAt' | 'usedAt' | 'viewedAt'> & { secret: string })[]): Promise<void> {
      const at = nowIso();
      await insertRows(
        db,
        'action_tokens',
        tokens.map((t) => ({
          id: t.id,
          token_hash: hashToken(t.secret),
          kind: t.kind,
          person_id: t.personId,
          subject_id: t.subjectId,
          document_id: t.documentId,
          document_version: t.documentVersion,
          workflow_id: t.workflowId,
          created_at: at,
          expires_at: t.expiresAt,
        })),
      );
    },
    /** A new action token with a fresh id and secret; returns the secret (only its hash is stored). */
    async mintActionToken(db: Executor, t: Omit<ActionToken, 'id' | 'createdAt' | 'usedAt' | 'viewedAt'>): Promise<string> {
      const secret = newTokenSecret();
      await repo.insertActionToken(db, { ...t, id: crypto.randomUUID(), secret });
      return secret;
    },
    async actionTokenBySecret(db: Executor, secret: string): Promise<ActionToken | null> {
      const r = await db('action_tokens')
        .where({ token_hash: hashToken(secret) })
        .first();
      return r ? actionTokenFromRow(r) : null;
    },
    /**
     * A link and what resolving it reads besides, in one statement (every signature resolves one):
     * the membership it was sent to with its practice (links sent to a practice member), whether its
     * programme asks for an emailed code, and the status of its round (signing links).
     */
    async actionLinkBySecret(db: Executor, secret: string): Promise<ActionLinkRecord | null> {
      const r = await db('action_tokens as t')
        .leftJoin('people as p', 'p.id', 't.person_id')
        .leftJoin('practices as pr', 'pr.id', 'p.practice_id')
        .leftJoin('networks as n', 'n.id', 'pr.network_id')
        .leftJoin('programmes as g', 'g.id', 'n.programme_id')
        .leftJoin('signoffs as s', function () {
          this.on('s.id', 't.subject_id').andOnVal('t.kind', '=', 'sign');
        })
        .where('t.token_hash', hashToken(secret))
        .first(
          't.*',
          'p.id as member_id',
          'p.practice_id as member_practice_id',
          'p.name as member_name',
          'p.email as member_email',
          'p.roles as member_roles',
          'p.person_id as member_person_id',
          'p.removed_at as member_removed_at',
          'pr.name as member_practice_name',
          'pr.network_id as member_network_id',
          'g.signing_code_by_email as signing_code_by_email',
          's.status as round_status',
        );
      if (!r) return null;
      const member =
        r.member_id == null
          ? null
          : memberFromRow(
              Object.fromEntries(
                Object.entries(r)
                  .filter(([k]) => k.startsWith('member_'))
                  .map(([k, v]) => [k.slice(7), v]),
              ),
            );
      return {
        token: actionTokenFromRow(r),
        member,
        signingCodeByEmail: Boolean(r.signing_code_by_email),
        roundStatus: r.round_status == null ? null : String(r.round_status),
      };
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
      const rows = await db('action_tokens')
        .where({ person_id: personId })
        .whereIn('document_id', documentIds)
        .whereNotNull('viewed_at')
        .distinct('document_id');
      return rows.map((r) => String(r.document_id));
    },
    /**
     * Unused, unexpired action links sent to any membership of this person (persons.id), and the
     * score links sent to them as a panel member (a panel seat is matched to the person by email).
     */
    async pendingForPerson(db: Executor, personId: string): Promise<ActionToken[]> {
      const now = nowIso();
      const asMember = await db('action_tokens')
        .join('people', 'people.id', 'action_tokens.person_id')
        .where('people.person_id', personId)
        .whereNull('action_tokens.used_at')
        .where('action_tokens.expires_at', '>', now)
        .select('action_tokens.*');
      const asPanelMember = await db('action_tokens')
        .join('panel_members', 'panel_members.id', 'action_tokens.person_id')
        .join('persons', 'persons.email', 'panel_members.email')
        .where({ 'persons.id': personId, 'action_tokens.kind': 'score' })
        .whereNull('action_tokens.used_at')
        .where('action_tokens.expires_at', '>', now)
        .select('action_tokens.*');
      return [...asMember, ...asPanelMember].map(actionTokenFromRow).sort((a, b) => a.expiresAt.localeCompare(b.expiresAt) || a.id.localeCompare(b.id));
    },
    async markActionTokenUsed(db: Executor, subjectId: string, personId: string): Promise<void> {
      await db('action_tokens').where({ subject_id: subjectId, person_id: personId }).whereNull('used_at').update({ used_at: nowIso() });
    },
    /** Marks the links of several people for one subject used, in one statement per 500. */
    async markActionTokensUsed(db: Executor, subjectId: string, personIds: readonly string[]): Promise<void> {
      for (let i = 0; i < personIds.length; i += IN_CHUNK) {
        await db('action_tokens')
          .where({ subject_id: subjectId })
          .whereIn('person_id', personIds.slice(i, i + IN_CHUNK))
          .whereNull('used_at')
          .update({ used_at: nowIso() });
      }
    },
  };
  return repo;
}

export type TokensRepo = ReturnType<typeof createTokensRepo>;
