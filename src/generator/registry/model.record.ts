export const MODEL_PROVIDERS = ['onnx', 'openai-compatible'] as const;
export type ModelProvider = (typeof MODEL_PROVIDERS)[number];
export const MODEL_STATUSES = ['importing', 'ready', 'failed'] as const;
export type ModelStatus = (typeof MODEL_STATUSES)[number];

/**
 * What the registry measured on a version (null until measured): speed from a short fixed run
 * (`measureSpeed` of src/moe), perplexity on a text an admin gave.
 */
export interface ModelMeasurements {
  decodeTokensPerS: number | null;
  prefillTokensPerS: number | null;
  /** Peak resident memory of the measuring (serving) process, an upper bound of what the model needs. */
  peakRssMb: number | null;
  /** ONNX Runtime intra-op threads of the measurement. */
  threads: number | null;
  measuredAt: Date | null;
  perplexity: number | null;
  perplexityTokens: number | null;
  perplexityAt: Date | null;
}

/** One immutable version of a registered model, as the registry stores it. */
export interface ModelRecord {
  id: string;
  name: string;
  version: number;
  provider: ModelProvider;
  status: ModelStatus;
  /** Why an import failed. */
  error: string | null;
  /** ONNX model folder (absolute, real path). */
  folder: string | null;
  /** True when the import job wrote the folder, so removing the model removes it too. */
  ownsFolder: boolean;
  sourcePath: string | null;
  sourceSha256: string | null;
  architecture: string | null;
  bits: number | null;
  group: number | null;
  /** Longest prompt + completion in tokens; null when unknown (an external endpoint). */
  contextLength: number | null;
  sizeBytes: number | null;
  baseUrl: string | null;
  /** Secret of the external endpoint; never leaves the server. */
  apiKey: string | null;
  /** The model name the external endpoint knows; defaults to the registered name. */
  remoteModel: string | null;
  baseModel: string | null;
  parentModelId: string | null;
  datasetVersion: string | null;
  isDefault: boolean;
  jobId: string | null;
  measurements: ModelMeasurements;
  createdAt: Date;
  updatedAt: Date;
}

/** What a new version is registered with; the registry picks its version number. */
export type NewModel = Omit<ModelRecord, 'id' | 'version' | 'isDefault' | 'createdAt' | 'updatedAt' | 'jobId' | 'measurements'>;

/** `name` or `name@version`, as clients and the CLI write it. */
export function formatModelRef(model: Pick<ModelRecord, 'name' | 'version'>): string {
  return `${model.name}@${model.version}`;
}

export function parseModelRef(ref: string): { name: string; version: number | null } {
  const at = ref.lastIndexOf('@');
  if (at > 0 && /^\d+$/.test(ref.slice(at + 1))) return { name: ref.slice(0, at), version: Number(ref.slice(at + 1)) };
  return { name: ref, version: null };
}
