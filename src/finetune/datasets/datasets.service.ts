import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuthContext } from '../../auth';
import { ConflictError, InvalidInputError, NotFoundError } from '../../common';
import { checkRecord, DATASET_NAME, type DatasetRecord, type RowReject, type StoredRecord } from './dataset-record';
import { NothingImportedError } from './datasets.errors';
import { type DatasetRow, DatasetsRepository, type VersionRow } from './datasets.repository';
import { dedupe } from './dedupe';
import { type ExportFormat, exportRecords, llamaFactoryInfo } from './formats/export.format';
import { type ImportFormat, readDatasetFile } from './import-reader';
import { splitRecords } from './split';

/** Rejects listed in a response; the counts always cover all of them. */
const MAX_LISTED_REJECTS = 200;

export interface ImportReport {
  dataset: string;
  datasetId: string;
  version: number;
  format: ImportFormat;
  layout: string;
  encoding: string;
  rows: number;
  imported: number;
  rejected: number;
  exactDuplicates: number;
  nearDuplicates: number;
  rejects: RowReject[];
  duplicates: Array<{ row: number; of: number; kind: 'exact' | 'near'; similarity?: number }>;
  warnings: string[];
}

export interface ImportRequest {
  name: string;
  description?: string;
  filename: string;
  bytes: Uint8Array;
  format?: ImportFormat;
  nearThreshold?: number;
}

export interface DatasetSummary {
  id: string;
  name: string;
  description: string;
  latestVersion: number;
  recordCount?: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface VersionChange {
  dataset: DatasetSummary;
  version: VersionRow;
}

const actor = (auth: AuthContext) => auth.keyName || auth.keyId;
const summary = (d: DatasetRow & { recordCount?: number }): DatasetSummary => ({ ...d });

function checkName(name: string): void {
  if (!DATASET_NAME.test(name) || name.length > 100) {
    throw new InvalidInputError(`dataset name "${name}": use up to 100 letters, digits, ".", "_" and "-", starting with a letter or digit`);
  }
}

/**
 * Version 0 is where every dataset starts: no records. It has no row of its own (a stored version
 * always holds a change), so it is made up here, dated with the dataset.
 */
const emptyVersion = (d: DatasetRow): VersionRow => ({
  datasetId: d.id, version: 0, operation: 'create', note: '', report: {}, recordCount: 0, trainCount: 0, validationCount: 0, createdBy: '', createdAt: d.createdAt,
});

/** Checked records with fresh ids, not yet in a split; the first bad one is a 400 naming it. */
function newRecords(candidates: ReadonlyArray<Partial<DatasetRecord>>): StoredRecord[] {
  return candidates.map((c, i) => {
    const checked = checkRecord(c);
    if (typeof checked === 'string') throw new InvalidInputError(`record ${i + 1}: ${checked}`);
    return { ...checked, id: randomUUID(), split: null } as StoredRecord;
  });
}

/** Curated fine-tuning datasets: import, edit, split, export; every change is a new frozen version. */
@Injectable()
export class DatasetsService {
  constructor(private readonly repo: DatasetsRepository) {}

  async list(): Promise<DatasetSummary[]> {
    return (await this.repo.list()).map(summary);
  }

  /** Versions listed: the stored ones, or version 0 alone while nothing was added yet. */
  async get(ref: string): Promise<DatasetSummary & { versions: VersionRow[] }> {
    const dataset = await this.load(ref);
    const versions = dataset.latestVersion === 0 ? [emptyVersion(dataset)] : await this.repo.versions(dataset.id);
    return { ...summary(dataset), versions };
  }

  /** An empty dataset at version 0; records added later make version 1. */
  async create(_auth: AuthContext, request: { name: string; description?: string }): Promise<DatasetSummary & { versions: VersionRow[] }> {
    checkName(request.name);
    const created = await this.repo.create(request.name, request.description ?? '');
    if (!created) throw new ConflictError(`a dataset named ${request.name} already exists; add records to it or choose another name`);
    return { ...summary(created), recordCount: 0, versions: [emptyVersion(created)] };
  }

  async records(ref: string, query: { version?: number; split?: 'train' | 'validation'; offset?: number; limit?: number }): Promise<{ version: number; total: number; records: StoredRecord[] }> {
    const { dataset, version } = await this.loadVersion(ref, query.version);
    const records = await this.repo.records(dataset.id, version.version, { split: query.split, offset: query.offset, limit: query.limit ?? 100 });
    const total = query.split === 'train' ? version.trainCount : query.split === 'validation' ? version.validationCount : version.recordCount;
    return { version: version.version, total, records };
  }

  /** Every record of a version (the latest by default), for training and evaluation. */
  async versionRecords(ref: string, options: { version?: number; split?: 'train' | 'validation' } = {}): Promise<{ datasetId: string; name: string; version: number; records: StoredRecord[] }> {
    const { dataset, version } = await this.loadVersion(ref, options.version);
    return { datasetId: dataset.id, name: dataset.name, version: version.version, records: await this.repo.records(dataset.id, version.version, { split: options.split }) };
  }

