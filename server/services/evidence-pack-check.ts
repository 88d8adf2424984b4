import JSZip from 'jszip';
import { canonicalJson, checkpointIsAuthentic, type Checkpoint, type EvidenceKey, sameHex, verifyLinks, type VerifiableRow } from '../../db/audit-chain';
import { sha256 } from '../../documents/hash';
import { readSeal } from '../../documents/seal';
import { AUDIT_SEGMENT_PATH } from './evidence.service';

/**
 * Checks an evidence pack (GET /networks/:id/stages/:stage/evidence) offline, as a commissioner or
 * an auditor would: every file against the manifest's SHA-256, each sealed PDF against the manifest
 * it embeds and the agreed PDF, and the network's stretch of the audit chain. With the evidence key
 * it also checks the chain's HMAC links, the checkpoint the chain must reach, and the manifest's MAC;
 * without it those checks are reported as not done, never as passed.
 */
export interface PackCheckLine {
  check: string;
  status: 'ok' | 'failed' | 'skipped';
  detail: string;
}

export interface PackCheckReport {
  valid: boolean;
  network?: { id: string; name: string };
  stage?: string;
  lines: PackCheckLine[];
}

interface PackManifest {
  format: string;
  network: { id: string; name: string };
  stage: string;
  rounds: { type: string; version: number; agreedSha256: string; sealedSha256: string; documentId: string }[];
  audit?: { segment: string; keyId: string; fromSeq: number; toSeq: number; checkpoint: { seq: number; hash: string; at: string } | null };
  files: { path: string; sha256: string; bytes: number }[];
  mac?: { alg: string; keyId: string; value: string };
}

interface Segment {
  format: string;
  keyId: string;
  networkId: string;
  start: { seq: number; prevHash: string };
  rows: (VerifiableRow & { networkId?: string | null })[];
  checkpoint: Checkpoint | null;
}

