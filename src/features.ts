import { DynamicModule, Type } from '@nestjs/common';
import { DocumentsModule } from './documents/documents.module';
import { PromptsModule } from './prompts/prompts.module';
import { GeneratorModule } from './generator/generator.module';
import { AssistantModule } from './assistant/assistant.module';
import { FinetuneModule } from './finetune/finetune.module';

/**
 * Feature modules (documents, retrieval, prompts, generator, assistant, finetune), in dependency
 * order. Adding a feature to Zhiku is adding its module here: it is then part of the API server,
 * the worker and the CLI alike (see docs/platform.md).
 */
export const FEATURE_MODULES: Array<Type<unknown> | DynamicModule> = [DocumentsModule, PromptsModule, GeneratorModule, AssistantModule, FinetuneModule];
