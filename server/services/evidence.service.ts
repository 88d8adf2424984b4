import JSZip from 'jszip';
import type { Knex } from 'knex';
import { canonicalJson as canonicalText } from '../../db/audit-chain';
import type { Repos } from '../../db/repos';
import type { SealedDocument } from '../../db/repos/sealed.repo';
import { sha256 } from '../../documents/hash';
import { looksLikePdf, sealManifestSchema, type SealManifest } from '../../documents/seal';
import type { PdfInspection } from '../../documents/verify';
import { createVerifyThread, InspectionRefused, type VerifyThreadLimits } from '../../documents/verify-thread';
import { isStageKey, STAGES } from '../../domain/stages';
import { certificateFromManifest, renderCertificate } from '../../templates';
import { AppError } from '../errors';
import { disputeEvidence } from './dispute-evidence';

/** Where an evidence pack keeps its stretch of the audit chain. */
export const AUDIT_SEGMENT_PATH = 'audit/network-chain.json';

/** Why a PDF did not verify. A closed set, so scripts can branch on it. */
export type VerifyFailure =
  'not a PDF' | 'not sealed by Formwork' | 'altered after sealing' | 'unknown document' | 'does not match the sealing record' | 'signature not valid';

/** The PDF signature of a valid sealed PDF; null for seals made before sealed PDFs were signed. */
export type VerifiedSignature = {
  level: 'PAdES-B-B' | 'PAdES-B-T';
  signer: string;
  certificateSha256: string;
  timestampedAt: string | null;
} | null;

export type VerifyResult =
  | {
      valid: true;
      documentId: string;
      version: number;
      title: string;
      agreedSha256: string;
      sealedSha256: string;
      sealedAt: string;
      signedBy: { name: string; practice: string; capacity: string; signedAt: string }[];
      signature: VerifiedSignature;
    }
  | { valid: false; reason: VerifyFailure; documentId?: string; version?: number };

/** JSON with keys sorted at every level, so two manifests compare by content, not key order. */
function canonicalJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === 'object')
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
      );
    return v;
  };
  return JSON.stringify(sort(value));
}

function storedManifest(row: SealedDocument): SealManifest {
  return sealManifestSchema.parse(JSON.parse(row.manifest));
}

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'network'
  );
}

/**
 * Evidence of completed sign-offs: verifying a PDF against the sealed store, serving sealed PDFs to
 * staff and to signers holding a sealed-copy link, and a stage's evidence pack.
 */
