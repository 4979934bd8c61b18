/**
 * SentencePiece's Unigram model (XLM-RoBERTa, multilingual-e5, BGE-M3): each pre-token (spaces already
 * turned into ▁ by Metaspace) is segmented by Viterbi into the pieces whose log-probabilities sum
 * highest. A character no piece covers becomes the unknown piece, scored below every real piece, and
 * consecutive unknowns merge into one, as SentencePiece does.
 */
export class UnigramModel {
  private readonly ids = new Map<string, number>();
  private readonly scores: number[];
  private readonly maxPieceChars: number;
  private readonly unkScore: number;

  constructor(
    vocab: ReadonlyArray<readonly [string, number]>,
    private readonly unkId: number,
  ) {
    let max = 1;
    let min = 0;
    this.scores = vocab.map(([piece, score], id) => {
      if (!this.ids.has(piece)) this.ids.set(piece, id);
      max = Math.max(max, [...piece].length);
      min = Math.min(min, score);
      return score;
    });
    if (unkId < 0 || unkId >= vocab.length) throw new Error(`unk_id ${unkId} is outside the vocabulary`);
    this.maxPieceChars = max;
    this.unkScore = min - 10; // SentencePiece's kUnkPenalty
  }

  /** Best segmentation of one pre-token as vocabulary ids. */
  segment(text: string): number[] {
    const chars = [...text];
    const n = chars.length;
    const best = new Float64Array(n + 1).fill(-Infinity);
    const from = new Int32Array(n + 1).fill(-1);
    const pieceAt = new Int32Array(n + 1).fill(-1);
    best[0] = 0;
    for (let end = 1; end <= n; end++) {
      for (let start = Math.max(0, end - this.maxPieceChars); start < end; start++) {
        if (best[start] === -Infinity) continue;
        const id = this.ids.get(chars.slice(start, end).join(''));
        if (id === undefined) continue;
        const score = best[start] + this.scores[id];
        if (score > best[end]) {
          best[end] = score;
          from[end] = start;
          pieceAt[end] = id;
        }
      }
      // A character no single piece covers may also be the unknown piece, so a path always exists.
      const viaUnk = best[end - 1] + this.unkScore;
      if (!this.ids.has(chars[end - 1]) && viaUnk > best[end]) {
        best[end] = viaUnk;
        from[end] = end - 1;
        pieceAt[end] = this.unkId;
      }
    }
    const out: number[] = [];
    for (let end = n; end > 0; end = from[end]) out.push(pieceAt[end]);
    out.reverse();
    return out.filter((id, i) => !(id === this.unkId && out[i - 1] === this.unkId));
  }
}
