import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../../config';
import { createDataSource } from '../../database/data-source.factory';
import { freshDataDir } from '../../database/testing/embedded-template';
import { dot } from '../embed/embedder';
import { EmbedderSet } from '../embed/embedder-set';
import { HashedFeaturesEmbedder } from '../embed/hashed-features.embedder';
import { Bm25Index } from '../rank/bm25';
import { reciprocalRankFusion } from '../rank/fusion';
import { indexText } from '../rank/memory-index';
import { SEARCH_MODES } from '../rank/search-options';
import { InvalidSearchError } from '../retrieval.errors';
import { analyze } from '../text/lexical-analyzer';
import { RetrievalService } from '../retrieval.service';
import { RetrievalChunkIndexer } from './retrieval.chunk-indexer';
import { RetrievalEngine } from './retrieval.engine';
import { efSearchFor, RetrievalRepository } from './retrieval.repository';
import type { DocumentToIndex } from './retrieval.types';

jest.setTimeout(120_000);

const KB_A = randomUUID();
const KB_B = randomUUID();

const A_TEXTS = [
  '漠河机场位于黑龙江省漠河县，是中国第一个建于永久冻土带的机场，总投资2.38亿元人民币。',
  '机场跑道长2200米，可满足年旅客吞吐量12万人次的需要。',
  'Clause 3.2.1 of GB/T 1234-2020 specifies the test method for product XJ-200B.',
  'The Super Bowl 2021 took place at Raymond James Stadium in Tampa, Florida.',
];
const B_TEXTS = [
  '漠河机场的秘密文件：只有知识库B的读者可以看到这一段关于漠河机场的内容。',
  'Secret: the Super Bowl 2021 location memo for Tampa, Florida, readable only in B.',
];

function doc(kb: string, name: string, texts: string[], tags: string[] = []): DocumentToIndex {
  return {
    knowledgeBaseId: kb,
    documentId: randomUUID(),
    documentName: name,
    tags,
    chunks: texts.map((text, index) => ({ chunkId: randomUUID(), index, text, context: name, provenance: { pages: [index + 1], headingPath: [name] } })),
  };
}

