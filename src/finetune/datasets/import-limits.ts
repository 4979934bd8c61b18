/** Largest dataset file the API accepts (JSON datasets are parsed whole in memory). */
export const DATASET_UPLOAD_LIMIT_BYTES = 64 * 1024 * 1024;