  /**
   * Reads the file, keeps the good rows, drops duplicates (of each other and of the records already
   * in the dataset) and stores the result as the next version. Nothing is written when no row is usable.
   */
  async import(auth: AuthContext, request: ImportRequest): Promise<ImportReport> {
    checkName(request.name);
    const read = await readDatasetFile(request.bytes, request.filename, request.format);
    const rows = read.good.length + read.rejects.length;
    if (!read.good.length) {
      throw new NothingImportedError(`nothing imported from ${request.filename}: all ${rows} rows were rejected`, { rejects: read.rejects.slice(0, MAX_LISTED_REJECTS), warnings: read.warnings });
    }
    let report!: ImportReport;
    const result = await this.repo.addVersion({ create: { name: request.name, description: request.description } }, (latest) => {
      const incoming: StoredRecord[] = read.good.map((g) => ({ ...g.record, id: randomUUID(), split: null }));
      const deduped = dedupe([...latest, ...incoming], { threshold: request.nearThreshold });
      const rowOf = (index: number) => (index < latest.length ? -(index + 1) : read.good[index - latest.length].row);
      const duplicates = deduped.dropped.filter((d) => d.index >= latest.length).map((d) => ({ row: rowOf(d.index), of: rowOf(d.of), kind: d.kind, ...(d.similarity !== undefined ? { similarity: d.similarity } : {}) }));
      const keptSet = new Set(deduped.kept);
      // Existing records stay even if they repeat each other (an editor put them there); only new rows are dropped.
      const added = incoming.filter((r) => keptSet.has(r));
      const imported = added.length;
      report = {
        dataset: request.name,
        datasetId: '',
        version: 0,
        format: read.format,
        layout: read.layout,
        encoding: read.encoding,
        rows,
        imported,
        rejected: read.rejects.length,
        exactDuplicates: deduped.dropped.filter((d) => d.index >= latest.length && d.kind === 'exact').length,
        nearDuplicates: deduped.dropped.filter((d) => d.index >= latest.length && d.kind === 'near').length,
        rejects: read.rejects.slice(0, MAX_LISTED_REJECTS),
        duplicates: duplicates.slice(0, MAX_LISTED_REJECTS),
        warnings: read.warnings,
      };
      const { rejects: _r, duplicates: _d, ...counts } = report;
      return { operation: 'import', note: request.filename, report: { ...counts, rejects: report.rejects.slice(0, 20) }, createdBy: actor(auth), records: [...latest, ...added] };
    });
    return { ...report, datasetId: result.dataset.id, version: result.version.version };
  }

  async addRecords(auth: AuthContext, ref: string, candidates: Array<Partial<DatasetRecord>>): Promise<VersionChange> {
    const dataset = await this.load(ref);
    const records = newRecords(candidates);
    return this.change(auth, dataset, 'edit', `added ${records.length}`, (latest) => [...latest, ...records]);
  }

  async updateRecord(auth: AuthContext, ref: string, recordId: string, patch: Partial<DatasetRecord>): Promise<VersionChange> {
    const dataset = await this.load(ref);
    return this.change(auth, dataset, 'edit', `updated ${recordId}`, (latest) => {
      const at = this.indexOf(latest, recordId, dataset);
      // A field left out of the patch keeps its value (the DTO carries it as undefined).
      const given = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
      const checked = checkRecord({ ...latest[at], ...given });
      if (typeof checked === 'string') throw new InvalidInputError(`record ${recordId}: ${checked}`);
      const next = [...latest];
      next[at] = { ...checked, id: recordId, split: latest[at].split };
      return next;
    });
  }

  async deleteRecord(auth: AuthContext, ref: string, recordId: string): Promise<VersionChange> {
    const dataset = await this.load(ref);
    return this.change(auth, dataset, 'edit', `deleted ${recordId}`, (latest) => {
      const at = this.indexOf(latest, recordId, dataset);
      return latest.filter((_, i) => i !== at);
    });
  }

  async split(auth: AuthContext, ref: string, options: { validationRatio: number; seed?: number }): Promise<VersionChange> {
    const dataset = await this.load(ref);
    const seed = options.seed ?? 42;
    return this.change(auth, dataset, 'split', `validation ${options.validationRatio}, seed ${seed}`, (latest) => {
      if (latest.length < 2) throw new InvalidInputError(`dataset ${dataset.name} has ${latest.length} record(s); a split needs at least 2`);
      return splitRecords(latest, { validationRatio: options.validationRatio, seed });
    });
  }

