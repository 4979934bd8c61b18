import { Module } from '@nestjs/common';
import { ImportModelHandler } from './import-model.handler';
import { ModelsController } from './models.controller';
import { EmbeddingsService } from './openai/embeddings.service';
import { OpenAiController } from './openai/openai.controller';
import { OpenAiService } from './openai/openai.service';
import { ModelMeasurer } from './registry/model-measurer';
import { ModelRegistryService } from './registry/model-registry.service';
import { ModelsRepository } from './registry/models.repository';
import { GeneratorMetrics } from './serving/generator.metrics';
import { GeneratorService } from './serving/generator.service';
import { ProviderPool } from './serving/provider-pool';

/**
 * The model registry (/api/models, the import job) and serving: local ONNX MoE models and external
 * OpenAI-compatible endpoints behind one provider interface, a fair queue per model, the /v1 API.
 * Other modules use GeneratorService (chat) and ModelRegistryService (resolve, register).
 */
@Module({
  controllers: [ModelsController, OpenAiController],
  providers: [ModelsRepository, ProviderPool, ModelMeasurer, ModelRegistryService, GeneratorService, EmbeddingsService, OpenAiService, ImportModelHandler, GeneratorMetrics],
  exports: [GeneratorService, ModelRegistryService],
})
export class GeneratorModule {}
