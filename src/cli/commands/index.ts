import type { Command } from 'commander';
import { registerAskCommand } from './ask.command';
import { registerDatasetCommand } from './dataset.command';
import { registerDbCommand } from './db.command';
import { registerEvalCommand } from './eval.command';
import { registerFinetuneCommand } from './finetune.command';
import { registerIngestCommand } from './ingest.command';
import { registerKeysCommand } from './keys.command';
import { registerModelCommand } from './model.command';
import { registerParseCommand } from './parse.command';
import { registerPromptsCommand } from './prompts.command';
import { registerSearchCommand } from './search.command';
import { registerServeCommand } from './serve.command';
import { registerWorkerCommand } from './worker.command';

/**
 * Every command group of `zhiku`, in help order. A new group is a file
 * `<name>.command.ts` exporting `register<Name>Command(program)` and one line here.
 */
export const COMMANDS: ReadonlyArray<(program: Command) => void> = [
  registerServeCommand,
  registerWorkerCommand,
  registerDbCommand,
  registerKeysCommand,
  registerParseCommand,
  registerIngestCommand,
  registerSearchCommand,
  registerModelCommand,
  registerPromptsCommand,
  registerAskCommand,
  registerDatasetCommand,
  registerFinetuneCommand,
  registerEvalCommand,
];
