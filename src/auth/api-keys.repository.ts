import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull } from 'typeorm';
import { ApiKeyEntity, ApiKeyGrantEntity } from './api-key.entity';
import { Role } from './roles';

export interface NewApiKey {
  name: string;
  role: Role;
  keyHash: string;
  keyPrefix: string;
  knowledgeBaseIds?: readonly string[];
}

export type ApiKeyWithGrants = ApiKeyEntity & { knowledgeBaseIds: string[] };

@Injectable()
export class ApiKeysRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The key and its grants appear together or not at all. */
  async create(input: NewApiKey): Promise<ApiKeyWithGrants> {
    return this.db.transaction(async (manager) => {
      const key = await manager.save(ApiKeyEntity, {
        name: input.name,
        role: input.role,
        keyHash: input.keyHash,
        keyPrefix: input.keyPrefix,
        allKnowledgeBases: input.knowledgeBaseIds === undefined,
      });
      const ids = [...new Set(input.knowledgeBaseIds ?? [])];
      if (ids.length > 0) {
        await manager.insert(ApiKeyGrantEntity, ids.map((knowledgeBaseId) => ({ apiKeyId: key.id, knowledgeBaseId })));
      }
      const saved = await manager.findOneByOrFail(ApiKeyEntity, { id: key.id });
      return { ...saved, knowledgeBaseIds: ids };
    });
  }

  /**
   * New role and/or grants in one transaction: `knowledgeBaseIds` replaces every grant (null: all
   * knowledge bases, undefined: grants unchanged).
   */
  async update(id: string, change: { role?: Role; knowledgeBaseIds?: readonly string[] | null }): Promise<ApiKeyWithGrants> {
    return this.db.transaction(async (manager) => {
      const fields: Partial<ApiKeyEntity> = {};
      if (change.role !== undefined) fields.role = change.role;
      if (change.knowledgeBaseIds !== undefined) fields.allKnowledgeBases = change.knowledgeBaseIds === null;
      if (Object.keys(fields).length > 0) await manager.update(ApiKeyEntity, { id }, fields);
      if (change.knowledgeBaseIds !== undefined) {
        await manager.delete(ApiKeyGrantEntity, { apiKeyId: id });
        const ids = [...new Set(change.knowledgeBaseIds ?? [])];
        if (ids.length > 0) await manager.insert(ApiKeyGrantEntity, ids.map((knowledgeBaseId) => ({ apiKeyId: id, knowledgeBaseId })));
      }
      const key = await manager.findOneByOrFail(ApiKeyEntity, { id });
      const grants = await manager.findBy(ApiKeyGrantEntity, { apiKeyId: id });
      return { ...key, knowledgeBaseIds: grants.map((g) => g.knowledgeBaseId) };
    });
  }

  /** The ids among `ids` that name no knowledge base (a grant must point at a real one). */
  async unknownKnowledgeBases(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows: { id: string }[] = await this.db.query(
      `SELECT requested.id FROM unnest($1::uuid[]) AS requested(id)
       WHERE NOT EXISTS (SELECT 1 FROM knowledge_bases kb WHERE kb.id = requested.id)`,
      [[...new Set(ids)]],
    );
    return rows.map((row) => String(row.id));
  }

  async findByHash(keyHash: string): Promise<ApiKeyWithGrants | null> {
    const key = await this.db.getRepository(ApiKeyEntity).findOneBy({ keyHash });
    return key ? this.withGrants(key) : null;
  }

  async findById(id: string): Promise<ApiKeyWithGrants | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const key = await this.db.getRepository(ApiKeyEntity).findOneBy({ id });
    return key ? this.withGrants(key) : null;
  }

  async list(includeRevoked: boolean): Promise<ApiKeyWithGrants[]> {
    const keys = await this.db.getRepository(ApiKeyEntity).find({
      where: includeRevoked ? {} : { revokedAt: IsNull() },
      order: { createdAt: 'ASC' },
    });
    const grants = await this.db.getRepository(ApiKeyGrantEntity).find();
    return keys.map((key) => ({
      ...key,
      knowledgeBaseIds: grants.filter((g) => g.apiKeyId === key.id).map((g) => g.knowledgeBaseId),
    }));
  }

  async countActive(role: Role): Promise<number> {
    return this.db.getRepository(ApiKeyEntity).countBy({ role, revokedAt: IsNull() });
  }

  async revoke(id: string): Promise<void> {
    await this.db.getRepository(ApiKeyEntity).update({ id, revokedAt: IsNull() }, { revokedAt: new Date() });
  }

  /** Records use at most once a minute per key, so reads do not turn into a write each. */
  async touch(id: string): Promise<void> {
    await this.db.query(
      `UPDATE api_keys SET last_used_at = now()
       WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
      [id],
    );
  }

  private async withGrants(key: ApiKeyEntity): Promise<ApiKeyWithGrants> {
    const grants = await this.db.getRepository(ApiKeyGrantEntity).findBy({ apiKeyId: key.id });
    return { ...key, knowledgeBaseIds: grants.map((g) => g.knowledgeBaseId) };
  }
}
