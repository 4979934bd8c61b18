import { Inject, Injectable, Optional } from '@nestjs/common';
import { readableKnowledgeBaseIds, type AuthContext } from '../auth';
import { ConflictError, NotFoundError } from '../common';
import { CHUNK_INDEXER, type ChunkIndexer } from './chunk-indexer';
import { DocumentsRepository } from './documents.repository';
import { mapKnowledgeBase, type CreateKnowledgeBaseDto, type KnowledgeBaseDto, type UpdateKnowledgeBaseDto } from './dto/knowledge-base.dto';
import { FileStore } from './file-store';
import { isUuid } from './ids';
import { isUniqueViolation, KnowledgeBasesRepository, type KnowledgeBaseRecord } from './knowledge-bases.repository';

/** Knowledge bases: a key sees (and changes) only the ones its grants allow; a missing one and a hidden one look the same. */
@Injectable()
export class KnowledgeBasesService {
  constructor(
    private readonly repository: KnowledgeBasesRepository,
    private readonly documents: DocumentsRepository,
    private readonly files: FileStore,
    @Optional() @Inject(CHUNK_INDEXER) private readonly indexer: ChunkIndexer | null = null,
  ) {}

  async list(auth: AuthContext): Promise<KnowledgeBaseDto[]> {
    return (await this.repository.list(readableKnowledgeBaseIds(auth))).map(mapKnowledgeBase);
  }

  async get(auth: AuthContext, id: string): Promise<KnowledgeBaseDto> {
    return mapKnowledgeBase(await this.load(auth, id));
  }

  /** The readable knowledge base, or a 404 that does not tell "hidden" from "missing". */
  async load(auth: AuthContext, id: string): Promise<KnowledgeBaseRecord> {
    const kb = isUuid(id) ? await this.repository.get(id, readableKnowledgeBaseIds(auth)) : null;
    if (!kb) throw new NotFoundError(`knowledge base ${id} not found (or this key may not use it)`);
    return kb;
  }

  async create(auth: AuthContext, dto: CreateKnowledgeBaseDto): Promise<KnowledgeBaseDto> {
    await this.checkNameFree(dto.name, null);
    try {
      const grantTo = auth.knowledgeBases === 'all' ? null : auth.keyId;
      return mapKnowledgeBase(await this.repository.create(dto.name, dto.description ?? '', grantTo));
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError(`a knowledge base named "${dto.name}" already exists`);
      throw error;
    }
  }

  /** The knowledge base of that name (case-insensitive), created when there is none (`zhiku ingest --kb`). */
  async findOrCreate(auth: AuthContext, name: string): Promise<{ knowledgeBase: KnowledgeBaseDto; created: boolean }> {
    const existing = await this.repository.findByName(name, readableKnowledgeBaseIds(auth));
    if (existing) return { knowledgeBase: mapKnowledgeBase(existing), created: false };
    return { knowledgeBase: await this.create(auth, { name }), created: true };
  }

  async update(auth: AuthContext, id: string, dto: UpdateKnowledgeBaseDto): Promise<KnowledgeBaseDto> {
    await this.load(auth, id);
    if (dto.name !== undefined) await this.checkNameFree(dto.name, id);
    try {
      const kb = await this.repository.update(id, readableKnowledgeBaseIds(auth), dto);
      if (!kb) throw new NotFoundError(`knowledge base ${id} not found (or this key may not use it)`);
      return mapKnowledgeBase(kb);
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError(`a knowledge base named "${dto.name}" already exists`);
      throw error;
    }
  }

  /** Names are unique across all knowledge bases, also those the caller cannot see (the index enforces it under races). */
  private async checkNameFree(name: string, exceptId: string | null): Promise<void> {
    const taken = await this.repository.findByName(name, null);
    if (taken && taken.id !== exceptId) throw new ConflictError(`a knowledge base named "${name}" already exists`);
  }

  /** Deletes it with its documents, chunks, index entries and the files no other document uses. */
  async delete(auth: AuthContext, id: string): Promise<KnowledgeBaseDto> {
    const kb = await this.load(auth, id);
    const shas = await this.repository.delete(id, readableKnowledgeBaseIds(auth), this.indexer);
    if (!shas) throw new NotFoundError(`knowledge base ${id} not found (or this key may not use it)`);
    for (const sha of shas) await this.documents.removeFileIfUnused(sha, () => this.files.remove(sha));
    return mapKnowledgeBase(kb);
  }
}
