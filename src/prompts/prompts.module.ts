import { Module } from '@nestjs/common';
import { PromptsController } from './prompts.controller';
import { PromptsRepository } from './prompts.repository';
import { PromptsService } from './prompts.service';
import { ShippedPromptsSeeder } from './shipped-prompts.seeder';

/** Prompt templates: versions, render, the admin API; the shipped defaults are loaded at start-up. */
@Module({
  controllers: [PromptsController],
  providers: [PromptsRepository, PromptsService, ShippedPromptsSeeder],
  exports: [PromptsService],
})
export class PromptsModule {}
