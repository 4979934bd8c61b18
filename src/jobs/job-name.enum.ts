/**
 * Every job Zhiku runs. Adding a job: a value here, its payload type in JobPayloads, and one
 * provider decorated with @JobHandler(JobName.X) in the owning feature module. Start-up fails when
 * a name has no handler or two.
 */
export enum JobName {
  /** Sleeps, reports progress and optionally fails its first attempts: proves workers run jobs end to end. */
  SystemDiagnostic = 'system.diagnostic',
  /** Parses, chunks and indexes one uploaded document (src/documents). */
  IngestDocument = 'documents.ingest',
  /** Imports a Hugging Face checkpoint into an ONNX model folder and marks its registry row ready (src/generator). */
  ImportModel = 'models.import',
  /** Trains a fine-tuning run or pipeline and carries it through its stages (src/finetune/runs). */
  FinetuneRun = 'finetune.run',
  /** Drafts candidate Q&A from a document's chunks with a model, as pending drafts of a dataset (src/finetune/drafts). */
  DraftDatasetQa = 'datasets.draft-qa',
  /** Re-embeds a knowledge base's chunks with another embedder, then makes it the knowledge base's (src/retrieval). */
  ReembedKnowledgeBase = 'retrieval.reembed',
}

export interface DiagnosticJobPayload {
  /** How long the job runs, in milliseconds (progress is reported in ten steps). */
  durationMs: number;
  /** Fail this many attempts before succeeding (exercises retry with backoff). */
  failAttempts?: number;
  /** Free text echoed back in the result. */
  note?: string;
}

export interface DraftDatasetQaPayload {
  datasetId: string;
  documentId: string;
  knowledgeBaseId: string;
  /** name@version of the model that drafts. */
  model: string | null;
  maxChunks: number;
  perChunk: number;
  /** The editor the job acts for. */
  requestedBy: { keyId: string; keyName: string };
}

/** Payload type of each job, checked at enqueue time and handed to the handler. */
export interface JobPayloads {
  [JobName.SystemDiagnostic]: DiagnosticJobPayload;
  /** `sealed`: the upload's password sealed by the documents module (SEALED_PAYLOAD_KEY). */
  [JobName.IngestDocument]: { documentId: string; sealed?: string };
  [JobName.ImportModel]: { modelId: string };
  [JobName.FinetuneRun]: { runId: string };
  [JobName.DraftDatasetQa]: DraftDatasetQaPayload;
  [JobName.ReembedKnowledgeBase]: { knowledgeBaseId: string; embedderId: string };
}

export type JobPayload<N extends JobName> = JobPayloads[N];

export const ALL_JOB_NAMES: readonly JobName[] = Object.values(JobName);
