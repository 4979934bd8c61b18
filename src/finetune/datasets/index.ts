export { DatasetsService } from './datasets.service';
export type { DatasetSummary, ImportReport, ImportRequest, VersionChange } from './datasets.service';
export type { DatasetRecord, HistoryPair, RowReject, SourceRef, StoredRecord } from './dataset-record';
export { MAX_RECORD_BYTES } from './dataset-record';
export { IMPORT_FORMATS, readDatasetFile } from './import-reader';
export type { ImportFormat } from './import-reader';
export { EXPORT_FORMATS, exportRecords, llamaFactoryInfo } from './formats/export.format';
export type { ExportFormat } from './formats/export.format';
export { DatasetFileError, NothingImportedError } from './datasets.errors';
