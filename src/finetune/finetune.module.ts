import { Module } from '@nestjs/common';
import { AssistantModule } from '../assistant';
import { DocumentsModule } from '../documents/documents.module';
import { GeneratorModule } from '../generator';
import { PromptsModule } from '../prompts';
import { DatasetsController } from './datasets/datasets.controller';
import { DatasetsRepository } from './datasets/datasets.repository';
import { DatasetsService } from './datasets/datasets.service';
import { DraftQaHandler } from './drafts/draft-qa.handler';
import { DraftsController } from './drafts/drafts.controller';
import { DraftsRepository } from './drafts/drafts.repository';
import { DraftsService } from './drafts/drafts.service';
import { QaDrafter } from './drafts/qa-drafter';
import { FinetuneRunsController } from './runs/finetune-runs.controller';
import { FinetuneRunsRepository } from './runs/finetune-runs.repository';
import { FinetuneRunsService } from './runs/finetune-runs.service';
import { BaseModelResolver } from './runs/base-model.resolver';
import { LoraRunExecutor } from './runs/lora-run.executor';
import { FinetuneRunHandler } from './runs/finetune-run.handler';
import { RunStagesService } from './pipelines/run-stages.service';
import { RegisterStage } from './pipelines/register.stage';
import { HandoffController } from './export/handoff.controller';
import { LlamaFactoryHandoff } from './export/llamafactory-handoff';
import { AdaptersController, PipelinesController } from './pipelines/pipelines.controller';

/** Fine-tuning: curated datasets (src/finetune/datasets) and Q&A drafted from documents (src/finetune/drafts); the training engine joins here (src/finetune/training). */
@Module({
  imports: [DocumentsModule, PromptsModule, GeneratorModule, AssistantModule],
  controllers: [DatasetsController, DraftsController, FinetuneRunsController, PipelinesController, HandoffController, AdaptersController],
  providers: [DatasetsRepository, DatasetsService, DraftsRepository, DraftsService, QaDrafter, DraftQaHandler, FinetuneRunsRepository, FinetuneRunsService, BaseModelResolver, LoraRunExecutor, RunStagesService, RegisterStage, FinetuneRunHandler, LlamaFactoryHandoff],
  exports: [DatasetsService],
})
export class FinetuneModule {}
