/** The generator's entry for the rest of the app (assistant, finetune, CLI). */
export { GeneratorModule } from './generator.module';
export { GeneratorService, type ChatSession } from './serving/generator.service';
export { ModelRegistryService, type ImportOutcome } from './registry/model-registry.service';
export { formatModelRef, parseModelRef, type ModelRecord, type ModelProvider, type ModelStatus } from './registry/model.record';
export type { ChatMessage, ChatParams, ChatOutcome, ChatFinishReason } from './providers/chat-provider';
export { ModelNotFoundError, GenerationInputError, QueueFullError, UpstreamError, ModelPathError, GenerationCancelledError, ModelUnavailableError, NoModelError } from './generator.errors';
export { mapModel, type ModelDto } from './dto/model.dto';
