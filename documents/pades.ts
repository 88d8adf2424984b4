/**
 * PAdES signatures (ETSI EN 319 142-1) of sealed PDFs: the CMS SignedData that goes into the PDF's
 * signature dictionary (SubFilter ETSI.CAdES.detached), made and checked with pkijs.
 *
 * Baseline B-B: signed attributes content-type, message-digest and signing-certificate-v2 (the
 * signing time is the signature dictionary's /M, so no signing-time attribute). Baseline B-T adds an
 * RFC 3161 time-stamp token over the signature value as the signature-time-stamp unsigned attribute.
 *
 * Pure apart from the time-stamp transport, which the caller supplies (documents/ does no network).
 */
import crypto from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  signatureTimeStamp: '1.2.840.113549.1.9.16.2.14',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  sha256: '2.16.840.1.101.3.4.2.1',
  commonName: '2.5.4.3',
} as const;

/** The organisation's signing key and certificate chain, ready to sign. */
export interface SigningIdentity {
  privateKey: CryptoKey;
  /** the signing certificate first, then any intermediates to include */
  certificates: pkijs.Certificate[];
  /** SHA-256 of the signing certificate's DER, lowercase hex: what a seal manifest names */
  certificateSha256: string;
  /** the signing certificate's subject common name (or its whole subject) */
  subjectName: string;
  /** true for the generated default: no one but this installation vouches for it */
  selfSigned: boolean;
}

/**
 * Sends an RFC 3161 TimeStampReq (DER) to a time-stamp authority and returns its TimeStampResp
 * (DER). Supplied by the caller, which owns the network.
 */
export type TimestampTransport = (request: Buffer) => Promise<Buffer>;

export class PadesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PadesError';
  }
}

function sha256(bytes: Uint8Array): Buffer {
  return crypto.createHash('sha256').update(bytes).digest();
}

function view(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

export function certificateDer(certificate: pkijs.Certificate): Buffer {
  return Buffer.from(certificate.toSchema(true).toBER(false));
}

/** A certificate's subject CN, else its whole subject as `type=value` pairs. */
export function subjectName(certificate: pkijs.Certificate): string {
  const cn = certificate.subject.typesAndValues.find((t) => t.type === OID.commonName);
  if (cn) return String(cn.value.valueBlock.value);
  return certificate.subject.typesAndValues.map((t) => `${t.type}=${String(t.value.valueBlock.value)}`).join(', ');
}

/** ESS signing-certificate-v2 (RFC 5035): binds the signature to this certificate. */
function signingCertificateV2(certificate: pkijs.Certificate): asn1js.Sequence {
  const issuerSerial = new asn1js.Sequence({
    value: [new pkijs.GeneralNames({ names: [new pkijs.GeneralName({ type: 4, value: certificate.issuer })] }).toSchema(), certificate.serialNumber],
  });
  // ESSCertIDv2: hashAlgorithm is left out, as its DEFAULT is SHA-256
  const essCertId = new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: view(sha256(certificateDer(certificate))) }), issuerSerial] });
  return new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [essCertId] })] });
}

/** DER requires the members of a SET OF in the order of their encodings. */
function derSorted(attributes: pkijs.Attribute[]): pkijs.Attribute[] {
  const encoded = attributes.map((a) => ({ a, der: Buffer.from(a.toSchema().toBER(false)) }));
  return encoded.sort((x, y) => Buffer.compare(x.der, y.der)).map((x) => x.a);
}

function parseTimeStampResponse(der: Buffer): pkijs.TimeStampResp {
  try {
    return pkijs.TimeStampResp.fromBER(view(der));
  } catch (err) {
    throw new PadesError(`the time-stamp authority's answer is not a TimeStampResp: ${(err as Error).message}`);
  }
}

