import * as path from 'node:path';

/** ../shared/data relative to the repository root, where the shared test data lives. */
export const SHARED_DATA = path.resolve(__dirname, '../../../..', 'shared/data');
export const MOE_FIXTURES = path.join(SHARED_DATA, 'moe-fixtures');
