import { createHash, randomBytes } from 'node:crypto';
import { Injectable, Logger, UnauthorizedException } from '@nestjs/common';
import { ConflictError, InvalidInputError, NotFoundError } from '../common/app-error';
import { ApiKeysRepository, ApiKeyWithGrants } from './api-keys.repository';
import { AuthContext, Role } from './roles';

export interface CreateApiKeyInput {
  name: string;
  role: Role;
  /** Limit the key to these knowledge bases; omitted, it may use all of them. */
  knowledgeBaseIds?: string[];
}

/** A change of role or grants; `knowledgeBaseIds: null` lifts the limit (all knowledge bases). */
export interface UpdateApiKeyInput {
  role?: Role;
  knowledgeBaseIds?: string[] | null;
}

/** An API key as listed: never the key itself. */
export interface ApiKeyView {
  id: string;
  name: string;
  role: Role;
  prefix: string;
  knowledgeBases: 'all' | string[];
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export function mapApiKey(key: ApiKeyWithGrants): ApiKeyView {
  return {
    id: key.id,
    name: key.name,
    role: key.role,
    prefix: key.keyPrefix,
    knowledgeBases: key.allKnowledgeBases ? 'all' : key.knowledgeBaseIds,
    createdAt: key.createdAt.toISOString(),
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
  };
}

export const hashKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');
/** 256 random bits: a plain sha-256 is then as good as a slow hash, and lookups stay one index probe. */
const generateKey = (): string => `zk_${randomBytes(32).toString('base64url')}`;
const prefixOf = (key: string): string => key.slice(0, 10);

@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger('Auth');

  constructor(private readonly repository: ApiKeysRepository) {}

  /** Returns the new key once, in clear; only its hash is kept. */
  async create(input: CreateApiKeyInput, key = generateKey()): Promise<ApiKeyView & { key: string }> {
    if (await this.repository.findByHash(hashKey(key))) throw new ConflictError('this key already exists');
    await this.checkGrants(input.knowledgeBaseIds ?? []);
    const saved = await this.repository.create({
      name: input.name,
      role: input.role,
      keyHash: hashKey(key),
      keyPrefix: prefixOf(key),
      knowledgeBaseIds: input.knowledgeBaseIds,
    });
    this.logger.log({ msg: 'API key created', keyId: saved.id, name: saved.name, role: saved.role });
    return { ...mapApiKey(saved), key };
  }

  async list(includeRevoked = false): Promise<ApiKeyView[]> {
    return (await this.repository.list(includeRevoked)).map(mapApiKey);
  }

  /**
   * Changes the role and/or the grants of an active key. Every request reads its key afresh
   * (`authenticate`), so the change holds from the key's next request on.
   */
  async update(idOrPrefix: string, change: UpdateApiKeyInput): Promise<ApiKeyView> {
    if (change.role === undefined && change.knowledgeBaseIds === undefined) {
      throw new InvalidInputError('nothing to change: give role and/or knowledgeBaseIds (null for all knowledge bases)');
    }
    const key = await this.find(idOrPrefix);
    if (key.revokedAt) throw new ConflictError(`API key "${key.name}" is revoked; create a new key instead`);
    if (change.knowledgeBaseIds) await this.checkGrants(change.knowledgeBaseIds);
    if (key.role === 'admin' && change.role !== undefined && change.role !== 'admin' && (await this.repository.countActive('admin')) <= 1) {
      throw new ConflictError('cannot demote the last active admin key; create another admin key first');
    }
    const updated = await this.repository.update(key.id, change);
    this.logger.log({ msg: 'API key changed', keyId: key.id, name: key.name, role: updated.role, grants: updated.allKnowledgeBases ? 'all' : updated.knowledgeBaseIds.length });
    return mapApiKey(updated);
  }

  /** Revokes by id or by the key's prefix; the last active admin key cannot be revoked. */
  async revoke(idOrPrefix: string): Promise<ApiKeyView> {
    const key = await this.find(idOrPrefix);
    if (key.revokedAt) throw new ConflictError(`API key "${key.name}" is already revoked`);
    if (key.role === 'admin' && (await this.repository.countActive('admin')) <= 1) {
      throw new ConflictError('cannot revoke the last active admin key; create another admin key first');
    }
    await this.repository.revoke(key.id);
    this.logger.log({ msg: 'API key revoked', keyId: key.id, name: key.name });
    return mapApiKey((await this.repository.findById(key.id)) as ApiKeyWithGrants);
  }

  /** Who owns this bearer token; 401 with the reason otherwise. */
  async authenticate(token: string): Promise<AuthContext> {
    const key = await this.repository.findByHash(hashKey(token));
    if (!key) throw new UnauthorizedException('unknown API key');
    if (key.revokedAt) {
      throw new UnauthorizedException(`API key "${key.name}" was revoked at ${key.revokedAt.toISOString()}`);
    }
    await this.repository.touch(key.id);
    return {
      keyId: key.id,
      keyName: key.name,
      role: key.role,
      knowledgeBases: key.allKnowledgeBases ? 'all' : key.knowledgeBaseIds,
    };
  }

  /**
   * At first start: makes sure an admin key exists. ZHIKU_ADMIN_KEY is registered if it is not yet;
   * otherwise, when there is no active admin key, one is generated. Returns a generated key (to
   * print once) or null.
   */
  async ensureFirstAdmin(fixedKey?: string): Promise<string | null> {
    if (fixedKey) {
      const existing = await this.repository.findByHash(hashKey(fixedKey));
      if (!existing) await this.create({ name: 'admin (ZHIKU_ADMIN_KEY)', role: 'admin' }, fixedKey);
      else if (existing.revokedAt) this.logger.warn({ msg: 'ZHIKU_ADMIN_KEY names a revoked key; it stays revoked' });
      return null;
    }
    if ((await this.repository.countActive('admin')) > 0) return null;
    const created = await this.create({ name: 'first admin', role: 'admin' });
    return created.key;
  }

  /** A grant must name a knowledge base that exists. */
  private async checkGrants(ids: readonly string[]): Promise<void> {
    const unknown = await this.repository.unknownKnowledgeBases(ids);
    if (unknown.length > 0) {
      throw new InvalidInputError(`knowledgeBaseIds: no knowledge base with id ${unknown.join(', ')}`);
    }
  }

  private async find(idOrPrefix: string): Promise<ApiKeyWithGrants> {
    const byId = await this.repository.findById(idOrPrefix);
    if (byId) return byId;
    const matches = (await this.repository.list(true)).filter((k) => k.keyPrefix === idOrPrefix);
    if (matches.length === 1) return matches[0];
    throw new NotFoundError(`no API key with id or prefix "${idOrPrefix}"`);
  }
}
