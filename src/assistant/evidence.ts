import type { AuthContext } from '../auth';
import { analyze, MAX_QUERY_CHARS, RetrievalService } from '../retrieval';
import type { ChunkValue } from '../prompts';
import type { CitationDto } from './dto/ask.dto';
import { termCoverage } from './extractive-answerer';

/** A retrieved chunk numbered for the prompt: `index` is what the answer cites. */
export interface Evidence {
  index: number;
  rank: number;
  citation: CitationDto;
}

/**
 * A chunk is evidence when it holds at least this share of the question's terms; when none does,
 * the assistant says it found nothing instead of answering from unrelated text. Hybrid retrieval
 * always returns the nearest vectors, however far, so its list alone cannot tell.
 */
export const MIN_COVERAGE = 0.3;

const first = <T>(v: T[] | undefined): T | undefined => (v && v.length ? v[0] : undefined);

/** Retrieves (hybrid, within what `auth` may read) and keeps the chunks that bear on the question. */
export async function gatherEvidence(retrieval: RetrievalService, auth: AuthContext, query: string, knowledgeBases: string[] | undefined, k: number): Promise<Evidence[]> {
  const q = Array.from(query).slice(0, MAX_QUERY_CHARS).join('');
  const { results } = await retrieval.search(auth, { query: q, knowledgeBases, k, mode: 'hybrid' });
  const terms = new Set(analyze(q));
  const scored = results.map((hit) => ({ hit, coverage: termCoverage(terms, `${hit.headingPath.join(' ')}\n${hit.text}`) }));
  if (!scored.some((s) => s.coverage >= MIN_COVERAGE)) return [];
  return scored
    .filter((s) => s.coverage > 0)
    .map(({ hit }, i) => ({
      index: i + 1,
      rank: i + 1,
      citation: {
        index: i + 1,
        document: hit.documentName,
        documentId: hit.documentId,
        knowledgeBaseId: hit.knowledgeBaseId,
        chunkId: hit.chunkId,
        page: first(hit.pages),
        pages: hit.pages,
        sheet: first(hit.sheets),
        cells: first(hit.cellRanges),
        headingPath: hit.headingPath.length ? hit.headingPath : undefined,
        text: hit.text,
      },
    }));
}

/** The evidence as the Q&A templates' `context` variable. */
export function toChunkValues(evidence: readonly Evidence[]): ChunkValue[] {
  return evidence.map((e) => ({
    text: e.citation.text,
    index: e.index,
    rank: e.rank,
    source: e.citation.document,
    ...(e.citation.page !== undefined ? { page: e.citation.page } : {}),
    ...(e.citation.sheet !== undefined ? { sheet: e.citation.sheet } : {}),
    ...(e.citation.cells !== undefined ? { cells: e.citation.cells } : {}),
  }));
}
