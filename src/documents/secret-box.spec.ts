import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../config';
import { SealedSecretError, SecretBox, SecretKeyError } from './secret-box';

describe('SecretBox', () => {
  let dir: string;
  const box = (env: Record<string, string> = {}) => new SecretBox(loadConfig({ DATA_DIR: dir, ...env }));

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'zhiku-secret-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('seals with a fresh IV each time and opens only for the same context', () => {
    const b = box();
    const a1 = b.seal('usersecret 密码', 'doc-1');
    const a2 = b.seal('usersecret 密码', 'doc-1');
    expect(a1).toMatch(/^v1\.[0-9a-f]{8}\.[A-Za-z0-9_-]+$/);
    expect(a1).not.toBe(a2);
    expect(a1).not.toContain('usersecret');
    expect(Buffer.from(a1.split('.')[2], 'base64url').toString('latin1')).not.toContain('usersecret');
    expect(b.unseal(a1, 'doc-1')).toBe('usersecret 密码');
    expect(() => b.unseal(a1, 'doc-2')).toThrow(new SealedSecretError('the sealed value was altered or belongs to something else'));
  });

  it('detects tampering, truncation and foreign values', () => {
    const b = box();
    const sealed = b.seal('x', 'd');
    const raw = Buffer.from(sealed.split('.')[2], 'base64url');
    raw[raw.length - 1] ^= 1;
    const tampered = `${sealed.split('.').slice(0, 2).join('.')}.${raw.toString('base64url')}`;
    expect(() => b.unseal(tampered, 'd')).toThrow('the sealed value was altered or belongs to something else');
    expect(() => b.unseal(`${sealed.split('.').slice(0, 2).join('.')}.AAAA`, 'd')).toThrow('the sealed value is truncated');
    expect(() => b.unseal('usersecret', 'd')).toThrow('not a sealed value of this server');
  });

  it('generates the key file once (mode 0600) and every process on the data folder shares it', () => {
    const sealed = box().seal('pw', 'd');
    const file = path.join(dir, 'secret.key');
    expect(readFileSync(file, 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(box().unseal(sealed, 'd')).toBe('pw');
  });

  it('takes ZHIKU_SECRET_KEY instead of a file; a value sealed under another key names the cause', () => {
    const key = 'ab'.repeat(32);
    const configured = box({ ZHIKU_SECRET_KEY: key.toUpperCase() });
    const sealed = configured.seal('pw', 'd');
    expect(() => readFileSync(path.join(dir, 'secret.key'))).toThrow(/ENOENT/);
    expect(box({ ZHIKU_SECRET_KEY: key }).unseal(sealed, 'd')).toBe('pw');
    expect(() => box().unseal(sealed, 'd')).toThrow(/sealed under another server key .*same ZHIKU_SECRET_KEY/);
    expect(() => loadConfig({ DATA_DIR: dir, ZHIKU_SECRET_KEY: 'short' })).toThrow(/ZHIKU_SECRET_KEY: expected 64 hex characters/);
  });

  it('refuses a damaged key file with what to do about it', () => {
    writeFileSync(path.join(dir, 'secret.key'), 'not a key\n');
    expect(() => box().seal('pw', 'd')).toThrow(SecretKeyError);
    expect(() => box().seal('pw', 'd')).toThrow(/does not hold a 256-bit key .* remove it to have a new one made/);
  });
});
