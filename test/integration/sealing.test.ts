import JSZip from 'jszip';
import pino from 'pino';
import { createOutbox } from '../../mail/outbox';
import { describe, expect, it } from 'vitest';
import { createSealingActivities } from '../../activities/sealing.activities';
import { createEvidenceService } from '../../server/services/evidence.service';
import { sha256 } from '../../documents';
import { readSeal, sealPdf } from '../../documents/seal';
import { generateSelfSignedIdentity, identityFromPem } from '../../documents/signing-identity';
import { renderCertificate } from '../../templates';
import { testSealSigning } from '../fixtures/seal-signing';
import { pdfsigReport } from '../support/pdfsig';
import { type ApiClient, eventually } from '../support/api';
import { createScenarioNetwork, signOnePartnerPerPractice, signRequests, waitForStage } from '../support/formation-driver';
import { useStack } from '../support/lifecycle';
import type { InProcessStack } from '../support/stack';
import { flat, pdfText } from '../unit/documents/extract';

interface OutboxMessage {
  to: string;
  subject: string;
  text: string;
  links: string[];
}

/** The path and query of a link in an email, relative to /api/v1. */
function apiPath(link: string): string {
  const url = new URL(link);
  expect(url.pathname.startsWith('/api/v1/')).toBe(true);
  return `${url.pathname.slice('/api/v1'.length)}${url.search}`;
}

/**
 * A completed sign-off round is sealed: the agreed PDF plus its certificate, stored once, mailed to
 * every signer, verifiable by anyone, and packed as evidence for commissioners. Real Temporal server,
 * real databases, HTTP only.
 */
