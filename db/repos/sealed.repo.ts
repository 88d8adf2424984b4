import { type Executor, nowIso, toBuffer } from './executor';

export interface SealedDocument {
  id: string;
  signoffId: string;
  documentId: string;
  version: number;
  agreedSha256: string;
  sealedSha256: string;
  /** the manifest embedded in the PDF, as the JSON text it was sealed with */
  manifest: string;
  createdAt: string;
}

const META_COLUMNS = ['id', 'signoff_id', 'document_id', 'version', 'agreed_sha256', 'sealed_sha256', 'manifest', 'created_at'];

/** Sealed PDFs (agreed document + certificate of completion), one per completed sign-off round. */
export function createSealedRepo() {
  return {
    /**
     * The audit chain head (sequence and hash) as the caller's transaction sees it: a seal writes
     * it into its manifest, anchoring the log up to that event in the sealed PDF.
     */
    async auditHead(db: Executor): Promise<{ seq: number; hash: string } | null> {
      const r = await db('audit_head').where({ id: 1 }).first('seq', 'hash');
      return r ? { seq: Number(r.seq), hash: String(r.hash) } : null;
    },
    async insert(db: Executor, s: Omit<SealedDocument, 'createdAt'> & { pdf: Buffer }): Promise<SealedDocument> {
      const createdAt = nowIso();
      await db('sealed_documents').insert({
        id: s.id,
        signoff_id: s.signoffId,
        document_id: s.documentId,
        version: s.version,
        agreed_sha256: s.agreedSha256,
        sealed_sha256: s.sealedSha256,
        pdf: s.pdf,
        manifest: s.manifest,
        created_at: createdAt,
      });
      const { pdf: _pdf, ...meta } = s;
      return { ...meta, createdAt };
    },
    async get(db: Executor, id: string): Promise<SealedDocument | null> {
      const r = await db('sealed_documents').where({ id }).first(META_COLUMNS);
      return r ? fromRow(r) : null;
    },
    async bySignoff(db: Executor, signoffId: string): Promise<SealedDocument | null> {
      const r = await db('sealed_documents').where({ signoff_id: signoffId }).first(META_COLUMNS);
      return r ? fromRow(r) : null;
    },
    async bySealedSha256(db: Executor, sealedSha256: string): Promise<SealedDocument | null> {
      const r = await db('sealed_documents').where({ sealed_sha256: sealedSha256 }).first(META_COLUMNS);
      return r ? fromRow(r) : null;
    },
    async byDocument(db: Executor, documentId: string, version: number): Promise<SealedDocument[]> {
      const rows = await db('sealed_documents').where({ document_id: documentId, version }).orderBy('created_at').select(META_COLUMNS);
      return rows.map(fromRow);
    },
    /** Sealed documents of one stage of a network, oldest first. */
    async listForStage(db: Executor, networkId: string, stageKey: string): Promise<SealedDocument[]> {
      const rows = await db('sealed_documents as s')
        .join('signoffs as o', 'o.id', 's.signoff_id')
        .where({ 'o.network_id': networkId, 'o.stage_key': stageKey })
        .orderBy([{ column: 's.version' }, { column: 's.created_at' }])
        .select(META_COLUMNS.map((c) => `s.${c}`));
      return rows.map(fromRow);
    },
    async pdf(db: Executor, id: string): Promise<Buffer | null> {
      const r = await db('sealed_documents').where({ id }).first('pdf');
      return r ? toBuffer(r.pdf) : null;
    },
  };
}

function fromRow(r: Record<string, unknown>): SealedDocument {
  return {
    id: String(r.id),
    signoffId: String(r.signoff_id),
    documentId: String(r.document_id),
    version: Number(r.version),
    agreedSha256: String(r.agreed_sha256),
    sealedSha256: String(r.sealed_sha256),
    manifest: String(r.manifest),
    createdAt: String(r.created_at),
  };
}

export type SealedRepo = ReturnType<typeof createSealedRepo>;
