import * as fs from 'node:fs';
import * as path from 'node:path';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { parseTemplateSource } from './front-matter.parser';
import { PromptsRepository, type SeedOutcome } from './prompts.repository';
import { sha256, trialRender } from './prompts.service';

/**
 * The top-level prompts/ folder: found by walking up from this file to the directory holding
 * package.json, so it works from src/ under jest, from dist/ and in the Docker image alike.
 */
export function shippedPromptsDir(from = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return path.join(dir, 'prompts');
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}: cannot find the shipped prompts/ folder`);
  }
}

export interface ShippedTemplateFile {
  file: string;
  source: string;
}

/** Every `*.md` template file of the folder, by name. A missing folder is an empty set (a bare install). */
export function readShippedTemplates(dir = shippedPromptsDir()): ShippedTemplateFile[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => ({ file: f, source: fs.readFileSync(path.join(dir, f), 'utf8') }));
}

/**
 * Loads the shipped templates into the database at start-up (every role; it is idempotent and
 * cheap). A broken shipped file stops start-up: it is in git and a spec checks every one of them.
 */
@Injectable()
export class ShippedPromptsSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger('Prompts');

  constructor(private readonly repository: PromptsRepository) {}

  async onApplicationBootstrap(): Promise<void> {
    const started = Date.now();
    const outcomes = Object.values(await this.seed());
    const count = (o: SeedOutcome) => outcomes.filter((x) => x === o).length;
    this.logger.log(
      `shipped templates: ${outcomes.length} in ${Date.now() - started} ms (${count('created')} new, ${count('updated-active') + count('updated-inactive')} changed, ${count('unchanged')} unchanged)`,
    );
  }

  async seed(files = readShippedTemplates()): Promise<Record<string, SeedOutcome>> {
    const outcomes: Record<string, SeedOutcome> = {};
    const known = await this.repository.shippedHashes();
    for (const { file, source } of files) {
      const def = parseTemplateSource(source, `shipped template ${file}`);
      if (`${def.name}.md` !== file) throw new Error(`shipped template ${file} is named "${def.name}"; the file must be ${def.name}.md`);
      trialRender(def);
      const hash = sha256(source);
      if (known.get(def.name) === hash) {
        outcomes[def.name] = 'unchanged';
        continue;
      }
      outcomes[def.name] = await this.repository.seed(def.name, {
        source,
        description: def.description,
        task: def.task,
        language: def.language,
        sha256: hash,
        origin: 'shipped',
        createdBy: 'shipped',
      });
      if (outcomes[def.name] === 'skipped-custom') this.logger.warn(`shipped template ${def.name} not loaded: a custom template already has that name`);
      if (outcomes[def.name] === 'updated-inactive') this.logger.log(`shipped template ${def.name} changed: saved as a new version, not activated (an edited version is active)`);
    }
    return outcomes;
  }
}