/** Asks the time-stamp authority for a token over `signature` and checks what comes back. */
async function timestampToken(signature: Uint8Array, transport: TimestampTransport): Promise<pkijs.ContentInfo> {
  const nonce = crypto.randomBytes(8);
  nonce[0] &= 0x7f; // a positive INTEGER
  const request = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 }),
      hashedMessage: new asn1js.OctetString({ valueHex: view(sha256(signature)) }),
    }),
    nonce: new asn1js.Integer({ valueHex: view(nonce) }),
    certReq: true,
  });
  const response = parseTimeStampResponse(await transport(Buffer.from(request.toSchema().toBER(false))));
  const status = response.status.status;
  if (status !== pkijs.PKIStatus.granted && status !== pkijs.PKIStatus.grantedWithMods) {
    const text = (response.status.statusStrings ?? []).map((s) => s.valueBlock.value).join('; ');
    throw new PadesError(`the time-stamp authority refused the request (status ${status}${text ? `: ${text}` : ''})`);
  }
  if (!response.timeStampToken) throw new PadesError('the time-stamp authority granted the request but sent no token');
  const info = tstInfoOf(response.timeStampToken);
  if (!info.nonce || Buffer.compare(Buffer.from(info.nonce.valueBlock.valueHexView), nonce) !== 0) {
    throw new PadesError("the time-stamp token does not carry this request's nonce");
  }
  const valid = await response.verify({ signer: 0, trustedCerts: [], data: view(signature) }).catch(() => false);
  if (!valid) throw new PadesError('the time-stamp token does not verify over this signature');
  return response.timeStampToken;
}

function tstInfoOf(token: pkijs.ContentInfo): pkijs.TSTInfo {
  const signed = new pkijs.SignedData({ schema: token.content });
  const content = signed.encapContentInfo.eContent;
  if (signed.encapContentInfo.eContentType !== OID.tstInfo || !content) throw new PadesError('the time-stamp token holds no TSTInfo');
  return pkijs.TSTInfo.fromBER(content.getValue());
}

/**
 * The CMS SignedData (DER) of a PAdES signature over `signedBytes` (the PDF outside the signature's
 * /Contents). With a time-stamp transport it is baseline B-T, else B-B.
 */
export async function createPadesSignature(
  signedBytes: Uint8Array,
  identity: SigningIdentity,
  options: { timestamp?: TimestampTransport } = {},
): Promise<Buffer> {
  const certificate = identity.certificates[0];
  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: certificate.issuer, serialNumber: certificate.serialNumber }),
    signedAttrs: new pkijs.SignedAndUnsignedAttributes({
      type: 0,
      attributes: derSorted([
        new pkijs.Attribute({ type: OID.contentType, values: [new asn1js.ObjectIdentifier({ value: OID.data })] }),
        new pkijs.Attribute({ type: OID.messageDigest, values: [new asn1js.OctetString({ valueHex: view(sha256(signedBytes)) })] }),
        new pkijs.Attribute({ type: OID.signingCertificateV2, values: [signingCertificateV2(certificate)] }),
      ]),
    }),
  });
  const signedData = new pkijs.SignedData({
    version: 1,
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.data }),
    signerInfos: [signerInfo],
    certificates: identity.certificates,
  });
  await signedData.sign(identity.privateKey, 0, 'SHA-256');
  if (options.timestamp) {
    const token = await timestampToken(signerInfo.signature.valueBlock.valueHexView, options.timestamp);
    signerInfo.unsignedAttrs = new pkijs.SignedAndUnsignedAttributes({
      type: 1,
      attributes: [new pkijs.Attribute({ type: OID.signatureTimeStamp, values: [token.toSchema()] })],
    });
  }
  const contentInfo = new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) });
  return Buffer.from(contentInfo.toSchema().toBER(false));
}

/** What checking a PAdES signature found. */
export type PadesCheck =
  | {
      valid: true;
      level: 'PAdES-B-B' | 'PAdES-B-T';
      signer: string;
      certificateSha256: string;
      /** the time-stamp authority's time, for B-T */
      timestampedAt: string | null;
    }
  | { valid: false; problem: string };

function attribute(attrs: pkijs.SignedAndUnsignedAttributes | undefined, type: string): pkijs.Attribute | undefined {
  return attrs?.attributes.find((a) => a.type === type);
}

