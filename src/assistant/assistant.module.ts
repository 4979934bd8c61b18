import { Module } from '@nestjs/common';
import { DocumentsModule } from '../documents/documents.module';
import { GeneratorModule } from '../generator';
import { PromptsModule } from '../prompts';
import { RetrievalModule } from '../retrieval';
import { AssistantController } from './assistant.controller';
import { AssistantService } from './assistant.service';
import { ConversationsRepository } from './conversations.repository';
import { ModelPicker } from './model-picker';
import { WritingService } from './writing.service';

/** Knowledge Q&A (/api/ask, conversations) and the writing assistant (/api/write/{task}). */
@Module({
  imports: [DocumentsModule, RetrievalModule, PromptsModule, GeneratorModule],
  controllers: [AssistantController],
  providers: [AssistantService, WritingService, ModelPicker, ConversationsRepository],
  exports: [AssistantService, WritingService, ModelPicker],
})
export class AssistantModule {}
