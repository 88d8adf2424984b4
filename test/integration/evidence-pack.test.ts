import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { canonicalJson, evidenceKey, type EvidenceKey } from '../../db/audit-chain';
import { sha256 } from '../../documents/hash';
import { checkEvidencePack, type PackCheckReport } from '../../server/services/evidence-pack-check';
import { eventually } from '../support/api';
import { createScenarioNetwork, signOnePartnerPerPractice, signRequests, waitForStage } from '../support/formation-driver';
import { useStack, type StackEnv } from '../support/lifecycle';

const ROOT = path.resolve(__dirname, '..', '..');

/** A copy of a pack with some files replaced (or removed), its manifest's hashes brought up to date when asked. */
async function repack(pack: Buffer, changes: Record<string, Buffer | string | null>, opts: { rehash: boolean; key?: EvidenceKey }): Promise<Buffer> {
  const zip = await JSZip.loadAsync(pack);
  for (const [name, content] of Object.entries(changes)) {
    if (content === null) zip.remove(name);
    else zip.file(name, content);
  }
  if (opts.rehash) {
    const manifest = JSON.parse(await zip.file('manifest.json')!.async('string'));
    for (const f of manifest.files) {
      const bytes = await zip.file(f.path)!.async('nodebuffer');
      Object.assign(f, { sha256: sha256(bytes), bytes: bytes.length });
    }
    // someone holding the key could re-MAC; someone without it cannot
    if (opts.key) {
      const { mac, ...unsealed } = manifest;
      manifest.mac = { ...mac, value: opts.key.packMac(canonicalJson(unsealed)) };
    }
    zip.file('manifest.json', `${JSON.stringify(manifest, null, 2)}\n`);
  }
  return zip.generateAsync({ type: 'nodebuffer' });
}

const status = (report: PackCheckReport) => Object.fromEntries(report.lines.map((l) => [l.check.replace(/^sealed .*/, 'sealed'), l.status]));
const detail = (report: PackCheckReport, check: string) =>
  report.lines
    .filter((l) => l.check.startsWith(check))
    .map((l) => l.detail)
    .join(' | ');

/**
 * An evidence pack checked offline, as `npm run verify-evidence` does: the pack of a sealed round
 * verifies with the evidence key, and each kind of tampering is caught with its reason.
 */
