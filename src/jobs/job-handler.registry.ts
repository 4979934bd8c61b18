import { Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import { ALL_JOB_NAMES, JobName } from './job-name.enum';
import { JOB_HANDLER_METADATA, JobHandler } from './job-handler.decorator';

export class JobRegistryError extends Error {
  override readonly name = 'JobRegistryError';
  constructor(readonly problems: string[]) {
    super(`job handlers are misconfigured:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Pairs each JobName with exactly one handler; checked once at start-up. */
export function buildHandlerMap(found: Array<{ name: unknown; owner: string; handler: JobHandler<JobName> }>): Map<JobName, JobHandler<JobName>> {
  const problems: string[] = [];
  const byName = new Map<JobName, Array<{ owner: string; handler: JobHandler<JobName> }>>();
  for (const entry of found) {
    if (!ALL_JOB_NAMES.includes(entry.name as JobName)) {
      problems.push(`${entry.owner} handles "${String(entry.name)}", which is not a JobName`);
      continue;
    }
    if (typeof entry.handler.run !== 'function') problems.push(`${entry.owner} has no run() method`);
    const list = byName.get(entry.name as JobName) ?? [];
    list.push(entry);
    byName.set(entry.name as JobName, list);
  }
  for (const name of ALL_JOB_NAMES) {
    const list = byName.get(name) ?? [];
    if (list.length === 0) problems.push(`job "${name}" has no handler`);
    if (list.length > 1) problems.push(`job "${name}" has ${list.length} handlers: ${list.map((e) => e.owner).join(', ')}`);
  }
  if (problems.length > 0) throw new JobRegistryError(problems);
  return new Map([...byName].map(([name, list]) => [name, list[0].handler]));
}

@Injectable()
export class JobHandlerRegistry implements OnModuleInit {
  private handlers = new Map<JobName, JobHandler<JobName>>();

  constructor(private readonly discovery: DiscoveryService, private readonly reflector: Reflector) {}

  onModuleInit(): void {
    const found = this.discovery
      .getProviders()
      .filter((wrapper) => wrapper.metatype && wrapper.instance)
      .map((wrapper) => ({
        name: this.reflector.get<unknown>(JOB_HANDLER_METADATA, wrapper.metatype as object as Function),
        owner: (wrapper.metatype as Function).name,
        handler: wrapper.instance as JobHandler<JobName>,
      }))
      .filter((entry) => entry.name !== undefined);
    this.handlers = buildHandlerMap(found);
  }

  get(name: JobName): JobHandler<JobName> {
    const handler = this.handlers.get(name);
    if (!handler) throw new JobRegistryError([`job "${name}" has no handler`]);
    return handler;
  }
}
