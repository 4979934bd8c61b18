import { buildHandlerMap, JobRegistryError } from './job-handler.registry';
import { ALL_JOB_NAMES, JobName } from './job-name.enum';

const handler = { run: async () => null };

describe('buildHandlerMap', () => {
  it('pairs every job name with its one handler', () => {
    const handlers = ALL_JOB_NAMES.map((name) => ({ name, owner: `${name} handler`, handler: { run: async () => name } }));
    const map = buildHandlerMap(handlers);
    for (const { name, handler: h } of handlers) expect(map.get(name)).toBe(h);
  });

  it('lists a missing handler, a duplicate and an unknown name at once', () => {
    const error = (() => {
      try {
        buildHandlerMap([
          { name: 'no.such.job', owner: 'StrayHandler', handler },
        ]);
      } catch (e) {
        return e as JobRegistryError;
      }
    })();
    expect(error).toBeInstanceOf(JobRegistryError);
    expect(error?.problems).toEqual([
      'StrayHandler handles "no.such.job", which is not a JobName',
      ...ALL_JOB_NAMES.map((name) => `job "${name}" has no handler`),
    ]);
    expect(() =>
      buildHandlerMap([
        ...ALL_JOB_NAMES.filter((name) => name !== JobName.SystemDiagnostic).map((name) => ({ name, owner: name, handler })),
        { name: JobName.SystemDiagnostic, owner: 'A', handler },
        { name: JobName.SystemDiagnostic, owner: 'B', handler },
      ]),
    ).toThrow('job "system.diagnostic" has 2 handlers: A, B');
  });
});