describe('evidence pack verified offline', () => {
  let env: StackEnv;
  useStack({}, (e) => (env = e));

  it('verifies a real pack, and names each alteration', async () => {
    const { stack, api } = env;
    const { network } = await createScenarioNetwork(api, { practiceCount: 3, networkIndex: 1 });
    expect((await api.post(`/networks/${network.id}/formation`)).status).toBe(202);
    await waitForStage(api, network.id, 'panel-presentation', 'drafting');
    expect((await api.put(`/networks/${network.id}/stages/panel-presentation`, {})).status).toBe(200);
    const issued = await api.post(`/networks/${network.id}/stages/panel-presentation/issue`);
    expect(issued.status, JSON.stringify(issued.body)).toBe(202);
    const partners = network.practices.flatMap((p: { people: { roles: string[] }[] }) => p.people.filter((x) => x.roles.includes('partner')));
    const requests = await eventually(async () => {
      const found = await signRequests(api, 1, issued.body.document.title);
      return found.length === partners.length ? found : null;
    }, 'sign requests');
    await signOnePartnerPerPractice(stack.baseUrl, requests);
    const packed = await eventually(async () => {
      const res = await api.get(`/networks/${network.id}/stages/panel-presentation/evidence`);
      return res.status === 200 ? res : null;
    }, 'the evidence pack');
    const pack = packed.body as Buffer;
    const key = stack.repos.audit.key;

    // the genuine pack: everything checks with the key; without it, the keyed checks are not run
    const good = await checkEvidencePack(pack, { key });
    expect(good.valid, JSON.stringify(good.lines, null, 2)).toBe(true);
    expect(status(good)).toEqual({ files: 'ok', 'manifest MAC': 'ok', sealed: 'ok', 'audit chain': 'ok', checkpoint: 'ok' });
    expect(good.network).toEqual({ id: network.id, name: network.name });
    const keyless = await checkEvidencePack(pack);
    expect(keyless.valid).toBe(true);
    expect(status(keyless)).toEqual({ files: 'ok', 'manifest MAC': 'skipped', sealed: 'ok', 'audit chain': 'skipped', checkpoint: 'skipped' });
    const zip = await JSZip.loadAsync(pack);
    const manifest = JSON.parse(await zip.file('manifest.json')!.async('string'));
    const segment = JSON.parse(await zip.file('audit/network-chain.json')!.async('string'));
    expect(manifest.audit).toMatchObject({ keyId: key.id, checkpoint: { seq: segment.checkpoint.seq } });
    // other networks' events are in the chain as digests only
    expect(segment.rows.filter((r: { data?: unknown }) => r.data).every((r: { networkId: string }) => r.networkId === network.id)).toBe(true);

    const dir = `${manifest.rounds[0].type}-v${manifest.rounds[0].version}`;
    const sealed = await zip.file(`${dir}/sealed.pdf`)!.async('nodebuffer');
    const flipped = Buffer.from(sealed);
    flipped[Math.floor(flipped.length / 2)] ^= 1;

    // a changed file with the manifest left alone
    const changedFile = await checkEvidencePack(await repack(pack, { [`${dir}/sealed.pdf`]: flipped }, { rehash: false }), { key });
    expect(changedFile.valid).toBe(false);
    expect(detail(changedFile, 'files')).toContain(`${dir}/sealed.pdf does not match its SHA-256`);

    // a changed file with the manifest re-hashed by someone without the key
    const rehashed = await checkEvidencePack(await repack(pack, { [`${dir}/sealed.pdf`]: flipped }, { rehash: true }), { key });
    expect(status(rehashed)).toMatchObject({ files: 'ok', 'manifest MAC': 'failed', sealed: 'failed' });
    expect(detail(rehashed, 'manifest MAC')).toMatch(/changed after the pack was made/);

    // the newest events cut from the chain, even with the manifest re-MACed by a key holder
    const cut = { ...segment, rows: segment.rows.filter((r: { seq: number }) => r.seq < segment.checkpoint.seq) };
    const truncated = await checkEvidencePack(
      await repack(
        pack,
        {
          'audit/network-chain.json': JSON.stringify(cut),
          'manifest.json': JSON.stringify({ ...manifest, audit: { ...manifest.audit, toSeq: segment.checkpoint.seq - 1 } }),
        },
        { rehash: true, key },
      ),
      { key },
    );
    expect(status(truncated)).toMatchObject({ 'manifest MAC': 'ok', checkpoint: 'failed' });
    expect(detail(truncated, 'checkpoint')).toMatch(/events were removed/);

    // an event of this network rewritten in the chain and in its round's audit-events.json
    const own = segment.rows.findIndex((r: { data?: { type: string } }) => r.data?.type === 'signature.signed');
    const rewrittenRow = { ...segment.rows[own], actor: 'someone else' };
    const rewritten = { ...segment, rows: segment.rows.map((r: unknown, i: number) => (i === own ? rewrittenRow : r)) };
    const roundEvents = JSON.parse(await zip.file(`${dir}/audit-events.json`)!.async('string')).map((e: { seq: number }) =>
      e.seq === rewrittenRow.seq ? rewrittenRow : e,
    );
    const relinked = await checkEvidencePack(
      await repack(
        pack,
        { 'audit/network-chain.json': JSON.stringify(rewritten), [`${dir}/audit-events.json`]: JSON.stringify(roundEvents) },
        { rehash: true, key },
      ),
      { key },
    );
    expect(status(relinked)).toMatchObject({ files: 'ok', 'audit chain': 'failed' });
    expect(detail(relinked, 'audit chain')).toMatch(new RegExp(`Audit event ${rewrittenRow.seq} does not carry a valid link`));

    // another key: nothing keyed passes
    const stranger = await checkEvidencePack(pack, { key: evidenceKey('another organisation entirely, long enough to be a key') });
    expect(status(stranger)).toMatchObject({ 'manifest MAC': 'failed', 'audit chain': 'failed', checkpoint: 'failed' });

    // the command line: exit 0 for the genuine pack with the key file, 1 for a tampered one
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-pack-'));
    try {
      fs.writeFileSync(path.join(tmp, 'pack.zip'), pack);
      fs.writeFileSync(path.join(tmp, 'bad.zip'), await repack(pack, { [`${dir}/sealed.pdf`]: flipped }, { rehash: true }));
      const run = (file: string) =>
        spawnSync(
          path.join(ROOT, 'node_modules', '.bin', 'tsx'),
          [path.join(ROOT, 'bin', 'verify-evidence.ts'), path.join(tmp, file), '--key-file', path.join(stack.dataDir, 'evidence-key')],
          { cwd: ROOT, encoding: 'utf8' },
        );
      const ok = run('pack.zip');
      expect(ok.status, ok.stdout + ok.stderr).toBe(0);
      expect(ok.stdout).toContain('Every check passed.');
      const bad = run('bad.zip');
      expect(bad.status).toBe(1);
      expect(bad.stdout).toMatch(/FAILED\s+manifest MAC/);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