describe('RetrievalRepository and RetrievalEngine on PGlite with pgvector', () => {
  let ds: DataSource;
  let repo: RetrievalRepository;
  let engine: RetrievalEngine;
  const docA = doc(KB_A, 'a.txt', A_TEXTS.slice(0, 2), ['airport']);
  const docA2 = doc(KB_A, 'a2.txt', A_TEXTS.slice(2), ['standards']);
  const docB = doc(KB_B, 'b.txt', B_TEXTS);

  beforeAll(async () => {
    ds = await createDataSource(loadConfig({ DATA_DIR: await freshDataDir() }), { runMigrations: true });
    repo = new RetrievalRepository(ds);
    engine = new RetrievalEngine(repo, new HashedFeaturesEmbedder());
    for (const d of [docA, docA2, docB]) await engine.indexDocument(d);
  });
  afterAll(async () => ds?.destroy());

  it('never returns a chunk of B to a reader of A only, in any mode, even for B-shaped queries', async () => {
    for (const mode of SEARCH_MODES) {
      for (const query of ['漠河机场 秘密文件 知识库B', 'Secret memo Super Bowl 2021 Tampa']) {
        const hits = await engine.search({ query, mode, k: 10, scope: { readableKnowledgeBaseIds: [KB_A] } });
        expect(hits.length).toBeGreaterThan(0);
        expect(hits.every((h) => h.knowledgeBaseId === KB_A)).toBe(true);
        // Asking for B explicitly does not widen what the key may read.
        const asked = await engine.search({ query, mode, k: 10, scope: { readableKnowledgeBaseIds: [KB_A], knowledgeBaseIds: [KB_B] } });
        expect(asked).toEqual([]);
      }
      const all = await engine.search({ query: '漠河机场 秘密文件', mode, k: 10, scope: { readableKnowledgeBaseIds: null } });
      expect(all.some((h) => h.knowledgeBaseId === KB_B)).toBe(true);
    }
  });

  it('scores BM25 in SQL exactly as the in-memory reference does over the same knowledge base', async () => {
    const chunks = [...docA.chunks, ...docA2.chunks];
    const mem = new Bm25Index();
    chunks.forEach((c) => mem.add(analyze(indexText(c))));
    for (const query of ['漠河机场投资', 'GB/T 1234-2020 3.2.1', 'Tampa Florida stadium']) {
      const expected = mem.search(analyze(query), 10);
      const got = await repo.lexicalSearch(analyze(query), { readableKnowledgeBaseIds: [KB_A] }, 10);
      expect(got.map((h) => h.chunkId)).toEqual(expected.map((e) => chunks[e.id].chunkId));
      got.forEach((h, i) => expect(Number(h.score)).toBeCloseTo(expected[i].score, 9));
    }
  });

  it('prunes candidates by common terms in SQL exactly as the in-memory reference does', async () => {
    const kb = randomUUID();
    // "airport" is in every chunk (common under this cut); "runway" and "terminal" are rare.
    const texts = [
      'airport runway lighting upgrade',
      'airport terminal expansion plan',
      'airport airport parking fees',
      'airport cargo apron',
      'airport runway terminal connector',
      'airport noise report',
    ];
    const d = doc(kb, 'p.txt', texts);
    await engine.indexDocument(d);
    const cut = { fraction: 0.3, minDf: 2 };
    const mem = new Bm25Index(undefined, cut);
    d.chunks.forEach((c) => mem.add(analyze(indexText(c))));
    const scope = { readableKnowledgeBaseIds: [kb] };
    for (const query of ['airport runway', 'airport terminal', 'airport parking', 'airport', 'airport runway terminal']) {
      // Equal scores are ordered by chunk id in SQL and by insertion in memory: compare in one order.
      const byScore = (a: { id: string; score: number }, b: { id: string; score: number }) => b.score - a.score || (a.id < b.id ? -1 : 1);
      const expected = mem.search(analyze(query), 10).map((e) => ({ id: d.chunks[e.id].chunkId, score: e.score })).sort(byScore);
      const got = (await repo.lexicalSearch(analyze(query), scope, 10, undefined, cut)).map((h) => ({ id: h.chunkId, score: Number(h.score) }));
      expect(got.map((h) => h.id)).toEqual(expected.map((e) => e.id));
      got.forEach((h, i) => expect(h.score).toBeCloseTo(expected[i].score, 9));
    }
    // Pruned: only chunks holding "runway" are candidates, though all six share "airport".
    expect((await repo.lexicalSearch(analyze('airport runway'), scope, 10, undefined, cut)).map((h) => h.text).sort()).toEqual([texts[0], texts[4]].sort());
    // Every term common: the rarest one selects. Not pruned at the default cut (six chunks are few).
    expect(await repo.lexicalSearch(analyze('airport'), scope, 10)).toHaveLength(6);
    expect((await repo.lexicalSearch(analyze('airport'), scope, 10, undefined, cut)).length).toBe(6);
  });

  it('finds codes and clause numbers lexically, with provenance and document name', async () => {
    const [top] = await engine.search({ query: 'XJ-200B', mode: 'lexical', k: 3, scope: { readableKnowledgeBaseIds: null } });
    expect(top.text).toContain('XJ-200B');
    expect(top.documentName).toBe('a2.txt');
    expect(top.provenance).toEqual({ pages: [1], headingPath: ['a2.txt'] });
    const [clause] = await engine.search({ query: '3.2.1', mode: 'lexical', k: 1, scope: { readableKnowledgeBaseIds: null } });
    expect(clause.text).toContain('Clause 3.2.1');
  });

  it('ranks vectors by cosine through the HNSW index, as exact search does', async () => {
    const embedder = new HashedFeaturesEmbedder();
    const [q] = await embedder.embedBatch(['漠河机场的投资'], 'query');
    const hits = await repo.vectorSearch(q, embedder.id, { readableKnowledgeBaseIds: [KB_A] }, 4);
    const all = [...docA.chunks, ...docA2.chunks];
    const vectors = await embedder.embedBatch(all.map(indexText), 'passage');
    const exact = all.map((c, i) => ({ id: c.chunkId, s: dot(q, vectors[i]) })).sort((a, b) => b.s - a.s || (a.id < b.id ? -1 : 1));
    // Equal scores may come in either order (the index orders by distance alone).
    hits.forEach((h, i) => expect(h.score).toBeCloseTo(exact[i].s, 5));
    expect(hits.map((h) => h.chunkId).sort()).toEqual(exact.map((e) => e.id).sort());
    expect(hits[0].chunkId).toBe(exact[0].id);
    expect((await repo.exactVectorSearch(q, embedder.id, { readableKnowledgeBaseIds: [KB_A] }, 4)).map((e) => e.chunkId)).toEqual(exact.map((e) => e.id));
  });

  it('fuses the two lists by reciprocal rank in hybrid mode', async () => {
    const query = 'Super Bowl 2021 Tampa';
    const scope = { readableKnowledgeBaseIds: null };
    const l = await engine.search({ query, mode: 'lexical', k: 100, scope });
    const v = await engine.search({ query, mode: 'vector', k: 100, scope });
    const h = await engine.search({ query, mode: 'hybrid', k: 100, scope, fusion: { lexicalWeight: 2 } });
    const expected = reciprocalRankFusion([{ items: v.map((x) => x.chunkId) }, { items: l.map((x) => x.chunkId), weight: 2 }]);
    expect(h.map((x) => x.chunkId)).toEqual(expected.map((e) => e.key));
    h.forEach((x, i) => expect(x.score).toBeCloseTo(expected[i].score, 12));
  });

  it('filters by document and by tags inside the query', async () => {
    const scope = { readableKnowledgeBaseIds: null };
    for (const mode of SEARCH_MODES) {
      const byDoc = await engine.search({ query: '机场 Super Bowl', mode, k: 10, scope: { ...scope, documentIds: [docA2.documentId] } });
      expect(byDoc.length).toBeGreaterThan(0);
      expect(byDoc.every((x) => x.documentId === docA2.documentId)).toBe(true);
      const byTag = await engine.search({ query: '机场 Super Bowl', mode, k: 10, scope: { ...scope, tags: ['airport'] } });
      expect(byTag.map((x) => x.documentName)).toEqual(byTag.map(() => 'a.txt'));
    }
  });

  it('re-indexing a document replaces its chunks and statistics; removing it leaves no trace', async () => {
    const stats = async () => (await ds.query(`SELECT chunk_count AS n, total_terms::int AS t FROM retrieval_kb_stats WHERE knowledge_base_id = $1`, [KB_B]))[0];
    const before = await stats();
    const df = async (term: string) => (await ds.query(`SELECT df FROM retrieval_term_stats WHERE knowledge_base_id = $1 AND term = $2`, [KB_B, term]))[0]?.df ?? 0;
    expect(await df('秘密')).toBe(1);
    await engine.indexDocument({ ...docB, chunks: docB.chunks.slice(1) });
    expect((await stats()).n).toBe(before.n - 1);
    expect(await df('秘密')).toBe(0);
    expect(await engine.removeDocument(docB.documentId)).toBe(1);
    expect(await stats()).toEqual({ n: 0, t: 0 });
    expect(await ds.query(`SELECT count(*)::int AS n FROM retrieval_term_stats WHERE knowledge_base_id = $1`, [KB_B])).toEqual([{ n: 0 }]);
    // A knowledge base with no documents answers with nothing, in every mode.
    for (const mode of SEARCH_MODES) expect(await engine.search({ query: '漠河', mode, scope: { readableKnowledgeBaseIds: [KB_B] } })).toEqual([]);
  });

  it('as the documents module\'s ChunkIndexer: indexes inside the caller\'s transaction, all or nothing', async () => {
    const indexer = new RetrievalChunkIndexer(engine, repo);
    const kb = randomUUID();
    const document = {
      knowledgeBaseId: kb,
      documentId: randomUUID(),
      documentName: 'c.txt',
      chunks: [{ id: randomUUID(), ordinal: 0, text: '冻土带上的跑道需要特殊的地基处理。', context: '', provenance: {} }],
    };
    const scope = { readableKnowledgeBaseIds: [kb] };
    const prepared = await indexer.prepare(document);
    await expect(
      ds.transaction(async (m) => {
        await indexer.index(m, kb, document.documentId, document.chunks, prepared);
        throw new Error('ingestion failed after indexing');
      }),
    ).rejects.toThrow('ingestion failed');
    expect(await engine.search({ query: '冻土带 跑道', scope })).toEqual([]);
    await ds.transaction((m) => indexer.index(m, kb, document.documentId, document.chunks, prepared));
    expect((await engine.search({ query: '冻土带 跑道', scope })).map((h) => h.chunkId)).toEqual([document.chunks[0].id]);
    await expect(ds.transaction((m) => indexer.index(m, kb, document.documentId, document.chunks))).rejects.toThrow(/not prepared/);
    await ds.transaction((m) => indexer.remove(m, document.documentId));
    expect(await engine.search({ query: '冻土带 跑道', scope })).toEqual([]);
    // Deleting the knowledge base takes its postings and statistics too.
    await engine.indexDocument({ knowledgeBaseId: kb, documentId: randomUUID(), documentName: 'd.txt', tags: [], chunks: [{ chunkId: randomUUID(), index: 0, text: '冻土带', context: '', provenance: {} }] });
    await ds.transaction((m) => indexer.removeKnowledgeBase(m, kb));
    for (const table of ['retrieval_chunks', 'retrieval_terms', 'retrieval_term_stats', 'retrieval_kb_stats']) {
      expect(await ds.query(`SELECT count(*)::int AS n FROM ${table} WHERE knowledge_base_id = $1`, [kb])).toEqual([{ n: 0 }]);
    }
  });

  it('refreshes planner statistics as the index grows (PGlite has no autovacuum)', async () => {
    const kb = randomUUID();
    const texts = Array.from({ length: 300 }, (_, i) => `第${i}号文件记录了型号 XJ-${i}B 的检验结果与机场编号 ${i * 7}。`);
    await engine.indexDocument(doc(kb, 'many.txt', texts));
    const [{ known }] = await ds.query(`SELECT reltuples::int AS known FROM pg_class WHERE relname = 'retrieval_chunks'`);
    expect(known).toBeGreaterThanOrEqual(300);
    expect(await repo.refreshStatisticsIfGrown()).toBe(false); // nothing grew since
    const [top] = await engine.search({ query: 'XJ-42B', mode: 'vector', k: 1, scope: { readableKnowledgeBaseIds: [kb] } });
    expect(top.text).toContain('XJ-42B');
  });

  it('re-embeds a knowledge base with another embedder: its own HNSW index, and queries only meet matching vectors', async () => {
    const kb = randomUUID();
    await engine.indexDocument(doc(kb, 'r.txt', ['冻土带机场的跑道', 'Raymond James Stadium in Tampa']));
    const small = new HashedFeaturesEmbedder({ dimension: 16 });
    const progress: number[] = [];
    const done = await new RetrievalService(engine, repo).reembedKnowledgeBase(kb, small, (n) => progress.push(n));
    expect(done).toBe(2);
    expect(progress).toEqual([2]);
    expect(await repo.knowledgeBaseEmbedder(kb)).toEqual({ embedderId: 'zhiku-hashed-v1-16', pendingEmbedderId: null, chunks: 2 });
    const indexes = await ds.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'retrieval_chunks' AND indexname LIKE '%hashed_v1_16'`);
    expect(indexes).toEqual([{ indexname: 'retrieval_chunks_hnsw_zhiku_hashed_v1_16' }]);
    const scope = { readableKnowledgeBaseIds: [kb] };
    expect(await engine.search({ query: '冻土带', mode: 'vector', scope })).toEqual([]);
    const smallEngine = new RetrievalEngine(repo, small);
    expect((await smallEngine.search({ query: '冻土带', mode: 'vector', scope }))[0].text).toBe('冻土带机场的跑道');
    // Lexical search does not depend on the embedder.
    expect((await engine.search({ query: '冻土带', mode: 'lexical', scope })).map((h) => h.text)).toEqual(['冻土带机场的跑道']);
  });

  it('while a knowledge base switches embedders, vector search queries both and every chunk stays findable', async () => {
    const kb = randomUUID();
    const texts = ['冻土带机场的跑道', 'Raymond James Stadium in Tampa', '漠河机场投资4.7亿元'];
    const d = doc(kb, 's.txt', texts);
    await engine.indexDocument(d);
    const small = new HashedFeaturesEmbedder({ dimension: 32 });
    const both = new RetrievalEngine(repo, new EmbedderSet(engine.embedder, [small]));
    expect(await repo.startEmbedderSwitch(kb, small.id)).toBe('pending');
    // The job has moved one chunk so far.
    await both.ensureVectorIndex(small);
    const [moved] = d.chunks;
    await repo.updateEmbeddings(kb, small.id, [moved.chunkId], await small.embedBatch([indexText(moved)], 'passage'));
    const scope = { readableKnowledgeBaseIds: [kb] };
    const during = await both.searchWithEmbedders({ query: '冻土带 Tampa 漠河', mode: 'vector', k: 10, scope });
    expect(during.embedders.sort()).toEqual([engine.embedder.id, small.id].sort());
    expect(during.hits.map((h) => h.text).sort()).toEqual([...texts].sort());
    // A document added meanwhile is embedded with the target at once.
    expect((await both.prepare(doc(kb, 'late.txt', ['新文档']))).embedderId).toBe(small.id);
    expect(await new RetrievalService(both, repo).reembedKnowledgeBase(kb, small)).toBe(2);
    expect(await repo.knowledgeBaseEmbedder(kb)).toEqual({ embedderId: small.id, pendingEmbedderId: null, chunks: 3 });
    const after = await both.searchWithEmbedders({ query: '冻土带', mode: 'vector', k: 10, scope });
    expect(after.embedders).toEqual([small.id]);
    expect(after.hits[0].text).toBe(texts[0]);
  });

  it('builds HNSW indexes with the denser graph, the built-in embedder\'s by migration', async () => {
    expect(await repo.vectorIndexOptions('zhiku-hashed-v1-512')).toBe("m='24', ef_construction='128'");
    await repo.ensureVectorIndex('spec-graph', 8);
    expect(await repo.vectorIndexOptions('spec-graph')).toBe("m='24', ef_construction='128'");
    await repo.dropVectorIndex('spec-graph');
    expect(await repo.vectorIndexOptions('spec-graph')).toBeNull();
  });

  it('scales HNSW ef_search with the vectors in scope, within pgvector\'s bounds', () => {
    expect(efSearchFor(3_000, 10)).toBe(200);
    expect(efSearchFor(30_000, 10)).toBe(200);
    expect(efSearchFor(100_000, 10)).toBe(500);
    expect(efSearchFor(5_000_000, 10)).toBe(1000);
    expect(efSearchFor(3_000, 300)).toBe(300); // never fewer candidates than rows asked for
  });

  it('turns bad requests into InvalidSearchError before touching the database', async () => {
    const scope = { readableKnowledgeBaseIds: null };
    for (const bad of [{ query: '   ' }, { query: 'x'.repeat(100_000) }, { query: 'ok', k: 0 }, { query: 'ok', k: 10_000 }, { query: 'ok', mode: 'fuzzy' as never }]) {
      await expect(engine.search({ ...bad, scope })).rejects.toBeInstanceOf(InvalidSearchError);
    }
  });
});
