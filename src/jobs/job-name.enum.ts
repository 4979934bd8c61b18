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

/** Payload type of each job, checked at enqueue time and handed to the handler. */
export interface JobPayloads {
  [JobName.SystemDiagnostic]: DiagnosticJobPayload;
  [JobName.IngestDocument]: { documentId: string; password?: string };
  [JobName.ImportModel]: { modelId: string };
  [JobName.ReembedKnowledgeBase]: { knowledgeBaseId: string; embedderId: string };
}

export type JobPayload<N extends JobName> = JobPayloads[N];

export const ALL_JOB_NAMES: readonly JobName[] = Object.values(JobName);
