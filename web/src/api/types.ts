// The shapes the console reads, as the API documents them at /docs-json.

export type Role = 'viewer' | 'editor' | 'admin';
export interface Me {
  keyId: string;
  keyName: string;
  role: Role;
  knowledgeBases: 'all' | string[];
}
export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  role: Role;
  knowledgeBases: 'all' | string[];
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}
export interface KnowledgeBase {
  id: string;
  name: string;
  description: string;
  documentCount: number;
  createdAt: string;
  updatedAt: string;
}
export type DocumentStatus = 'queued' | 'parsing' | 'embedding' | 'ready' | 'failed';
export interface DocumentView {
  id: string;
  knowledgeBaseId: string;
  filename: string;
  contentType: string;
  sizeBytes: number;
  format: string | null;
  status: DocumentStatus;
  progress: number;
  progressMessage: string | null;
  error: string | null;
  errorCode: string | null;
  /** The most recent ingestion's failure; on a ready document its previous chunks are still served. */
  lastError?: string | null;
  lastErrorCode?: string | null;
  lastErrorAt?: string | null;
  pages: number | null;
  chunks: number;
  warnings: string[];
  jobId: string | null;
  createdAt: string;
  duplicate?: boolean;
}
export interface Chunk {
  id: string;
  ordinal: number;
  text: string;
  context: string;
  kind: string;
  provenance: { pages?: number[]; sheets?: string[]; cellRanges?: string[]; headingPath?: string[]; [k: string]: unknown };
  tokenEstimate: number;
}
export interface ChunkList {
  documentId: string;
  total: number;
  offset: number;
  chunks: Chunk[];
}
export interface Citation {
  index: number;
  document: string;
  documentId: string;
  knowledgeBaseId: string;
  chunkId: string;
  page?: number;
  pages?: number[];
  sheet?: string;
  cells?: string;
  headingPath?: string[];
  text: string;
}
export interface AskResult {
  answer: string;
  mode: 'generative' | 'extractive' | 'no-evidence';
  language: 'zh' | 'en';
  citations: Citation[];
  cited: number[];
  sources: Citation[];
  standaloneQuestion: string;
  conversationId: string;
  model?: string;
}
export interface WriteResult {
  task: string;
  template: string;
  model: string;
  text: string;
  citations: Citation[];
  finishReason: string;
}
export interface VariableSpec {
  type: 'string' | 'number' | 'boolean' | 'enum' | 'chunks' | 'messages';
  required: boolean;
  default?: unknown;
  description?: string;
  values?: string[];
  maxLength?: number;
  min?: number;
  max?: number;
}
export interface PromptSummary {
  name: string;
  description: string;
  task: string;
  language: string;
  shipped: boolean;
  activeVersion: number;
  latestVersion: number;
  updatedAt: string;
}
export interface Prompt extends PromptSummary {
  version: number;
  variables: Record<string, VariableSpec>;
  parameters: { temperature?: number; maxTokens?: number; topP?: number; stop?: string[] };
  body: string;
  source: string;
}
export interface PromptVersion {
  version: number;
  active: boolean;
  origin: 'shipped' | 'created' | 'edited';
  createdBy: string;
  createdAt: string;
  description: string;
}
export interface PromptDiff {
  from: number;
  to: number;
  added: number;
  removed: number;
  lines: Array<{ op: ' ' | '-' | '+'; text: string; oldLine?: number; newLine?: number }>;
}
export interface RenderedPrompt {
  system: string;
  user: string;
  messages: Array<{ role: string; content: string }>;
  tokens?: number;
}
export interface DatasetSummary {
  id: string;
  name: string;
  description: string;
  latestVersion: number;
  recordCount?: number;
  createdAt: string;
  updatedAt: string;
}
export interface DatasetVersion {
  version: number;
  operation: string;
  note: string;
  recordCount: number;
  trainCount: number;
  validationCount: number;
  createdBy: string;
  createdAt: string;
}
export interface DatasetDetail extends DatasetSummary {
  versions: DatasetVersion[];
}
export interface DatasetRecord {
  id: string;
  split: 'train' | 'validation' | null;
  system?: string;
  instruction: string;
  input?: string;
  output: string;
  tags: string[];
  sources?: Array<{ documentId?: string; chunkId?: string; title?: string; page?: number }>;
}
export interface RowReject {
  row: number;
  sheet?: string;
  reason: string;
}
export interface ImportReport {
  dataset: string;
  version: number;
  format: string;
  rows: number;
  imported: number;
  rejected: number;
  exactDuplicates: number;
  nearDuplicates: number;
  rejects: RowReject[];
  warnings: string[];
}
export interface ModelView {
  id: string;
  name: string;
  version: number;
  ref: string;
  provider: 'onnx' | 'openai-compatible';
  status: 'importing' | 'ready' | 'failed';
  error: string | null;
  architecture: string | null;
  bits: number | null;
  group: number | null;
  contextLength: number | null;
  sizeBytes: number | null;
  baseUrl: string | null;
  lineage: { baseModel: string | null; parentModelId: string | null; datasetVersion: string | null };
  isDefault: boolean;
  jobId: string | null;
  /** Measured after import and by POST /api/models/:id/measure; null until then. */
  measured: {
    decodeTokensPerS: number | null;
    prefillTokensPerS: number | null;
    peakRssMb: number | null;
    threads: number | null;
    measuredAt: string | null;
    perplexity: number | null;
    perplexityTokens: number | null;
    perplexityAt: string | null;
  };
  createdAt: string;
}
export interface JobView {
  id: string;
  name: string;
  status: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
  progress: number;
  progressMessage: string | null;
  result: unknown;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}
