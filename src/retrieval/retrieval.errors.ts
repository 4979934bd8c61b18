/** Errors of the retrieval subsystem, with fields a caller (HTTP filter, CLI) can act on. */
export class RetrievalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The request itself is wrong (empty query, k out of range, bad QA line): a 4xx, never a 500. */
export class InvalidSearchError extends RetrievalError {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** An embedder folder is missing a file or holds one we cannot read. */
export class EmbedderLoadError extends RetrievalError {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
  }
}

/** A QA file line is not {"question", "answers": [...], "doc"?}. */
export class QaFormatError extends RetrievalError {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
  }
}

/** A knowledge base's vectors belong to an embedder this process has not loaded (its folder is no longer configured). */
export class EmbedderUnavailableError extends RetrievalError {
  constructor(
    readonly knowledgeBaseId: string,
    readonly embedderId: string,
    available: readonly string[],
  ) {
    super(
      `knowledge base ${knowledgeBaseId} is embedded with "${embedderId}", which this server has not loaded (available: ${available.join(', ')}); ` +
        `set RETRIEVAL_EMBEDDER_DIR to that encoder's folder, or switch the knowledge base to an available embedder (PUT /api/knowledge-bases/${knowledgeBaseId}/embedder)`,
    );
  }
}
