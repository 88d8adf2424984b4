import { type Executor, nowIso, toBuffer } from './executor';

export interface DocumentMeta {
  id: string;
  networkId: string;
  stageKey: string | null;
  type: string;
  version: number;
  title: string;
  status: string;
  templateVersion: string;
  sha256Pdf: string;
  sha256Docx: string;
  createdAt: string;
}

export interface NewDocument extends Omit<DocumentMeta, 'createdAt'> {
  pdf: Buffer;
  docx: Buffer;
  markdown: string;
  html: string;
  idempotencyKey: string;
}

const META_COLUMNS = ['id', 'network_id', 'stage_key', 'type', 'version', 'title', 'status', 'template_version', 'sha256_pdf', 'sha256_docx', 'created_at'];

/** Immutable document versions: bytes, hashes and the markdown they were rendered from. */
export function createDocumentsRepo() {
  return {
    async insert(db: Executor, d: NewDocument): Promise<DocumentMeta> {
      const createdAt = nowIso();
      await db('documents').insert({
        id: d.id,
        network_id: d.networkId,
        stage_key: d.stageKey,
        type: d.type,
        version: d.version,
        title: d.title,
        status: d.status,
        template_version: d.templateVersion,
        sha256_pdf: d.sha256Pdf,
        sha256_docx: d.sha256Docx,
        pdf: d.pdf,
        docx: d.docx,
        markdown: d.markdown,
        html: d.html,
        idempotency_key: d.idempotencyKey,
        created_at: createdAt,
      });
      return {
        id: d.id,
        networkId: d.networkId,
        stageKey: d.stageKey,
        type: d.type,
        version: d.version,
        title: d.title,
        status: d.status,
        templateVersion: d.templateVersion,
        sha256Pdf: d.sha256Pdf,
        sha256Docx: d.sha256Docx,
        createdAt,
      };
    },
    async byIdempotencyKey(db: Executor, key: string): Promise<DocumentMeta | null> {
      const r = await db('documents').where({ idempotency_key: key }).first(META_COLUMNS);
      return r ? fromRow(r) : null;
    },
    async get(db: Executor, id: string): Promise<DocumentMeta | null> {
      const r = await db('documents').where({ id }).first(META_COLUMNS);
      return r ? fromRow(r) : null;
    },
    async file(db: Executor, id: string, kind: 'pdf' | 'docx'): Promise<Buffer | null> {
      const r = await db('documents').where({ id }).first(kind);
      return r ? toBuffer(r[kind]) : null;
    },
    async text(db: Executor, id: string): Promise<{ markdown: string; html: string } | null> {
      const r = await db('documents').where({ id }).first('markdown', 'html');
      return r ? { markdown: String(r.markdown), html: String(r.html) } : null;
    },
    async versions(db: Executor, networkId: string, type: string): Promise<DocumentMeta[]> {
      const rows = await db('documents').where({ network_id: networkId, type }).orderBy('version').select(META_COLUMNS);
      return rows.map(fromRow);
    },
    async latestVersion(db: Executor, networkId: string, type: string): Promise<number> {
      const r = await db('documents').where({ network_id: networkId, type }).max({ v: 'version' }).first();
      return Number(r?.v ?? 0);
    },
    async setStatus(db: Executor, id: string, status: string): Promise<void> {
      await db('documents').where({ id }).update({ status });
    },
    async listForNetwork(db: Executor, networkId: string): Promise<DocumentMeta[]> {
      const rows = await db('documents')
        .where({ network_id: networkId })
        .orderBy([{ column: 'type' }, { column: 'version' }])
        .select(META_COLUMNS);
      return rows.map(fromRow);
    },
  };
}

function fromRow(r: Record<string, unknown>): DocumentMeta {
  return {
    id: String(r.id),
    networkId: String(r.network_id),
    stageKey: (r.stage_key as string | null) ?? null,
    type: String(r.type),
    version: Number(r.version),
    title: String(r.title),
    status: String(r.status),
    templateVersion: String(r.template_version),
    sha256Pdf: String(r.sha256_pdf),
    sha256Docx: String(r.sha256_docx),
    createdAt: String(r.created_at),
  };
}

export type DocumentsRepo = ReturnType<typeof createDocumentsRepo>;