export interface SearchHit {
  chunkId: string;
  score: number;
  documentId: string;
  documentName: string;
  chunkIndex: number;
  text: string;
  headingPath: string[];
  pages?: number[];
  sheets?: string[];
}
export interface SearchResponse {
  mode: string;
  embedder: string;
  results: SearchHit[];
}
export interface AuditEvent {
  id: string;
  at: string;
  keyId: string | null;
  keyName: string | null;
  role?: string | null;
  method: string;
  path: string;
  status: number;
  durationMs: number;
}
export interface RunStep {
  step: number;
  loss: number;
  valLoss: number | null;
  lr: number;
  tokensPerSecond: number;
  etaSeconds: number;
}
export interface RunStage {
  name: 'train' | 'merge' | 'evaluate' | 'quantize' | 'deploy';
  status: 'pending' | 'running' | 'completed' | 'failed' | 'skipped' | 'cancelled';
  error: string | null;
  result: Record<string, unknown> | null;
}
export interface EvaluationSide {
  loss: number | null;
  perplexity: number | null;
  exactMatch?: number;
  charF1?: number;
  contains?: number;
}
export interface EvaluationReport {
  validationRecords: number;
  samples: number;
  before: EvaluationSide;
  after: EvaluationSide;
  answers: Array<{ recordId: string; question: string; gold: string; before: { answer: string }; after: { answer: string } }>;
  seconds: number;
}
export interface FinetuneRun {
  id: string;
  kind: 'run' | 'pipeline';
  status: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
  error: string | null;
  baseModel: string;
  dataset: { id: string | null; name: string; version: number };
  method: 'lora';
  params: Record<string, unknown> & { steps: number };
  progress: (RunStep & { totalSteps: number; bestValLoss: number | null; resumedFromStep: number | null; stoppedEarly: boolean }) | null;
  stages: RunStage[];
  evaluation: EvaluationReport | null;
  artifacts: { model?: string; onnx?: string; merged?: string; adapter?: string };
  pipeline: { quantize: { bits: number; group: number }; deploy: boolean; modelName?: string } | null;
  modelId: string | null;
  createdBy: string;
  createdAt: string;
  finishedAt: string | null;
  history?: RunStep[];
}
export interface Draft {
  id: string;
  status: 'pending' | 'approved' | 'rejected';
  instruction: string;
  output: string;
  sources: Array<{ documentId?: string; chunkId?: string; title?: string; page?: number }>;
  grounding: number;
  model: string;
  createdAt: string;
}
export interface DraftingOutcome {
  model: string;
  chunks: number;
  drafted: number;
  dropped: Array<{ chunkId: string; question: string; reason: string }>;
}