describe.each(['sqlite', 'postgres'] as const)('sealing on %s', (database) => {
  let stack: InProcessStack;
  let api: ApiClient;
  let anonymous: ApiClient;

  useStack({ database }, (env) => ({ stack, api, anonymous } = env));

  const verify = (bytes: Uint8Array) => anonymous.call('POST', '/documents/verify', bytes, { 'content-type': 'application/pdf' });

  it('seals a signed round, mails it to every signer, verifies it and packs the evidence', async () => {
    const { network } = await createScenarioNetwork(api, { practiceCount: 3 });
    expect((await api.post(`/networks/${network.id}/formation`)).status).toBe(202);
    await waitForStage(api, network.id, 'panel-presentation', 'drafting');
    expect((await api.put(`/networks/${network.id}/stages/panel-presentation`, {})).status).toBe(200);
    const issued = await api.post(`/networks/${network.id}/stages/panel-presentation/issue`);
    expect(issued.status, JSON.stringify(issued.body)).toBe(202);
    const document = issued.body.document as { id: string; title: string; version: number; sha256: string };
    await waitForStage(api, network.id, 'panel-presentation', 'awaiting-signatures');

    // before anything is signed there is nothing to pack
    const early = await api.get(`/networks/${network.id}/stages/panel-presentation/evidence`);
    expect(early.status).toBe(404);
    expect(early.body.error.code).toBe('NOT_FOUND');

    const partners = network.practices.flatMap((p: { people: { roles: string[] }[] }) => p.people.filter((x) => x.roles.includes('partner')));
    const requests = await eventually(async () => {
      const found = await signRequests(api, 1, document.title);
      return found.length === partners.length ? found : null;
    }, 'a sign request for every partner');
    const receipts = await signOnePartnerPerPractice(stack.baseUrl, requests);
    expect(receipts).toHaveLength(3);
    const signerEmails = receipts.map((r) => requests.find((q) => q.token === r.token)!.to).sort();

    // every signer, and only signers, receive a personal link to the sealed copy
    const sealedMail = await eventually(async () => {
      const outbox = await api.get<OutboxMessage[]>('/outbox?limit=1000');
      const found = outbox.body.filter((m) => m.subject === `Sealed: ${document.title} (version 1)`);
      return found.length === signerEmails.length ? found : null;
    }, 'a sealed-copy email to every signer');
    expect(sealedMail.map((m) => m.to).sort()).toEqual(signerEmails);
    for (const m of sealedMail) {
      expect(m.text).toContain('The agreed document is sealed');
      expect(m.links).toHaveLength(1);
      expect(m.text).toContain(m.links[0]);
    }
    expect(new Set(sealedMail.map((m) => m.links[0])).size).toBe(signerEmails.length);

    // each signer's link downloads the same sealed PDF
    const downloads = await Promise.all(sealedMail.map((m) => anonymous.get(apiPath(m.links[0]))));
    for (const d of downloads) {
      expect(d.status).toBe(200);
      expect(d.headers.get('content-type')).toContain('application/pdf');
    }
    const sealed = downloads[0].body as Buffer;
    expect(downloads.every((d) => (d.body as Buffer).equals(sealed))).toBe(true);
    expect(downloads[0].headers.get('x-content-sha256')).toBe(sha256(sealed));
    const sealedId = /\/sealed\/([^/]+)\/pdf/.exec(sealedMail[0].links[0])![1];

    // staff may download it too; nobody else, not even with a signing link
    const staffCopy = await api.get(`/sealed/${sealedId}/pdf`);
    expect(staffCopy.status).toBe(200);
    expect((staffCopy.body as Buffer).equals(sealed)).toBe(true);
    const noToken = await anonymous.get(`/sealed/${sealedId}/pdf`);
    expect(noToken.status).toBe(401);
    const signToken = await anonymous.get(`/sealed/${sealedId}/pdf?token=${requests[0].token}`);
    expect(signToken.status).toBe(401);
    expect(signToken.body.error.code).toBe('UNAUTHENTICATED');

    // one sealed row and one audit event for the round, whatever retries happened
    const rows = await stack.db('sealed_documents').where({ document_id: document.id });
    expect(rows).toHaveLength(1);
    expect(rows[0].agreed_sha256).toBe(document.sha256);
    expect(rows[0].sealed_sha256).toBe(sha256(sealed));
    const events = await stack.db('audit_events').where({ type: 'signoff.sealed', network_id: network.id });
    expect(events).toHaveLength(1);
    // sealing again (as a retry would) finds the stored seal and mails nobody twice
    const base = { db: stack.db, repos: stack.repos, log: pino({ level: 'silent' }), publicUrl: stack.baseUrl };
    const sealing = createSealingActivities({ ...base, actionTokenTtlDays: 30, outbox: createOutbox(base), sealSigning: await testSealSigning() });
    expect(await sealing.sealSignoff({ signoffId: rows[0].signoff_id, networkId: network.id })).toEqual({
      sealedDocumentId: sealedId,
      sealedSha256: sha256(sealed),
    });
    expect(await stack.db('sealed_documents').where({ document_id: document.id })).toHaveLength(1);
    expect(await stack.db('outbox').where('subject', 'like', 'Sealed:%').whereIn('to_email', signerEmails)).toHaveLength(signerEmails.length);

    // a check the machine cuts short is never a verdict on a sealed PDF: "try again" (503); a stranger's file is still not ours
    const hurried = createEvidenceService({ db: stack.db, repos: stack.repos, verifyLimits: { timeoutMs: 1, startMs: 60_000, maxHeapMb: 128, maxQueued: 4 } });
    await expect(hurried.verify(sealed)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    const stranger = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(4 * 1024 * 1024, 0x41)]);
    await expect(hurried.verify(stranger)).resolves.toEqual({ valid: false, reason: 'not sealed by Formwork' });

    // the sealed PDF is the agreed document followed by the certificate naming every signer
    const text = flat(pdfText(sealed));
    const certificate = text.slice(text.indexOf('Certificate of Completion'));
    expect(text.indexOf('Certificate of Completion')).toBeGreaterThan(0);
    expect(certificate).toContain(document.sha256);
    for (const r of receipts) {
      expect(certificate).toContain(r.signedBy);
      expect(certificate).toContain(r.practiceName);
    }
    for (const email of signerEmails) expect(certificate).toContain(email);
    // and each practice's signature block names who signed for it, marked as signed electronically
    for (const r of receipts) expect(flat(text)).toContain(flat(`Signed electronically by ${r.signedBy}`));

    // the manifest anchors the audit chain: the head it names is a real link of the chain, before
    // the sealing event
    const seal = readSeal(sealed)!;
    const head = seal.manifest.auditHead!;
    const anchored = await stack.db('audit_events').where({ seq: head.seq }).first();
    expect(anchored.hash).toBe(head.hash);
    expect(head.seq).toBeLessThan(Number(events[0].seq));

    // the sealed PDF carries a PAdES signature that a standard tool validates over the whole file
    const report = pdfsigReport(sealed);
    if (report.available) {
      expect(report.output).toContain('Signature Validation: Signature is Valid.');
      expect(report.output).toContain('Total document signed');
      expect(report.output).toContain('ETSI.CAdES.detached');
    }

    // anyone can verify it, and sees who signed
    const valid = await verify(sealed);
    expect(valid.status).toBe(200);
    expect(valid.body).toMatchObject({ valid: true, documentId: document.id, version: 1, agreedSha256: document.sha256, sealedSha256: sha256(sealed) });
    expect(valid.body.signature).toEqual({
      level: 'PAdES-B-B',
      signer: 'Formwork document sealing (self-signed)',
      certificateSha256: seal.manifest.signature!.certificateSha256,
      timestampedAt: null,
    });
    expect(valid.body.signedBy.map((s: { name: string }) => s.name).sort()).toEqual(receipts.map((r) => r.signedBy).sort());
    expect(valid.body.signedBy.map((s: { practice: string }) => s.practice).sort()).toEqual(receipts.map((r) => r.practiceName).sort());

    // one changed byte, even in a comment no viewer shows, and the copy no longer verifies
    const commentByte = sealed.indexOf('\n%') + 2;
    expect(commentByte).toBeLessThan(20);
    const flipped = Buffer.from(sealed);
    flipped[commentByte] ^= 0x01;
    const altered = await verify(flipped);
    expect(altered.status).toBe(200);
    expect(altered.body).toEqual({ valid: false, reason: 'altered after sealing', documentId: document.id, version: 1 });
    // a byte in the middle of the file: whatever it breaks, it is not valid
    const middle = Buffer.from(sealed);
    middle[Math.floor(middle.length / 2)] ^= 0xff;
    const broken = await verify(middle);
    expect(broken.status).toBe(200);
    expect(broken.body.valid).toBe(false);

    // the agreed PDF itself is genuine but not sealed; other bytes are not PDFs at all
    const agreed = await api.get(`/documents/${document.id}/pdf`);
    expect(await verify(agreed.body)).toMatchObject({ status: 200, body: { valid: false, reason: 'not sealed by Formwork' } });
    expect(await verify(Buffer.from('just some text, not a PDF'))).toMatchObject({ status: 200, body: { valid: false, reason: 'not a PDF' } });
    // a well-formed seal, signed with a key of its own, that names a document we never sealed
    const forgedSubject = {
      network: { name: network.name },
      document: { id: 'not-one-of-ours', version: 1, title: document.title, sha256Pdf: document.sha256 },
      completedAt: new Date().toISOString(),
      signers: [
        {
          name: 'A Forger',
          email: 'forger@example.org',
          practice: 'Nowhere',
          capacity: 'Partner',
          consentVersion: '1',
          signedAt: new Date().toISOString(),
          ip: '192.0.2.1',
          userAgent: 'curl',
          method: 'none',
        },
      ],
    };
    const forgerKey = await generateSelfSignedIdentity('A forger');
    const forged = await sealPdf({
      agreedPdf: agreed.body,
      subject: forgedSubject,
      certificatePdf: await renderCertificate(forgedSubject, new Date()),
      signing: { identity: await identityFromPem(forgerKey.keyPem, forgerKey.certificatePem) },
      auditHead: null,
    });
    expect(await verify(forged)).toMatchObject({ status: 200, body: { valid: false, reason: 'unknown document', documentId: 'not-one-of-ours' } });
    const empty = await anonymous.call('POST', '/documents/verify', new Uint8Array(0), { 'content-type': 'application/pdf' });
    expect(empty.status).toBe(400);
    // a form upload wraps the PDF in other bytes: refused, saying how to send it
    const boundary = 'formwork-test-boundary';
    const form = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="sealed.pdf"\r\nContent-Type: application/pdf\r\n\r\n`),
      sealed,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const multipart = await anonymous.call('POST', '/documents/verify', form, { 'content-type': `multipart/form-data; boundary=${boundary}` });
    expect(multipart.status).toBe(415);
    expect(multipart.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(multipart.body.error.message).toContain('application/pdf');

    // the evidence pack: every file listed in manifest.json with its SHA-256, nothing unlisted
    const pack = await api.get(`/networks/${network.id}/stages/panel-presentation/evidence`);
    expect(pack.status).toBe(200);
    expect(pack.headers.get('content-type')).toContain('application/zip');
    expect(pack.headers.get('x-content-sha256')).toBe(sha256(pack.body));
    const zip = await JSZip.loadAsync(pack.body);
    const manifest = JSON.parse(await zip.file('manifest.json')!.async('string'));
    expect(manifest).toMatchObject({ network: { id: network.id, name: network.name }, stage: 'panel-presentation' });
    const listed = (manifest.files as { path: string; sha256: string; bytes: number }[]).map((f) => f.path).sort();
    const inZip = Object.values(zip.files)
      .filter((f) => !f.dir && f.name !== 'manifest.json')
      .map((f) => f.name)
      .sort();
    expect(inZip).toEqual(listed);
    for (const f of manifest.files as { path: string; sha256: string; bytes: number }[]) {
      const bytes = await zip.file(f.path)!.async('nodebuffer');
      expect(sha256(bytes), f.path).toBe(f.sha256);
      expect(bytes.length, f.path).toBe(f.bytes);
    }
    const dir = `panel-pack-v1`;
    expect(listed).toEqual(
      expect.arrayContaining([`${dir}/agreed.pdf`, `${dir}/sealed.pdf`, `${dir}/certificate.pdf`, `${dir}/seal-manifest.json`, `${dir}/audit-events.json`]),
    );
    expect((await zip.file(`${dir}/sealed.pdf`)!.async('nodebuffer')).equals(sealed)).toBe(true);
    expect(sha256(await zip.file(`${dir}/agreed.pdf`)!.async('nodebuffer'))).toBe(document.sha256);
    const certificateText = flat(pdfText(await zip.file(`${dir}/certificate.pdf`)!.async('nodebuffer')));
    for (const r of receipts) expect(certificateText).toContain(r.signedBy);
    expect(manifest.rounds).toEqual([
      expect.objectContaining({ documentId: document.id, version: 1, agreedSha256: document.sha256, sealedSha256: sha256(sealed) }),
    ]);
    const packedEvents = JSON.parse(await zip.file(`${dir}/audit-events.json`)!.async('string')) as { type: string }[];
    expect(packedEvents.map((e) => e.type)).toEqual(expect.arrayContaining(['document.stored', 'signature.signed', 'signoff.completed', 'signoff.sealed']));

    // the pack is for staff, for real stages
    expect((await anonymous.get(`/networks/${network.id}/stages/panel-presentation/evidence`)).status).toBe(401);
    const unknownStage = await api.get(`/networks/${network.id}/stages/no-such-stage/evidence`);
    expect(unknownStage.status).toBe(404);
    expect(unknownStage.body.error.code).toBe('UNKNOWN_STAGE');

    const audit = await api.get('/audit/verify');
    expect(audit.body).toMatchObject({ valid: true });
  });
});
