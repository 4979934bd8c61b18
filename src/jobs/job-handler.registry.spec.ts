import { buildHandlerMap, JobRegistryError } from './job-handler.registry';
import { JobName } from './job-name.enum';

const handler = { run: async () => null };

describe('buildHandlerMap', () => {
  it('pairs every job name with its one handler', () => {
    const map = buildHandlerMap([{ name: JobName.SystemDiagnostic, owner: 'DiagnosticJobHandler', handler }]);
    expect(map.get(JobName.SystemDiagnostic)).toBe(handler);
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
      'job "system.diagnostic" has no handler',
    ]);
    expect(() =>
      buildHandlerMap([
        { name: JobName.SystemDiagnostic, owner: 'A', handler },
        { name: JobName.SystemDiagnostic, owner: 'B', handler },
      ]),
    ).toThrow('job "system.diagnostic" has 2 handlers: A, B');
  });
});