export function createEvidenceService(deps: { db: Knex; repos: Repos; verifyLimits?: VerifyThreadLimits }) {
  const { db, repos } = deps;
  // PDFs from strangers are parsed on a thread of their own, with limits
  const inspector = createVerifyThread(deps.verifyLimits);

  return {
    /**
     * Valid only when the bytes are exactly a sealed PDF we stored (same SHA-256), the manifest they
     * carry is the one stored with it, and (for seals made since PDFs are signed) their PAdES
     * signature verifies over the whole file with the certificate the manifest names. One changed
     * byte anywhere makes the hash differ. The bytes are parsed on a worker thread with time and
     * memory limits; a file that exhausts them is not ours, unless its hash is a stored seal's (a
     * check cut short on a busy machine), which answers 503 to try again.
     */
    async verify(bytes: unknown): Promise<VerifyResult> {
      if (!Buffer.isBuffer(bytes) || bytes.length === 0) {
        throw new AppError('MALFORMED_REQUEST', 'Send the PDF itself as the request body (Content-Type: application/pdf).');
      }
      if (!looksLikePdf(bytes)) return { valid: false, reason: 'not a PDF' };
      const inspect = async (legacy: boolean): Promise<PdfInspection | null> => {
        try {
          return await inspector.inspect(bytes, { legacy });
        } catch (err) {
          if (err instanceof InspectionRefused && err.why === 'busy')
            throw new AppError('RATE_LIMITED', 'Too many PDFs are being verified at once; try again in a moment.');
          // A PDF we sealed never needs that much: over a limit, a stranger's file is not ours. But a busy
          // machine can stop the check of a genuine one, whose hash is in the store: never call that invalid.
          if (await repos.sealed.bySealedSha256(db, sha256(bytes)))
            throw new AppError('UNAVAILABLE', 'The check of this sealed PDF could not finish just now; try again in a moment.');
          return null;
        }
      };
      let inspection = await inspect(false);
      if (!inspection) return { valid: false, reason: 'not sealed by Formwork' };
      const stored = await repos.sealed.bySealedSha256(db, inspection.sha256);
      // a seal made before sealed PDFs were signed is read the old way, now that the bytes are known ours
      if (stored && !inspection.seal) inspection = (await inspect(true)) ?? inspection;
      const { seal, signature } = inspection;
      if (stored) {
        const manifest = storedManifest(stored);
        if (!seal || canonicalJson(seal.manifest) !== canonicalJson(manifest)) {
          return { valid: false, reason: 'does not match the sealing record', documentId: stored.documentId, version: stored.version };
        }
        let verified: VerifiedSignature = null;
        if (manifest.signature) {
          if (!signature.present || !signature.valid || signature.certificateSha256 !== manifest.signature.certificateSha256) {
            return { valid: false, reason: 'signature not valid', documentId: stored.documentId, version: stored.version };
          }
          verified = {
            level: signature.level,
            signer: signature.signer,
            certificateSha256: signature.certificateSha256,
            timestampedAt: signature.timestampedAt,
          };
        }
        return {
          valid: true,
          documentId: stored.documentId,
          version: stored.version,
          title: manifest.title,
          agreedSha256: stored.agreedSha256,
          sealedSha256: stored.sealedSha256,
          sealedAt: manifest.sealedAt,
          signedBy: manifest.signers.map((s) => ({ name: s.name, practice: s.practice, capacity: s.capacity, signedAt: s.signedAtUtc })),
          signature: verified,
        };
      }
      if (!seal) return { valid: false, reason: 'not sealed by Formwork' };
      const { documentId, version } = seal.manifest;
      const ours = await repos.sealed.byDocument(db, documentId, version);
      return { valid: false, reason: ours.length > 0 ? 'altered after sealing' : 'unknown document', documentId, version };
    },

    /** The sealed PDF, for staff or for the holder of a live sealed-copy link of that round. */
    async sealedPdf(id: string, access: { staff: boolean; token?: string }): Promise<{ sealed: SealedDocument; pdf: Buffer; fileName: string }> {
      if (!access.staff && !access.token)
        throw new AppError('UNAUTHENTICATED', 'Send a staff bearer token, or the token from your sealed-copy link (?token=).');
      const sealed = await repos.sealed.get(db, id);
      if (!access.staff) {
        const action = await repos.tokens.actionTokenBySecret(db, access.token!);
        if (!action || action.kind !== 'sealed-copy' || !sealed || action.subjectId !== sealed.signoffId) {
          throw new AppError('UNAUTHENTICATED', 'This link is not valid for this sealed document.');
        }
        if (Date.parse(action.expiresAt) <= Date.now()) throw new AppError('TOKEN_EXPIRED', 'This download link has expired; ask the facilitator for a copy.');
      }
      if (!sealed) throw new AppError('NOT_FOUND', `No sealed document with id ${id}.`);
      const pdf = await repos.sealed.pdf(db, id);
      const document = await repos.documents.get(db, sealed.documentId);
      if (!pdf || !document) throw new AppError('NOT_FOUND', 'The sealed file is missing.');
      return { sealed, pdf, fileName: `${document.type}-v${sealed.version}-sealed.pdf` };
    },

    /**
     * A ZIP of a stage's sealed sign-offs: per round the agreed PDF and DOCX, the sealed PDF, the
     * certificate on its own, the seal manifest and the round's audit events; the network's stretch
     * of the audit chain with the latest checkpoint; and manifest.json with the SHA-256 and size of
     * every other file in the pack, MACed with the evidence key; the network's dispute cases
     * (disputes/: each case's history and sealed settlement).
     */
    async evidencePack(networkId: string, stage: string, generatedBy: string): Promise<{ zip: Buffer; fileName: string; sha256: string }> {
      if (!isStageKey(stage)) throw new AppError('UNKNOWN_STAGE', `No stage called ${stage}. Stages: ${STAGES.map((s) => s.key).join(', ')}.`);
      const network = await repos.records.getNetwork(db, networkId);
      if (!network) throw new AppError('NOT_FOUND', `No network with id ${networkId}.`);
      const sealedDocs = await repos.sealed.listForStage(db, networkId, stage);
      if (sealedDocs.length === 0)
        throw new AppError(
          'NOT_FOUND',
          `Stage ${stage} of ${network.name} has no sealed documents yet: its document is sealed when every practice has signed.`,
        );

      const files: { path: string; bytes: Buffer }[] = [];
      const add = (path: string, bytes: Buffer | string) => files.push({ path, bytes: Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'utf8') });
      const audit = await repos.audit.list(db, { networkId });
      const rounds = [];
      for (const sealed of sealedDocs) {
        const document = await repos.documents.get(db, sealed.documentId);
        const [agreedPdf, agreedDocx, sealedPdf] = await Promise.all([
          repos.documents.file(db, sealed.documentId, 'pdf'),
          repos.documents.file(db, sealed.documentId, 'docx'),
          repos.sealed.pdf(db, sealed.id),
        ]);
        if (!document || !agreedPdf || !sealedPdf) throw new AppError('NOT_FOUND', `The files of sealed document ${sealed.id} are missing.`);
        const manifest = storedManifest(sealed);
        const dir = `${document.type}-v${sealed.version}`;
        add(`${dir}/agreed.pdf`, agreedPdf);
        if (agreedDocx) add(`${dir}/agreed.docx`, agreedDocx);
        add(`${dir}/sealed.pdf`, sealedPdf);
        add(`${dir}/certificate.pdf`, await renderCertificate(certificateFromManifest(manifest), new Date(manifest.sealedAt)));
        add(`${dir}/seal-manifest.json`, `${JSON.stringify(manifest, null, 2)}\n`);
        const events = audit.filter((e) => {
          const data = e.data as Record<string, unknown>;
          return data.signoffId === sealed.signoffId || data.documentId === sealed.documentId;
        });
        add(`${dir}/audit-events.json`, `${JSON.stringify(events, null, 2)}\n`);
        rounds.push({
          sealedDocumentId: sealed.id,
          signoffId: sealed.signoffId,
          documentId: sealed.documentId,
          type: document.type,
          title: document.title,
          version: sealed.version,
          agreedSha256: sealed.agreedSha256,
          sealedSha256: sealed.sealedSha256,
          sealedAt: manifest.sealedAt,
          signers: manifest.signers.map((s) => ({ name: s.name, practice: s.practice, capacity: s.capacity, signedAt: s.signedAtUtc })),
        });
      }

      // the network's stretch of the audit chain up to (at least) the latest checkpoint, so the
      // pack can be checked offline with the evidence key: `npm run verify-evidence`
      const segment = await repos.audit.segment(db, networkId);
      add(AUDIT_SEGMENT_PATH, `${JSON.stringify(segment, null, 2)}\n`);
      const lastSeq = segment.rows.at(-1)?.seq ?? segment.start.seq - 1;

      const disputes = await disputeEvidence(db, repos, networkId, stage);
      for (const f of disputes.files) add(f.path, f.bytes);
      const unsealed = {
        format: 'formwork-evidence/1',
        network: { id: network.id, name: network.name },
        stage,
        generatedAt: new Date().toISOString(),
        generatedBy,
        rounds,
        audit: {
          segment: AUDIT_SEGMENT_PATH,
          keyId: segment.keyId,
          fromSeq: segment.start.seq,
          toSeq: lastSeq,
          checkpoint: segment.checkpoint ? { seq: segment.checkpoint.seq, hash: segment.checkpoint.hash, at: segment.checkpoint.at } : null,
        },
        disputes: disputes.cases,
        files: files.map((f) => ({ path: f.path, sha256: sha256(f.bytes), bytes: f.bytes.length })),
      };
      // a MAC under the evidence key over the manifest (which hashes every file): whoever holds
      // the key can tell the pack is Formwork's and whole
      const manifest = { ...unsealed, mac: { alg: 'HMAC-SHA-256', keyId: repos.audit.key.id, value: repos.audit.key.packMac(canonicalText(unsealed)) } };
      const zip = new JSZip();
      for (const f of files) zip.file(f.path, f.bytes);
      zip.file('manifest.json', `${JSON.stringify(manifest, null, 2)}\n`);
      const bytes = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 6 } });
      return { zip: bytes, fileName: `evidence-${slug(network.name)}-${stage}.zip`, sha256: sha256(bytes) };
    },
  };
}

export type EvidenceService = ReturnType<typeof createEvidenceService>;
