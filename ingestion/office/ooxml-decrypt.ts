import { createDecipheriv, createHash } from 'node:crypto';
import { CorruptDocumentError, EncryptedDocumentError, UnsupportedFormatError } from '../core/ingestion.errors';

export interface OleStreams {
  encryptionInfo: Uint8Array;
  encryptedPackage: Uint8Array;
}

const sha1 = (...parts: Uint8Array[]) => {
  const h = createHash('sha1');
  for (const p of parts) h.update(p);
  return h.digest();
};

const le32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};

/**
 * Decrypts a password-protected xlsx/docx that uses ECMA-376 Standard encryption (AES-128/SHA-1,
 * what Excel 2007 and excelize write): key from 50,000 SHA-1 rounds, password checked against the
 * verifier, package decrypted with AES-ECB. Agile encryption (Office 2010+) is refused by name.
 */
export function decryptOoxml(streams: OleStreams, password: string): Uint8Array {
  const info = Buffer.from(streams.encryptionInfo);
  const major = info.readUInt16LE(0);
  const minor = info.readUInt16LE(2);
  if (major === 4 && minor === 4) throw new UnsupportedFormatError('encrypted-ooxml-agile', 'Agile (Office 2010+) encryption is not supported; save the file without a password');
  if (minor !== 2 || major < 2 || major > 4) throw new UnsupportedFormatError(`encrypted-ooxml-${major}.${minor}`);
  const headerSize = info.readUInt32LE(8);
  const header = info.subarray(12, 12 + headerSize);
  const algId = header.readUInt32LE(8);
  const keyBits = header.readUInt32LE(16);
  if (algId !== 0x660e && algId !== 0x660f && algId !== 0x6610) throw new UnsupportedFormatError('encrypted-ooxml-rc4', 'only AES Standard encryption is supported');
  const verifier = info.subarray(12 + headerSize);
  const saltSize = verifier.readUInt32LE(0);
  const salt = verifier.subarray(4, 4 + saltSize);
  const encryptedVerifier = verifier.subarray(4 + saltSize, 20 + saltSize);
  const encryptedVerifierHash = verifier.subarray(24 + saltSize, 24 + saltSize + 32);

  let hash = sha1(salt, Buffer.from(password, 'utf16le'));
  for (let i = 0; i < 50_000; i++) hash = sha1(le32(i), hash);
  const final = sha1(hash, le32(0));
  const derive = (fill: number) => {
    const buf = Buffer.alloc(64, fill);
    for (let i = 0; i < final.length; i++) buf[i] ^= final[i];
    return sha1(buf);
  };
  const key = Buffer.concat([derive(0x36), derive(0x5c)]).subarray(0, keyBits / 8);
  const cipher = `aes-${keyBits}-ecb`;
  const aes = (data: Uint8Array) => {
    const d = createDecipheriv(cipher, key, null).setAutoPadding(false);
    return Buffer.concat([d.update(data), d.final()]);
  };
  const plainVerifier = aes(encryptedVerifier);
  const verifierHash = aes(encryptedVerifierHash).subarray(0, 20);
  if (!sha1(plainVerifier).equals(verifierHash)) throw new EncryptedDocumentError('wrong_password');

  const pkg = Buffer.from(streams.encryptedPackage);
  const size = Number(pkg.readBigUInt64LE(0));
  const body = pkg.subarray(8, 8 + Math.ceil((pkg.length - 8) / 16) * 16);
  if (body.length % 16 !== 0 || size > body.length) throw new CorruptDocumentError('unknown', 'encrypted package is truncated');
  return new Uint8Array(aes(body).subarray(0, size));
}
