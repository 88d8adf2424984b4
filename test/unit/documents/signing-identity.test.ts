import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSealSigning, SEAL_CERT_FILE, SEAL_KEY_FILE } from '../../../bin/runtime';
import { ConfigError, loadConfig } from '../../../config';
import { generateSelfSignedIdentity, identityFromPem, identityFromPkcs12, serialNumber, SigningIdentityError } from '../../../documents/signing-identity';
import * as asn1js from 'asn1js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'formwork-identity-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const hasOpenssl = !spawnSync('openssl', ['version']).error;
if (!hasOpenssl) console.warn('openssl is not installed: the PKCS#12 tests, which make their files with it, are skipped');

function openssl(...args: string[]): void {
  const result = spawnSync('openssl', args, { cwd: dir });
  if (result.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${result.stderr.toString()}`);
}

describe('signing identities', () => {
  it('gives every certificate a positive, minimally encoded serial number, whatever the random bytes', () => {
    for (let first = 0; first < 256; first++) {
      for (const second of [0x00, 0x01, 0x7f, 0x80, 0xff]) {
        const random = Buffer.alloc(16, 0xab);
        random[0] = first;
        random[1] = second;
        const serial = serialNumber(random);
        expect(serial).toHaveLength(16);
        const der = Buffer.from(new asn1js.Integer({ valueHex: new Uint8Array(serial).buffer }).toBER(false));
        // tag, length, then content: no leading 0x00 (the first byte is never zero) and positive
        expect(der[0]).toBe(0x02);
        expect(der[1]).toBe(16);
        expect(der[2], `first byte ${first}`).toBeGreaterThan(0);
        expect(der[2]).toBeLessThan(0x80);
        // the rest of the randomness is kept
        expect(serial.subarray(1)).toEqual(random.subarray(1));
      }
    }
  });

  it('generates a self-signed ECDSA P-256 certificate that reads back as self-signed', async () => {
    const pem = await generateSelfSignedIdentity('Formwork document sealing (self-signed)', new Date('2026-12-01T00:00:00Z'));
    expect(pem.keyPem).toContain('BEGIN PRIVATE KEY');
    const identity = await identityFromPem(pem.keyPem, pem.certificatePem);
    expect(identity.subjectName).toBe('Formwork document sealing (self-signed)');
    expect(identity.selfSigned).toBe(true);
    expect(identity.certificateSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(identity.certificates[0].notAfter.value.toISOString().slice(0, 4)).toBe('2036');
  });

  it('refuses a certificate that belongs to another key', async () => {
    const a = await generateSelfSignedIdentity('A');
    const b = await generateSelfSignedIdentity('B');
    await expect(identityFromPem(a.keyPem, b.certificatePem)).rejects.toThrow(/no certificate given matches the signing key/);
    await expect(identityFromPem(a.keyPem, 'not a certificate')).rejects.toThrow(SigningIdentityError);
  });

  it.skipIf(!hasOpenssl)('reads an RSA key and a CA-issued certificate with its chain, leaf first, from PEM', async () => {
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', '/CN=Test Issuing CA');
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'org.key', '-out', 'org.csr', '-subj', '/CN=Tower Hamlets GP Networks/O=Tower Hamlets PCT');
    openssl('x509', '-req', '-in', 'org.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'org.pem', '-days', '30');
    const chain = fs.readFileSync(path.join(dir, 'ca.pem'), 'utf8') + fs.readFileSync(path.join(dir, 'org.pem'), 'utf8');
    const identity = await identityFromPem(fs.readFileSync(path.join(dir, 'org.key'), 'utf8'), chain);
    expect(identity.subjectName).toBe('Tower Hamlets GP Networks');
    expect(identity.certificates).toHaveLength(2);
    expect(identity.selfSigned).toBe(false);
  });

  it.skipIf(!hasOpenssl)('reads a PKCS#12 file as current OpenSSL writes it; a wrong password says what to check', async () => {
    openssl(
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      'p12.key',
      '-out',
      'p12.pem',
      '-days',
      '30',
      '-subj',
      '/CN=PKCS12 Organisation',
    );
    openssl('pkcs12', '-export', '-inkey', 'p12.key', '-in', 'p12.pem', '-out', 'org.p12', '-passout', 'pass:correct horse');
    const bytes = fs.readFileSync(path.join(dir, 'org.p12'));
    const identity = await identityFromPkcs12(bytes, 'correct horse');
    expect(identity.subjectName).toBe('PKCS12 Organisation');
    await expect(identityFromPkcs12(bytes, 'wrong')).rejects.toThrow(/check the password, or re-export it with PBES2/);
  });
});

describe('the organisation key at start-up', () => {
  it('is generated into DATA_DIR on first start (key readable by its owner only) and reused after', async () => {
    const dataDir = path.join(dir, 'data');
    const first = await loadSealSigning(loadConfig({ DATA_DIR: dataDir }));
    expect(first.identity.selfSigned).toBe(true);
    expect(first.timestamp).toBeUndefined();
    expect(fs.statSync(path.join(dataDir, SEAL_KEY_FILE)).mode & 0o077).toBe(0);
    const again = await loadSealSigning(loadConfig({ DATA_DIR: dataDir, SEAL_TSA_URL: 'http://127.0.0.1:9/tsa' }));
    expect(again.identity.certificateSha256).toBe(first.identity.certificateSha256);
    expect(typeof again.timestamp).toBe('function');
  });

  it('is generated once when several processes start together on one DATA_DIR, and every one uses it', async () => {
    // a server and workers started at once on a fresh directory: one makes the key, the others wait for it
    const dataDir = path.join(dir, 'shared');
    const script = path.join(dir, 'load-seal.ts');
    const root = path.resolve(__dirname, '../../..');
    fs.writeFileSync(
      script,
      [
        `import { loadSealSigning } from ${JSON.stringify(path.join(root, 'bin/runtime'))};`,
        `import { loadConfig } from ${JSON.stringify(path.join(root, 'config'))};`,
        // every process waits for the same moment, so they meet the missing key together
        `setTimeout(() => loadSealSigning(loadConfig({ DATA_DIR: process.argv[2] })).then((s) => console.log(s.identity.certificateSha256)), Number(process.argv[3]) - Date.now());`,
      ].join('\n'),
    );
    const together = Date.now() + 8_000;
    const run = () =>
      new Promise<string>((resolve, reject) =>
        execFile(process.execPath, ['--import', 'tsx', script, dataDir, String(together)], { cwd: root, timeout: 60_000 }, (err, stdout, stderr) =>
          err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout.trim()),
        ),
      );
    const fingerprints = await Promise.all(Array.from({ length: 6 }, run));
    expect(fingerprints[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(fingerprints).size).toBe(1);
    const onDisk = await identityFromPem(
      fs.readFileSync(path.join(dataDir, SEAL_KEY_FILE), 'utf8'),
      fs.readFileSync(path.join(dataDir, SEAL_CERT_FILE), 'utf8'),
    );
    expect(onDisk.certificateSha256).toBe(fingerprints[0]);
    // nothing left behind but the key, its certificate and the lock's absence
    expect(fs.readdirSync(dataDir).sort()).toEqual([SEAL_CERT_FILE, SEAL_KEY_FILE].sort());
  }, 90_000);

  it('comes from SEAL_KEY_PATH and SEAL_CERT_PATH, or stops start-up naming the variable', async () => {
    const pem = await generateSelfSignedIdentity('Configured organisation');
    fs.writeFileSync(path.join(dir, 'configured.key'), pem.keyPem);
    fs.writeFileSync(path.join(dir, 'configured.pem'), pem.certificatePem);
    const signing = await loadSealSigning(
      loadConfig({ DATA_DIR: path.join(dir, 'unused'), SEAL_KEY_PATH: path.join(dir, 'configured.key'), SEAL_CERT_PATH: path.join(dir, 'configured.pem') }),
    );
    expect(signing.identity.subjectName).toBe('Configured organisation');
    expect(fs.existsSync(path.join(dir, 'unused', SEAL_KEY_FILE))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'unused', SEAL_CERT_FILE))).toBe(false);

    await expect(
      loadSealSigning(loadConfig({ SEAL_KEY_PATH: path.join(dir, 'missing.key'), SEAL_CERT_PATH: path.join(dir, 'configured.pem') })),
    ).rejects.toThrow(/SEAL_KEY_PATH/);
    await expect(loadSealSigning(loadConfig({ SEAL_P12_PATH: path.join(dir, 'configured.pem') }))).rejects.toThrow(ConfigError);
    expect(() => loadConfig({ SEAL_KEY_PATH: '/k.pem' })).toThrow(/SEAL_CERT_PATH/);
    expect(() => loadConfig({ SEAL_P12_PATH: '/o.p12', SEAL_KEY_PATH: '/k.pem', SEAL_CERT_PATH: '/c.pem' })).toThrow(/SEAL_P12_PATH/);
    expect(() => loadConfig({ SEAL_TSA_URL: 'ftp://tsa.example.org' })).toThrow(/SEAL_TSA_URL/);
  });
});
