import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The server key cannot be read or is not a 256-bit hex key. */
export class SecretKeyError extends Error {
  override readonly name = 'SecretKeyError';
}

/** A sealed value that this server cannot open (another key, damaged, or sealed for another context). */
export class SealedSecretError extends Error {
  override readonly name = 'SealedSecretError';
}

/**
 * Seals short secrets (the password of an encrypted upload) with AES-256-GCM under the server key,
 * so they can travel through the jobs ledger and Redis without being readable there. The key is
 * ZHIKU_SECRET_KEY, or one generated on first use into SECRET_KEY_FILE (default DATA_DIR/secret.key).
 * Sealed form: `v1.<key id>.<base64url(iv | tag | ciphertext)>`; the key id (8 hex of the key's
 * SHA-256) tells "sealed under another key" apart from "damaged". `context` (the document id) is
 * authenticated too, so a sealed value copied onto another job does not open.
 */
@Injectable()
export class SecretBox {
  private key?: { bytes: Buffer; id: string };

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  seal(plaintext: string, context: string): string {
    const { bytes, id } = this.loadKey();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', bytes, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${VERSION}.${id}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
  }

  unseal(sealed: string, context: string): string {
    const { bytes, id } = this.loadKey();
    const [version, keyId, data, ...rest] = sealed.split('.');
    if (version !== VERSION || !keyId || !data || rest.length) throw new SealedSecretError('not a sealed value of this server');
    if (keyId !== id) {
      throw new SealedSecretError(
        `sealed under another server key (${keyId}, this process has ${id}): give every API and worker process the same ZHIKU_SECRET_KEY`,
      );
    }
    const raw = Buffer.from(data, 'base64url');
    if (raw.length < IV_BYTES + TAG_BYTES) throw new SealedSecretError('the sealed value is truncated');
    try {
      const decipher = createDecipheriv('aes-256-gcm', bytes, raw.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new SealedSecretError('the sealed value was altered or belongs to something else');
    }
  }

  private loadKey(): { bytes: Buffer; id: string } {
    if (this.key) return this.key;
    const hex = this.config.secretKey ?? readOrCreateKeyFile(this.config.secretKeyFile);
    const bytes = Buffer.from(hex, 'hex');
    this.key = { bytes, id: createHash('sha256').update(bytes).digest('hex').slice(0, 8) };
    return this.key;
  }
}

/**
 * The key file, made on first use. Written to a temporary name and hard-linked into place, so two
 * processes starting at once agree on one key and neither ever reads a half-written file.
 */
function readOrCreateKeyFile(file: string): string {
  try {
    return parseKeyFile(file, readFileSync(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(temp, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  try {
    linkSync(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(temp, { force: true });
  }
  return parseKeyFile(file, readFileSync(file, 'utf8'));
}

function parseKeyFile(file: string, text: string): string {
  const hex = text.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new SecretKeyError(`${file} does not hold a 256-bit key (64 hex characters); restore it, or remove it to have a new one made (passwords sealed under the old key can no longer be read)`);
  }
  return hex;
}
