import { runCli } from '../../src/cli/cli';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/**
 * Runs `zhiku ARGS` in this process through the real CLI entry, capturing stdout and stderr.
 * Node's one-time ExperimentalWarning (jest runs with --experimental-vm-modules) is not ours, so it
 * is dropped from stderr.
 */
export async function zhiku(...args: string[]): Promise<CliRun> {
  let out = '';
  let err = '';
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((err += String(chunk)), true));
  try {
    const code = await runCli(['node', 'zhiku', ...args]);
    return { code, out, err: err.replace(/^\(node:\d+\) ExperimentalWarning.*\n\(Use `node --trace-warnings.*\n/m, '') };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}
