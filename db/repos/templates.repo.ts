import crypto from 'node:crypto';
import { type Executor, nowIso } from './executor';

export interface TemplateOverride { id: string; programmeId: string; documentType: string; version: number; source: string; createdBy: string; createdAt: string }

/** A programme's own versions of templates; the newest is used, and each document names the one that made it. */
export function createTemplatesRepo() {
  const fromRow = (r: Record<string, unknown>): TemplateOverride => ({
    id: String(r.id),
    programmeId: String(r.programme_id),
    documentType: String(r.document_type),
    version: Number(r.version),
    source: String(r.source),
    createdBy: String(r.created_by),
    createdAt: String(r.created_at),
  });
  return {
    async insert(db: Executor, t: { programmeId: string; documentType: string; source: string; createdBy: string }): Promise<TemplateOverride> {
      const latest = await db('template_overrides').where({ programme_id: t.programmeId, document_type: t.documentType }).max({ v: 'version' }).first();
      const row = { id: crypto.randomUUID(), programme_id: t.programmeId, document_type: t.documentType, version: Number(latest?.v ?? 0) + 1, source: t.source, created_by: t.createdBy, created_at: nowIso() };
      await db('template_overrides').insert(row);
      return fromRow(row);
    },
    async latest(db: Executor, programmeId: string, documentType: string): Promise<TemplateOverride | null> {
      const r = await db('template_overrides').where({ programme_id: programmeId, document_type: documentType }).orderBy('version', 'desc').first();
      return r ? fromRow(r) : null;
    },
    async list(db: Executor, programmeId: string): Promise<TemplateOverride[]> {
      return (await db('template_overrides').where({ programme_id: programmeId }).orderBy([{ column: 'document_type' }, { column: 'version' }])).map(fromRow);
    },
  };
}

export type TemplatesRepo = ReturnType<typeof createTemplatesRepo>;

/** The version label a document records for an override. */
export function overrideVersionLabel(t: Pick<TemplateOverride, 'programmeId' | 'documentType' | 'version'>): string {
  return `programme:${t.programmeId}:${t.documentType}@${t.version}`;
}