  /** An answer from /api/ask, made into a record whose sources are the chunks it cited. */
  async fromAnswer(auth: AuthContext, ref: string, answer: { question: string; answer: string; citations?: Array<Record<string, unknown>>; system?: string; tags?: string[]; keepCitationMarks?: boolean }): Promise<VersionChange & { recordId: string }> {
    const output = answer.keepCitationMarks ? answer.answer : answer.answer.replace(/\s*\[\d+(?:\s*[,，]\s*\d+)*\]/g, '');
    const sources = (answer.citations ?? []).map((c) => ({
      ...(typeof c.documentId === 'string' ? { documentId: c.documentId } : {}),
      ...(typeof c.chunkId === 'string' ? { chunkId: c.chunkId } : {}),
      ...(typeof c.document === 'string' ? { title: c.document } : {}),
      ...(typeof c.page === 'number' ? { page: c.page } : {}),
    }));
    const checked = checkRecord({ instruction: answer.question, output, system: answer.system, sources, tags: answer.tags ?? ['from-answer'] });
    if (typeof checked === 'string') throw new InvalidInputError(checked);
    const record: StoredRecord = { ...checked, id: randomUUID(), split: null };
    const dataset = await this.load(ref);
    const change = await this.change(auth, dataset, 'from-answer', answer.question.slice(0, 200), (latest) => [...latest, record]);
    return { ...change, recordId: record.id };
  }

  /**
   * Adds the records `claim` returns as the next version; `claim` runs inside the version's
   * transaction (with the version number it will get), so what it changes commits with it or not at all.
   */
  async addClaimedRecords(auth: AuthContext, ref: string, note: string, claim: (m: EntityManager, datasetId: string, version: number) => Promise<Array<Partial<DatasetRecord>>>): Promise<VersionChange> {
    const dataset = await this.load(ref);
    const result = await this.repo.addVersion({ id: dataset.id }, async (latest, locked, m) => {
      const records = newRecords(await claim(m, locked.id, locked.latestVersion + 1));
      return { operation: 'drafts', note, report: {}, createdBy: actor(auth), records: [...latest, ...records] };
    });
    return { dataset: summary(result.dataset), version: result.version };
  }

  async export(ref: string, options: { format: ExportFormat; version?: number; lines?: boolean; split?: 'train' | 'validation' }): Promise<{ fileName: string; content: string; version: number }> {
    const { dataset, version } = await this.loadVersion(ref, options.version);
    const records = await this.repo.records(dataset.id, version.version, { split: options.split });
    const suffix = options.split ? `-${options.split}` : '';
    return { fileName: `${dataset.name}-v${version.version}${suffix}.${options.lines ? 'jsonl' : 'json'}`, content: exportRecords(records, options.format, !!options.lines), version: version.version };
  }

  /** The data file plus its dataset_info.json entry, to train with LLaMA-Factory elsewhere. */
  async llamaFactory(ref: string, options: { format: ExportFormat; version?: number; split?: 'train' | 'validation' }): Promise<{ datasetInfo: Record<string, unknown>; fileName: string; content: string }> {
    const exported = await this.export(ref, { ...options, lines: false });
    const entryName = exported.fileName.replace(/\.json$/, '');
    return { datasetInfo: llamaFactoryInfo(entryName, exported.fileName, options.format), fileName: exported.fileName, content: exported.content };
  }

  async remove(auth: AuthContext, ref: string): Promise<DatasetSummary> {
    const dataset = await this.load(ref);
    await this.repo.remove(dataset.id);
    return summary(dataset);
  }

  private async change(auth: AuthContext, dataset: DatasetRow, operation: 'edit' | 'split' | 'from-answer', note: string, build: (latest: StoredRecord[]) => StoredRecord[]): Promise<VersionChange> {
    const result = await this.repo.addVersion({ id: dataset.id }, (latest) => ({ operation, note, report: {}, createdBy: actor(auth), records: build(latest) }));
    return { dataset: summary(result.dataset), version: result.version };
  }

  private indexOf(records: StoredRecord[], recordId: string, dataset: DatasetRow): number {
    const at = records.findIndex((r) => r.id === recordId);
    if (at < 0) throw new NotFoundError(`dataset ${dataset.name} has no record ${recordId} in its latest version`);
    return at;
  }

  private async load(ref: string): Promise<DatasetRow> {
    const dataset = await this.repo.find(ref);
    if (!dataset) throw new NotFoundError(`no dataset named ${ref}`);
    return dataset;
  }

  private async loadVersion(ref: string, wanted?: number): Promise<{ dataset: DatasetRow; version: VersionRow }> {
    const dataset = await this.load(ref);
    if ((wanted ?? dataset.latestVersion) === 0) return { dataset, version: emptyVersion(dataset) };
    const version = await this.repo.version(dataset.id, wanted ?? dataset.latestVersion);
    if (!version) throw new NotFoundError(`dataset ${dataset.name} has no version ${wanted} (latest is ${dataset.latestVersion})`);
    return { dataset, version };
  }
}
