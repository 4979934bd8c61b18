import { CheckpointError, UnsupportedArchitectureError } from '../moe.errors';
import type { MoeConfig } from '../model/moe-config';
import type { ArchitectureImporter } from './architecture.importer';
import { HfConfig, HfConfigReader } from './hf-config.reader';
import { deepseekImporter } from './importers/deepseek.importer';
import { mixtralImporter } from './importers/mixtral.importer';
import { olmoeImporter } from './importers/olmoe.importer';
import { qwen2MoeImporter } from './importers/qwen2-moe.importer';
import { qwen3MoeImporter } from './importers/qwen3-moe.importer';

const IMPORTERS: readonly ArchitectureImporter[] = [mixtralImporter, qwen2MoeImporter, qwen3MoeImporter, olmoeImporter, deepseekImporter];

/** config.json `architectures` value → importer. Adding an architecture is one file and one entry above. */
export const IMPORTER_REGISTRY: ReadonlyMap<string, ArchitectureImporter> = new Map(
  IMPORTERS.flatMap((importer) => importer.hfArchitectures.map((name) => [name, importer] as const)),
);

export function supportedArchitectures(): string[] {
  return [...IMPORTER_REGISTRY.keys()];
}

/** Picks the importer for a parsed config.json, or explains why none fits. */
export function importerFor(raw: HfConfig, source: string): ArchitectureImporter {
  const listed = raw.architectures;
  if (!Array.isArray(listed) || listed.length === 0 || !listed.every((a) => typeof a === 'string')) {
    throw new CheckpointError(`${source} has no "architectures" list, so the model type cannot be told`);
  }
  for (const name of listed as string[]) {
    const importer = IMPORTER_REGISTRY.get(name);
    if (importer) return importer;
  }
  throw new UnsupportedArchitectureError(
    `${source}: architecture ${(listed as string[]).join(', ')} is not supported; supported: ${supportedArchitectures().join(', ')}`,
  );
}

/** config.json contents → MoeConfig. */
export function parseMoeConfig(raw: HfConfig, source = 'config.json'): MoeConfig {
  return importerFor(raw, source).parseConfig(new HfConfigReader(raw, source));
}
