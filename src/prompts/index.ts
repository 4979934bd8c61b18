export type { CreatePromptDto, RenderPromptDto, UpdatePromptDto } from './dto/prompt-request.dto';
export type { PromptDto, PromptSummaryDto, RenderedPromptDto } from './dto/prompt-response.dto';
export { estimateTokens, renderWithinBudget, type BudgetOptions, type TokenCounter } from './prompt-budget';
export { CompiledTemplate } from './prompt.renderer';
export type { ChatMessage, ChunkValue, GenerationParameters, MessageValue, RenderedPrompt, TemplateDefinition, VariableSpec } from './prompt-template.types';
export { PromptTooLongError, TemplateDefinitionError, TemplateVariablesError } from './prompts.errors';
export { PromptsModule } from './prompts.module';
export { PromptsService, type RenderOptions } from './prompts.service';
