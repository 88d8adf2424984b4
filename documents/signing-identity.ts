/**
 * The organisation's signing identity for sealed PDFs, from PEM or PKCS#12 bytes, or generated as a
 * self-signed default. Pure: bytes in, identity out; reading and writing the files is the
 * composition root's job (bin/runtime.ts).
 */
import crypto from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { certificateDer, OID, subjectName, type SigningIdentity } from './pades';

export class SigningIdentityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SigningIdentityError';
  }
}

const SHROUDED_KEY_BAG = '1.2.840.113549.1.12.10.1.2';
const KEY_BAG = '1.2.840.113549.1.12.10.1.1';
const CERT_BAG = '1.2.840.113549.1.12.10.1.3';

const CURVES: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

function view(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

function pemBlocks(pem: string, label: string): Buffer[] {
  const re = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`, 'g');
  return [...pem.matchAll(re)].map((m) => Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
}

function parseCertificate(der: Uint8Array): pkijs.Certificate {
  try {
    return pkijs.Certificate.fromBER(view(der));
  } catch (err) {
    throw new SigningIdentityError(`a certificate cannot be read: ${(err as Error).message}`);
  }
}

/** Imports a private key for signing, refusing key types a PAdES validator would not accept. */
async function importSigningKey(key: crypto.KeyObject): Promise<CryptoKey> {
  const der = key.export({ type: 'pkcs8', format: 'der' });
  if (key.asymmetricKeyType === 'rsa') {
    if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) throw new SigningIdentityError('an RSA signing key must have at least 2048 bits');
    return crypto.webcrypto.subtle.importKey('pkcs8', der, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']);
  }
  if (key.asymmetricKeyType === 'ec') {
    const curve = CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''];
    if (!curve)
      throw new SigningIdentityError(
        `the EC signing key's curve ${key.asymmetricKeyDetails?.namedCurve ?? '(unknown)'} is not supported (use P-256, P-384 or P-521)`,
      );
    return crypto.webcrypto.subtle.importKey('pkcs8', der, { name: 'ECDSA', namedCurve: curve }, false, ['sign']);
  }
  throw new SigningIdentityError(`a ${key.asymmetricKeyType ?? 'non-RSA, non-EC'} signing key is not supported (use RSA or EC)`);
}

/** Orders certificates leaf first: the one whose public key matches the private key. */
function withLeafFirst(key: crypto.KeyObject, certificates: pkijs.Certificate[]): pkijs.Certificate[] {
  const publicDer = crypto.createPublicKey(key).export({ type: 'spki', format: 'der' });
  const leaf = certificates.findIndex((c) => Buffer.compare(Buffer.from(c.subjectPublicKeyInfo.toSchema().toBER(false)), publicDer) === 0);
  if (leaf < 0) throw new SigningIdentityError('no certificate given matches the signing key');
  return [certificates[leaf], ...certificates.filter((_, i) => i !== leaf)];
}

async function identityOf(key: crypto.KeyObject, certificates: pkijs.Certificate[], selfSigned: boolean): Promise<SigningIdentity> {
  const ordered = withLeafFirst(key, certificates);
  const leaf = ordered[0];
  const now = Date.now();
  if (leaf.notAfter.value.getTime() < now) throw new SigningIdentityError(`the signing certificate expired on ${leaf.notAfter.value.toISOString()}`);
  return {
    privateKey: await importSigningKey(key),
    certificates: ordered,
    certificateSha256: crypto.createHash('sha256').update(certificateDer(leaf)).digest('hex'),
    subjectName: subjectName(leaf),
    selfSigned,
  };
}

function isSelfSigned(certificate: pkijs.Certificate): boolean {
  return Buffer.compare(Buffer.from(certificate.issuer.toSchema().toBER(false)), Buffer.from(certificate.subject.toSchema().toBER(false))) === 0;
}

/**
 * From a PEM private key (PKCS#8 or traditional, optionally encrypted with `passphrase`) and a PEM
 * certificate file, which may hold the chain after the signing certificate.
 */
export async function identityFromPem(keyPem: string, certificatePem: string, passphrase?: string): Promise<SigningIdentity> {
  let key: crypto.KeyObject;
  try {
    key = crypto.createPrivateKey({ key: keyPem, format: 'pem', ...(passphrase ? { passphrase } : {}) });
  } catch (err) {
    throw new SigningIdentityError(`the signing key cannot be read: ${(err as Error).message}`);
  }
  const certificates = pemBlocks(certificatePem, 'CERTIFICATE').map(parseCertificate);
  if (certificates.length === 0) throw new SigningIdentityError('the certificate file holds no PEM certificate');
  const identity = await identityOf(key, certificates, false);
  return { ...identity, selfSigned: isSelfSigned(identity.certificates[0]) };
}

/**
 * From a PKCS#12 (.p12/.pfx) file protected with PBES2 (what current OpenSSL and most tools write).
 * Files using the legacy RC2/3DES schemes are refused with a message saying how to convert them.
 */
