import crypto from 'node:crypto';
import { type Executor, nowIso } from './executor';

/** A programme's version of a template; `builtin` marks a version that went back to the built-in one (its source is empty). */
export interface TemplateOverride {
  id: string;
  programmeId: string;
  documentType: string;
  version: number;
  source: string;
  builtin: boolean;
  createdBy: string;
  createdAt: string;
}

/**
 * A programme's own versions of templates; the newest is used (unless it says "back to the built-in
 * one"), and each document names the version that made it.
 */
export function createTemplatesRepo() {
  const fromRow = (r: Record<string, unknown>): TemplateOverride => ({
    id: String(r.id),
    programmeId: String(r.programme_id),
    documentType: String(r.document_type),
    version: Number(r.version),
    source: String(r.source),
    builtin: Boolean(r.builtin),
    createdBy: String(r.created_by),
    createdAt: String(r.created_at),
  });
  return {
    async insert(
      db: Executor,
      t: { programmeId: string; documentType: string; source: string; createdBy: string; builtin?: boolean },
    ): Promise<TemplateOverride> {
      const latest = await db('template_overrides').where({ programme_id: t.programmeId, document_type: t.documentType }).max({ v: 'version' }).first();
      const row = {
        id: crypto.randomUUID(),
        programme_id: t.programmeId,
        document_type: t.documentType,
        version: Number(latest?.v ?? 0) + 1,
        source: t.builtin ? '' : t.source,
        builtin: t.builtin ?? false,
        created_by: t.createdBy,
        created_at: nowIso(),
      };
      await db('template_overrides').insert(row);
      return fromRow(row);
    },
    /** The programme's version in use; null when it uses the built-in one (never overridden, or gone back to it). */
    async latest(db: Executor, programmeId: string, documentType: string): Promise<TemplateOverride | null> {
      const r = await db('template_overrides').where({ programme_id: programmeId, document_type: documentType }).orderBy('version', 'desc').first();
      return r && !r.builtin ? fromRow(r) : null;
    },
    async list(db: Executor, programmeId: string): Promise<TemplateOverride[]> {
      return (
        await db('template_overrides')
          .where({ programme_id: programmeId })
          .orderBy([{ column: 'document_type' }, { column: 'version' }])
      ).map(fromRow);
    },
  };
}

export type TemplatesRepo = ReturnType<typeof createTemplatesRepo>;

/** The version label a document records for an override. */
export function overrideVersionLabel(t: Pick<TemplateOverride, 'programmeId' | 'documentType' | 'version'>): string {
  return `programme:${t.programmeId}:${t.documentType}@${t.version}`;
}