/**
 * Checks the CMS SignedData of a PDF signature over `signedBytes`: it must parse, its one signer's
 * signature and message digest must verify with the certificate it carries, and that certificate
 * must be the one its signing-certificate-v2 attribute names. A time-stamp token, if present, must
 * verify over the signature value. Trust in the certificate is not judged here: the caller compares
 * its fingerprint with the one the seal manifest names.
 */
export async function checkPadesSignature(cms: Uint8Array, signedBytes: Uint8Array): Promise<PadesCheck> {
  let signedData: pkijs.SignedData;
  try {
    const parsed = asn1js.fromBER(view(cms));
    if (parsed.offset === -1) return { valid: false, problem: 'the signature is not DER' };
    const contentInfo = new pkijs.ContentInfo({ schema: parsed.result });
    if (contentInfo.contentType !== OID.signedData) return { valid: false, problem: 'the signature is not CMS SignedData' };
    signedData = new pkijs.SignedData({ schema: contentInfo.content });
  } catch {
    return { valid: false, problem: 'the signature is not CMS SignedData' };
  }
  if (signedData.signerInfos.length !== 1) return { valid: false, problem: `the signature has ${signedData.signerInfos.length} signers, not one` };
  const signerInfo = signedData.signerInfos[0];
  let result: pkijs.SignedDataVerifyResult;
  try {
    result = await signedData.verify({ signer: 0, data: view(signedBytes), checkChain: false, extendedMode: true });
  } catch (err) {
    const message = err && typeof err === 'object' && 'message' in err ? String((err as { message: unknown }).message) : 'it does not verify';
    return { valid: false, problem: `the signature does not verify: ${message}` };
  }
  if (!result.signatureVerified || !result.signerCertificate) return { valid: false, problem: 'the signature does not verify' };
  const der = certificateDer(result.signerCertificate);
  const fingerprint = sha256(der);

  const essAttr = attribute(signerInfo.signedAttrs, OID.signingCertificateV2);
  if (!essAttr) return { valid: false, problem: 'the signature has no signing-certificate-v2 attribute (PAdES requires it)' };
  try {
    const certs = (essAttr.values[0] as asn1js.Sequence).valueBlock.value[0] as asn1js.Sequence;
    const first = certs.valueBlock.value[0] as asn1js.Sequence;
    const parts = first.valueBlock.value;
    // a hashAlgorithm other than the default SHA-256 comes first when present
    const hash = parts.find((p) => p instanceof asn1js.OctetString) as asn1js.OctetString | undefined;
    const algorithm = parts[0] instanceof asn1js.Sequence ? new pkijs.AlgorithmIdentifier({ schema: parts[0] }).algorithmId : OID.sha256;
    if (algorithm !== OID.sha256 || !hash || Buffer.compare(Buffer.from(hash.valueBlock.valueHexView), fingerprint) !== 0) {
      return { valid: false, problem: 'the signing-certificate-v2 attribute names another certificate' };
    }
  } catch {
    return { valid: false, problem: 'the signing-certificate-v2 attribute cannot be read' };
  }

  let timestampedAt: string | null = null;
  const tsAttr = attribute(signerInfo.unsignedAttrs, OID.signatureTimeStamp);
  if (tsAttr) {
    try {
      const token = new pkijs.ContentInfo({ schema: tsAttr.values[0] });
      const tokenData = new pkijs.SignedData({ schema: token.content });
      const ok = await tokenData.verify({ signer: 0, data: view(signerInfo.signature.valueBlock.valueHexView), checkChain: false });
      if (!ok) return { valid: false, problem: 'the time-stamp token does not verify' };
      timestampedAt = tstInfoOf(token).genTime.toISOString();
    } catch {
      return { valid: false, problem: 'the time-stamp token does not verify over the signature' };
    }
  }
  return {
    valid: true,
    level: timestampedAt ? 'PAdES-B-T' : 'PAdES-B-B',
    signer: subjectName(result.signerCertificate),
    certificateSha256: fingerprint.toString('hex'),
    timestampedAt,
  };
}
