import { ConflictError, NotFoundError } from '../common/app-error';
import { JobName } from './job-name.enum';

export const JOB_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const TERMINAL_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'cancelled'];

/**
 * A payload field for secrets the enqueuing feature sealed (e.g. the password of an encrypted
 * upload): kept while the job may still run, removed from the ledger once it ends (completed,
 * failed, cancelled). A retry from the jobs API therefore runs without it.
 */
export const SEALED_PAYLOAD_KEY = 'sealed';

/** A row of the jobs table, as the rest of the app sees it. */
export interface JobRecord {
  id: string;
  name: JobName;
  payload: unknown;
  status: JobStatus;
  /** 0-100. */
  progress: number;
  progressMessage: string | null;
  attempts: number;
  maxAttempts: number;
  backoffMs: number;
  runAfter: Date;
  cancelRequested: boolean;
  result: unknown;
  error: string | null;
  /** host:pid of the process running (or that last ran) the job. */
  worker: string | null;
  createdAt: Date;
  updatedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface EnqueueOptions {
  /** Attempts before the job is marked failed (default 3). */
  maxAttempts?: number;
  /** Wait before the second attempt; doubles for every further attempt (default 1000 ms). */
  backoffMs?: number;
  /** Do not start before this many milliseconds have passed. */
  delayMs?: number;
}

/** What a handler gets besides its payload. */
export interface JobContext {
  jobId: string;
  /** 1 for the first attempt. */
  attempt: number;
  /** Aborted when the job is cancelled or the process shuts down; long work should check it. */
  signal: AbortSignal;
  /** Report progress (0-100) with an optional line of text; cheap to call often. */
  progress(percent: number, message?: string): Promise<void>;
}

export interface QueueHealth {
  status: 'ok' | 'error';
  driver: 'in-process' | 'bullmq';
  counts?: Record<JobStatus, number>;
  error?: string;
}

export class JobNotFoundError extends NotFoundError {
  override name = 'JobNotFoundError';
  constructor(readonly jobId: string) {
    super(`job ${jobId} does not exist`);
  }
}

/** A cancel or retry that the job's status does not allow. */
export class JobStateError extends ConflictError {
  override name = 'JobStateError';
}
