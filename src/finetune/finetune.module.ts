import { Module } from '@nestjs/common';
import { DatasetsController } from './datasets/datasets.controller';
import { DatasetsRepository } from './datasets/datasets.repository';
import { DatasetsService } from './datasets/datasets.service';

/** Fine-tuning: curated datasets (src/finetune/datasets); the training engine joins here (src/finetune/training). */
@Module({
  controllers: [DatasetsController],
  providers: [DatasetsRepository, DatasetsService],
  exports: [DatasetsService],
})
export class FinetuneModule {}
