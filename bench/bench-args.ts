/** `--name VALUE` from the command line of a benchmark script, or the fallback when absent. */
export function textFlag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

/** A numeric `--name VALUE`, or the fallback when absent. */
export function numberFlag(name: string, fallback: number): number {
  const value = textFlag(name, '');
  return value === '' ? fallback : Number(value);
}
