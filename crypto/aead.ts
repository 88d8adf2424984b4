import crypto from 'node:crypto';

/** The one authenticated cipher Formwork uses: AES-256-GCM with a 96-bit IV and a 128-bit tag. */
export const AEAD_CIPHER = 'aes-256-gcm';
export const AEAD_IV_BYTES = 12;
export const AEAD_TAG_BYTES = 16;

/** What encryption gives back; each caller lays the parts out in its own stored format. */
export interface Sealed {
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/** Encrypts `plain` under a 256-bit key with a fresh random IV; `aad` is bound into the tag, not encrypted. */
export function aeadEncrypt(key: Buffer, plain: Buffer, aad?: Buffer): Sealed {
  const iv = crypto.randomBytes(AEAD_IV_BYTES);
  const cipher = crypto.createCipheriv(AEAD_CIPHER, key, iv);
  if (aad) cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()]);
  return { iv, ciphertext, tag: cipher.getAuthTag() };
}

/** Decrypts what `aeadEncrypt` made; throws if the key or `aad` is wrong or anything was altered. */
export function aeadDecrypt(key: Buffer, sealed: Sealed, aad?: Buffer): Buffer {
  const decipher = crypto.createDecipheriv(AEAD_CIPHER, key, sealed.iv);
  if (aad) decipher.setAAD(aad);
  decipher.setAuthTag(sealed.tag);
  return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
}
