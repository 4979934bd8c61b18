import { createDecipheriv, createHash, type BinaryLike } from 'node:crypto';
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
 * verifier, package decrypted with AES-ECB; and Agile encryption (Office 2010+: SHA-512, AES-CBC
 * in 4 KiB segments), its password checked against the encrypted verifier hash.
 */
export function decryptOoxml(streams: OleStreams, password: string): Uint8Array {
  const info = Buffer.from(streams.encryptionInfo);
  const major = info.readUInt16LE(0);
  const minor = info.readUInt16LE(2);
  if (major === 4 && minor === 4) return decryptAgile(info.subarray(8).toString('utf8'), streams.encryptedPackage, password);
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

const VERIFIER_INPUT_KEY = Buffer.from('fea7d2763b4b9e79', 'hex');
const VERIFIER_HASH_KEY = Buffer.from('d7aa0f6d3061344e', 'hex');
const SECRET_KEY_KEY = Buffer.from('146e0be7abacd0d6', 'hex');

interface AgileParams {
  salt: Buffer;
  blockSize: number;
  keyBits: number;
  hashSize: number;
  hash: string;
  cipher: string;
}

function attr(element: string, name: string): string {
  const m = new RegExp(`\\b${name}="([^"]*)"`).exec(element);
  if (!m) throw new CorruptDocumentError('unknown', `encryption info lacks ${name}`);
  return m[1];
}

function params(element: string): AgileParams {
  const algorithm = attr(element, 'cipherAlgorithm');
  const chaining = attr(element, 'cipherChaining');
  if (algorithm !== 'AES' || chaining !== 'ChainingModeCBC') throw new UnsupportedFormatError(`encrypted-ooxml-${algorithm}-${chaining}`);
  const keyBits = Number(attr(element, 'keyBits'));
  return {
    salt: Buffer.from(attr(element, 'saltValue'), 'base64'),
    blockSize: Number(attr(element, 'blockSize')),
    keyBits,
    hashSize: Number(attr(element, 'hashSize')),
    hash: attr(element, 'hashAlgorithm').replace('-', '').toLowerCase(),
    cipher: `aes-${keyBits}-cbc`,
  };
}

function fit(buffer: Buffer, length: number, pad: number): Buffer {
  return buffer.length >= length ? buffer.subarray(0, length) : Buffer.concat([buffer, Buffer.alloc(length - buffer.length, pad)]);
}

function decryptAgile(xml: string, encryptedPackage: Uint8Array, password: string): Uint8Array {
  const keyDataTag = /<keyData\b[^>]*>/.exec(xml)?.[0];
  const passwordTag = /<p:encryptedKey\b[^>]*>/.exec(xml)?.[0];
  if (!keyDataTag || !passwordTag) throw new UnsupportedFormatError('encrypted-ooxml-certificate', 'only password encryption is supported');
  const data = params(keyDataTag);
  const pw = params(passwordTag);
  const digest = (algorithm: string, ...parts: BinaryLike[]) => {
    const h = createHash(algorithm);
    for (const p of parts) h.update(p);
    return h.digest();
  };
  const aes = (cipher: string, key: Buffer, iv: Buffer, input: Buffer) => {
    const d = createDecipheriv(cipher, key, iv).setAutoPadding(false);
    return Buffer.concat([d.update(input), d.final()]);
  };
  let h = digest(pw.hash, pw.salt, Buffer.from(password, 'utf16le'));
  const spin = Number(attr(passwordTag, 'spinCount'));
  for (let i = 0; i < spin; i++) h = digest(pw.hash, le32(i), h);
  const keyFor = (block: Buffer) => fit(digest(pw.hash, h, block), pw.keyBits / 8, 0x36);
  const iv = fit(pw.salt, pw.blockSize, 0x36);
  const verifierInput = aes(pw.cipher, keyFor(VERIFIER_INPUT_KEY), iv, Buffer.from(attr(passwordTag, 'encryptedVerifierHashInput'), 'base64'));
  const verifierHash = aes(pw.cipher, keyFor(VERIFIER_HASH_KEY), iv, Buffer.from(attr(passwordTag, 'encryptedVerifierHashValue'), 'base64'));
  const expected = digest(pw.hash, verifierInput.subarray(0, pw.salt.length));
  if (!expected.equals(verifierHash.subarray(0, pw.hashSize))) throw new EncryptedDocumentError('wrong_password');
  const secret = aes(pw.cipher, keyFor(SECRET_KEY_KEY), iv, Buffer.from(attr(passwordTag, 'encryptedKeyValue'), 'base64')).subarray(0, data.keyBits / 8);

  const pkg = Buffer.from(encryptedPackage);
  const size = Number(pkg.readBigUInt64LE(0));
  const parts: Buffer[] = [];
  for (let offset = 8, segment = 0; offset < pkg.length; offset += 4096, segment++) {
    const chunk = pkg.subarray(offset, Math.min(offset + 4096, pkg.length));
    const usable = chunk.subarray(0, chunk.length - (chunk.length % data.blockSize));
    const segmentIv = fit(digest(data.hash, data.salt, le32(segment)), data.blockSize, 0x36);
    parts.push(aes(data.cipher, secret, segmentIv, usable));
  }
  const plain = Buffer.concat(parts);
  if (size > plain.length) throw new CorruptDocumentError('unknown', 'encrypted package is truncated');
  return new Uint8Array(plain.subarray(0, size));
}
