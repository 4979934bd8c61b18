import { Platform1795832716129 } from './1795832716129-Platform';
import { RetrievalIndex1795834586899 } from './1795834586899-RetrievalIndex';
import { Documents1795835281768 } from './1795835281768-Documents';
import { PromptTemplates1795836611175 } from './1795836611175-PromptTemplates';
import { Models1795836674868 } from './1795836674868-Models';
import { Conversations1795838000000 } from './1795838000000-Conversations';
import { Datasets1795840000000 } from './1795840000000-Datasets';
import { AuditEvents1795850000000 } from './1795850000000-AuditEvents';
import { RetrievalEmbedderSwitch1795851000000 } from './1795851000000-RetrievalEmbedderSwitch';
import { DatasetDrafts1795852000000 } from './1795852000000-DatasetDrafts';
import { FinetuneRuns1795860000000 } from './1795860000000-FinetuneRuns';
import { FinetuneRunAuxLoss1795861000000 } from './1795861000000-FinetuneRunAuxLoss';
import { RetrievalHnswGraph1795865432100 } from './1795865432100-RetrievalHnswGraph';
import { ModelMeasurements1795870000000 } from './1795870000000-ModelMeasurements';
import { DocumentLastError1795871500000 } from './1795871500000-DocumentLastError';

/**
 * Every migration, oldest first. Listed explicitly (not globbed) so the same list works from
 * TypeScript under jest and from dist/ at run time. A new migration is one file plus one line here.
 */
export const ALL_MIGRATIONS = [Platform1795832716129, RetrievalIndex1795834586899, Documents1795835281768, PromptTemplates1795836611175, Models1795836674868, Conversations1795838000000, Datasets1795840000000, AuditEvents1795850000000, RetrievalEmbedderSwitch1795851000000, DatasetDrafts1795852000000, FinetuneRuns1795860000000, FinetuneRunAuxLoss1795861000000, RetrievalHnswGraph1795865432100, ModelMeasurements1795870000000, DocumentLastError1795871500000];