export async function identityFromPkcs12(bytes: Uint8Array, password: string): Promise<SigningIdentity> {
  const pass = view(Buffer.from(password, 'utf8'));
  const keys: crypto.KeyObject[] = [];
  const certificates: pkijs.Certificate[] = [];
  try {
    const pfx = pkijs.PFX.fromBER(view(bytes));
    await pfx.parseInternalValues({ password: pass, checkIntegrity: true });
    const safe = pfx.parsedValue?.authenticatedSafe;
    if (!safe) throw new Error('it holds no authenticated safe');
    await safe.parseInternalValues({ safeContents: safe.safeContents.map(() => ({ password: pass })) });
    for (const contents of safe.parsedValue?.safeContents ?? []) {
      for (const bag of contents.value.safeBags) {
        if (bag.bagId === SHROUDED_KEY_BAG) {
          const shrouded = bag.bagValue as pkijs.PKCS8ShroudedKeyBag;
          // declared protected, but it is how pkijs decrypts a shrouded key bag
          await (shrouded as unknown as { parseInternalValues(p: { password: ArrayBuffer }): Promise<void> }).parseInternalValues({ password: pass });
          const info = shrouded.parsedValue;
          if (info) keys.push(crypto.createPrivateKey({ key: Buffer.from(info.toSchema().toBER(false)), format: 'der', type: 'pkcs8' }));
        } else if (bag.bagId === KEY_BAG) {
          keys.push(
            crypto.createPrivateKey({ key: Buffer.from((bag.bagValue as pkijs.PrivateKeyInfo).toSchema().toBER(false)), format: 'der', type: 'pkcs8' }),
          );
        } else if (bag.bagId === CERT_BAG) {
          const value = (bag.bagValue as pkijs.CertBag).parsedValue;
          if (value instanceof pkijs.Certificate) certificates.push(value);
        }
      }
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new SigningIdentityError(
      `the PKCS#12 file cannot be opened (${message}); check the password, or re-export it with PBES2 ` +
        '(e.g. `openssl pkcs12 -export -keypbe AES-256-CBC -certpbe AES-256-CBC -macalg sha256 …`)',
    );
  }
  if (keys.length !== 1) throw new SigningIdentityError(`the PKCS#12 file holds ${keys.length} private keys; it must hold exactly one`);
  if (certificates.length === 0) throw new SigningIdentityError('the PKCS#12 file holds no certificate');
  const identity = await identityOf(keys[0], certificates, false);
  return { ...identity, selfSigned: isSelfSigned(identity.certificates[0]) };
}

function name(commonName: string): pkijs.RelativeDistinguishedNames {
  return new pkijs.RelativeDistinguishedNames({
    typesAndValues: [new pkijs.AttributeTypeAndValue({ type: OID.commonName, value: new asn1js.Utf8String({ value: commonName }) })],
  });
}

/**
 * A certificate serial number from random bytes: positive (top bit clear) and minimally encoded
 * (first byte not zero). A first byte of zero followed by one below 0x80 is a non-minimal DER
 * INTEGER, which strict verifiers (NSS, and so poppler's pdfsig) refuse, taking the whole
 * certificate, and every seal made with it, as unreadable: one random serial in 256 did that.
 */
export function serialNumber(random: Buffer): Buffer {
  const serial = Buffer.from(random);
  serial[0] &= 0x7f;
  if (serial[0] === 0) serial[0] = 0x01;
  return serial;
}

/**
 * A new ECDSA P-256 key and a self-signed certificate for it (ten years, digital signature and
 * non-repudiation), as PEM. The embedded default: it proves a sealed PDF unchanged since this
 * installation sealed it, but no outside authority vouches for it.
 */
export async function generateSelfSignedIdentity(commonName: string, now = new Date()): Promise<{ keyPem: string; certificatePem: string }> {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const certificate = new pkijs.Certificate();
  certificate.version = 2;
  certificate.serialNumber = new asn1js.Integer({ valueHex: view(serialNumber(crypto.randomBytes(16))) });
  certificate.issuer = name(commonName);
  certificate.subject = name(commonName);
  certificate.notBefore.value = new Date(now.getTime() - 86_400_000);
  certificate.notAfter.value = new Date(now.getTime() + 10 * 365 * 86_400_000);
  certificate.subjectPublicKeyInfo = pkijs.PublicKeyInfo.fromBER(view(publicKey.export({ type: 'spki', format: 'der' })));
  const keyId = crypto.createHash('sha1').update(Buffer.from(certificate.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView)).digest();
  certificate.extensions = [
    new pkijs.Extension({ extnID: '2.5.29.19', critical: true, extnValue: new pkijs.BasicConstraints({ cA: false }).toSchema().toBER(false) }),
    // digitalSignature and nonRepudiation (contentCommitment)
    new pkijs.Extension({
      extnID: '2.5.29.15',
      critical: true,
      extnValue: new asn1js.BitString({ valueHex: new Uint8Array([0xc0]).buffer, unusedBits: 6 }).toBER(false),
    }),
    new pkijs.Extension({ extnID: '2.5.29.14', extnValue: new asn1js.OctetString({ valueHex: view(keyId) }).toBER(false) }),
  ];
  const signingKey = await crypto.webcrypto.subtle.importKey(
    'pkcs8',
    privateKey.export({ type: 'pkcs8', format: 'der' }),
    { name: 'ECDSA', namedCurve: 'P-256' },
    false,
    ['sign'],
  );
  await certificate.sign(signingKey, 'SHA-256');
  const der = Buffer.from(certificate.toSchema(true).toBER(false));
  const certificatePem = `-----BEGIN CERTIFICATE-----\n${der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .trimEnd()}\n-----END CERTIFICATE-----\n`;
  return { keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, certificatePem };
}
