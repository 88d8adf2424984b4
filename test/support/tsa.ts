/**
 * A small RFC 3161 time-stamp authority for tests, on 127.0.0.1, built with the same library that
 * makes and checks Formwork's signatures (pkijs): it answers a TimeStampReq with a token signed by
 * its own self-signed certificate, carrying the request's imprint and nonce. It can be told to
 * refuse, to test what sealing does when the authority says no.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { generateSelfSignedIdentity, identityFromPem } from '../../documents/signing-identity';

const TST_INFO = '1.2.840.113549.1.9.16.1.4';
const SIGNED_DATA = '1.2.840.113549.1.7.2';

function view(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

export interface TestTsa {
  url: string;
  /** requests answered so far */
  requests: number;
  /** when true, the authority answers with status "rejection" */
  refuse: boolean;
  close(): Promise<void>;
}

export async function startTestTsa(): Promise<TestTsa> {
  const pem = await generateSelfSignedIdentity('Formwork test time-stamp authority');
  const identity = await identityFromPem(pem.keyPem, pem.certificatePem);
  const state = { requests: 0, refuse: false };

  async function answer(body: Buffer): Promise<Buffer> {
    const request = pkijs.TimeStampReq.fromBER(view(body));
    if (state.refuse) {
      return Buffer.from(
        new pkijs.TimeStampResp({
          status: new pkijs.PKIStatusInfo({ status: pkijs.PKIStatus.rejection, statusStrings: [new asn1js.Utf8String({ value: 'refused by the test' })] }),
        })
          .toSchema()
          .toBER(false),
      );
    }
    const serial = crypto.randomBytes(8);
    serial[0] &= 0x7f;
    const info = new pkijs.TSTInfo({
      version: 1,
      policy: '1.3.6.1.4.1.99999.1',
      messageImprint: request.messageImprint,
      serialNumber: new asn1js.Integer({ valueHex: view(serial) }),
      genTime: new Date(),
      ...(request.nonce ? { nonce: request.nonce } : {}),
    });
    // set after construction: given eContent, pkijs would split it into a constructed (BER) string,
    // which time-stamp authorities do not send
    const content = new pkijs.EncapsulatedContentInfo({ eContentType: TST_INFO });
    content.eContent = new asn1js.OctetString({ valueHex: info.toSchema().toBER(false) });
    const signed = new pkijs.SignedData({
      version: 3,
      encapContentInfo: content,
      signerInfos: [
        new pkijs.SignerInfo({
          version: 1,
          sid: new pkijs.IssuerAndSerialNumber({ issuer: identity.certificates[0].issuer, serialNumber: identity.certificates[0].serialNumber }),
        }),
      ],
      certificates: request.certReq ? identity.certificates : [],
    });
    await signed.sign(identity.privateKey, 0, 'SHA-256');
    const token = new pkijs.ContentInfo({ contentType: SIGNED_DATA, content: signed.toSchema(true) });
    return Buffer.from(
      new pkijs.TimeStampResp({ status: new pkijs.PKIStatusInfo({ status: pkijs.PKIStatus.granted }), timeStampToken: token }).toSchema().toBER(false),
    );
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.requests += 1;
      answer(Buffer.concat(chunks)).then(
        (reply) => res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(reply),
        (err: Error) => res.writeHead(400, { 'content-type': 'text/plain' }).end(err.message),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/tsa`,
    get requests() {
      return state.requests;
    },
    get refuse() {
      return state.refuse;
    },
    set refuse(value: boolean) {
      state.refuse = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