export async function checkEvidencePack(bytes: Buffer, opts: { key?: EvidenceKey } = {}): Promise<PackCheckReport> {
  const lines: PackCheckLine[] = [];
  const ok = (check: string, detail: string) => lines.push({ check, status: 'ok', detail });
  const failed = (check: string, detail: string) => lines.push({ check, status: 'failed', detail });
  const skipped = (check: string, detail: string) => lines.push({ check, status: 'skipped', detail });
  const report = (extra: Partial<PackCheckReport> = {}): PackCheckReport => ({ valid: lines.every((l) => l.status !== 'failed'), lines, ...extra });
  const { key } = opts;

  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(bytes);
  } catch {
    failed('pack', 'This is not a ZIP file.');
    return report();
  }
  const read = async (path: string) => zip.file(path)?.async('nodebuffer') ?? null;
  const manifestBytes = await read('manifest.json');
  let manifest: PackManifest;
  try {
    manifest = JSON.parse(String(manifestBytes)) as PackManifest;
    if (manifest.format !== 'formwork-evidence/1' || !Array.isArray(manifest.files) || !Array.isArray(manifest.rounds)) throw new Error('format');
  } catch {
    failed('manifest', 'manifest.json is missing or is not a Formwork evidence manifest (formwork-evidence/1).');
    return report();
  }
  const about = { network: manifest.network, stage: manifest.stage };

  // 1. every file against its hash, and nothing in the pack that the manifest does not list
  const listed = new Set(manifest.files.map((f) => f.path));
  const bad: string[] = [];
  for (const f of manifest.files) {
    const file = await read(f.path);
    if (!file) bad.push(`${f.path} is missing`);
    else if (file.length !== f.bytes || sha256(file) !== f.sha256) bad.push(`${f.path} does not match its SHA-256`);
  }
  for (const name of Object.keys(zip.files))
    if (!zip.files[name].dir && name !== 'manifest.json' && !listed.has(name)) bad.push(`${name} is not listed in the manifest`);
  if (bad.length) failed('files', bad.join('; '));
  else ok('files', `${manifest.files.length} files match the SHA-256 in manifest.json`);

  // 2. the manifest's MAC under the evidence key
  if (!manifest.mac) failed('manifest MAC', 'manifest.json carries no MAC.');
  else if (!key) skipped('manifest MAC', 'not checked: give --key-file to check it');
  else {
    const { mac, ...unsealed } = manifest;
    if (mac.keyId !== key.id) failed('manifest MAC', `made with evidence key ${mac.keyId}; the key given is ${key.id}`);
    else if (!sameHex(key.packMac(canonicalJson(unsealed)), mac.value))
      failed('manifest MAC', 'does not match: manifest.json was changed after the pack was made');
    else ok('manifest MAC', `HMAC-SHA-256 under evidence key ${key.id}`);
  }

  // 3. each sealed PDF: its bytes, the manifest it embeds, and the agreed PDF it carries
  for (const round of manifest.rounds) {
    const dir = `${round.type}-v${round.version}`;
    const check = `sealed ${dir}`;
    const [sealed, agreed, sealManifest] = await Promise.all([read(`${dir}/sealed.pdf`), read(`${dir}/agreed.pdf`), read(`${dir}/seal-manifest.json`)]);
    if (!sealed || !agreed || !sealManifest) {
      failed(check, 'sealed.pdf, agreed.pdf or seal-manifest.json is missing');
      continue;
    }
    const problems: string[] = [];
    if (sha256(sealed) !== round.sealedSha256) problems.push('sealed.pdf is not the sealed PDF the manifest names');
    if (sha256(agreed) !== round.agreedSha256) problems.push('agreed.pdf is not the agreed PDF the manifest names');
    const seal = (() => {
      try {
        return readSeal(sealed);
      } catch {
        return null;
      }
    })();
    if (!seal) problems.push('sealed.pdf embeds no Formwork seal manifest');
    else {
      let packed: unknown = null;
      try {
        packed = JSON.parse(sealManifest.toString('utf8'));
      } catch {
        /* reported below */
      }
      if (canonicalJson(seal.manifest) !== canonicalJson(packed)) problems.push('the manifest embedded in sealed.pdf differs from seal-manifest.json');
      if (seal.manifest.agreedSha256 !== round.agreedSha256) problems.push('the seal names another agreed PDF');
      if (seal.agreedPdf && !seal.agreedPdf.equals(agreed)) problems.push('the agreed PDF attached to sealed.pdf differs from agreed.pdf');
    }
    if (problems.length) failed(check, problems.join('; '));
    else ok(check, `seal manifest and agreed PDF match (${seal!.manifest.signers.length} signer(s))`);
  }

  // 4. the audit chain: continuity and content always; HMAC links and the checkpoint with the key
  const segmentBytes = await read(manifest.audit?.segment ?? AUDIT_SEGMENT_PATH);
  if (!manifest.audit || !segmentBytes) {
    failed('audit chain', 'the pack has no audit chain segment');
    return report(about);
  }
  let segment: Segment;
  try {
    segment = JSON.parse(segmentBytes.toString('utf8')) as Segment;
    if (segment.format !== 'formwork-audit-segment/1' || !Array.isArray(segment.rows)) throw new Error('format');
  } catch {
    failed('audit chain', `${manifest.audit.segment} is not a Formwork audit segment`);
    return report(about);
  }
  const structural: string[] = [];
  let prev = segment.start.prevHash;
  segment.rows.forEach((row, i) => {
    if (row.seq !== segment.start.seq + i) structural.push(`event ${segment.start.seq + i} is missing`);
    else if (row.prevHash !== prev) structural.push(`event ${row.seq} does not follow event ${row.seq - 1}`);
    prev = row.hash;
  });
  if (segment.networkId !== manifest.network.id) structural.push('the segment is of another network');
  if (segment.start.seq !== manifest.audit.fromSeq || (segment.rows.at(-1)?.seq ?? segment.start.seq - 1) !== manifest.audit.toSeq)
    structural.push('the segment is not the stretch the manifest names');
  // every round's audit-events.json must be in the chain, word for word
  const bySeq = new Map(segment.rows.map((r) => [r.seq, r]));
  for (const round of manifest.rounds) {
    const file = await read(`${round.type}-v${round.version}/audit-events.json`);
    const events = file ? (JSON.parse(file.toString('utf8')) as ({ seq: number } & Record<string, unknown>)[]) : [];
    for (const e of events) {
      const inChain = bySeq.get(e.seq);
      if (!inChain || !('data' in inChain) || canonicalJson(inChain) !== canonicalJson(e))
        structural.push(`event ${e.seq} of ${round.type}-v${round.version}/audit-events.json is not in the chain as packed`);
    }
  }
  const ownRows = segment.rows.filter((r) => 'data' in r);
  if (ownRows.some((r) => r.networkId !== segment.networkId)) structural.push('a row shown in full belongs to another network');
  if (structural.length) failed('audit chain', structural.join('; '));
  else if (!key)
    skipped(
      'audit chain',
      `events ${manifest.audit.fromSeq}–${manifest.audit.toSeq} follow one another (${ownRows.length} of this network in full); HMAC links not checked: give --key-file`,
    );
  else if (segment.keyId !== key.id) failed('audit chain', `written with evidence key ${segment.keyId}; the key given is ${key.id}`);
  else {
    const links = verifyLinks(key, segment.rows, segment.start);
    if (!links.valid) failed('audit chain', links.problems.map((p) => p.message).join('; '));
    else
      ok(
        'audit chain',
        `events ${manifest.audit.fromSeq}–${manifest.audit.toSeq}: every link is a valid HMAC under evidence key ${key.id}; the ${ownRows.length} events of this network are shown in full and rehashed`,
      );
  }

  // 5. the checkpoint kept outside the database at packing time: the chain must reach it
  const c = segment.checkpoint;
  if (!c) failed('checkpoint', 'the pack carries no checkpoint of the chain head');
  else if (!key) skipped('checkpoint', `event ${c.seq} at ${c.at}; its MAC not checked: give --key-file`);
  else if (!checkpointIsAuthentic(key, c)) failed('checkpoint', 'its MAC is not valid under the evidence key given');
  else {
    const row = bySeq.get(c.seq);
    if (c.seq > manifest.audit.toSeq)
      failed('checkpoint', `records event ${c.seq}, but the chain in the pack ends at ${manifest.audit.toSeq}: events were removed`);
    else if (!row) failed('checkpoint', `records event ${c.seq}, before this network's first event: the chain in the pack is not anchored`);
    else if (!sameHex(row.hash, c.hash)) failed('checkpoint', `event ${c.seq} does not have the link the checkpoint recorded`);
    else ok('checkpoint', `the chain reaches the checkpoint of ${c.at} (event ${c.seq})`);
  }
  return report(about);
}
