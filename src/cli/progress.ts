/**
 * Progress of long CLI work (ingesting a folder, importing a model, an evaluation). On a terminal:
 * one redrawn bar with counts and an ETA. Otherwise (a pipe, a log file, or --json): plain lines,
 * at most one every few seconds plus the last. Always on stderr, so stdout keeps the results.
 */
export interface ProgressReporter {
  /** Add `n` finished items (default 1); `detail` names the current one. */
  tick(n?: number, detail?: string): void;
  /** Set the finished count directly. */
  update(done: number, detail?: string): void;
  /** Finish: the last line (or bar) with the totals and elapsed time. */
  finish(summary?: string): void;
}

export interface ProgressOptions {
  label: string;
  /** Item count when known; without it only counts and rate are shown. */
  total?: number;
  /** --json: never draw, print plain lines. */
  json?: boolean;
  stream?: { write(chunk: string): unknown; isTTY?: boolean; columns?: number };
  now?: () => number;
  /** Seconds between plain lines. */
  lineIntervalS?: number;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function createProgress(options: ProgressOptions): ProgressReporter {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? Date.now;
  const tty = Boolean(stream.isTTY) && !options.json;
  const started = now();
  const lineInterval = (options.lineIntervalS ?? 5) * 1000;
  let done = 0;
  let lastLine = -Infinity;
  let lastDetail = '';
  let finished = false;

  const describe = (): { counts: string; eta: string; percent: number | null } => {
    const elapsed = (now() - started) / 1000;
    const total = options.total;
    if (!total) return { counts: `${done}`, eta: `${formatDuration(elapsed)} elapsed`, percent: null };
    const percent = Math.min(100, (done / total) * 100);
    const eta = done > 0 ? formatDuration((elapsed / done) * (total - done)) : '?';
    return { counts: `${done}/${total}`, eta: `ETA ${eta}`, percent };
  };

  const render = (force: boolean): void => {
    const { counts, eta, percent } = describe();
    if (tty) {
      const width = 24;
      const filled = percent === null ? 0 : Math.round((percent / 100) * width);
      const bar = percent === null ? '' : `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] `;
      const pct = percent === null ? '' : ` ${percent.toFixed(0).padStart(3)}%`;
      const line = `${options.label} ${bar}${counts}${pct} ${eta}${lastDetail ? `  ${lastDetail}` : ''}`;
      const columns = stream.columns ?? 100;
      stream.write(`\r${line.slice(0, columns - 1).padEnd(columns - 1)}`);
      return;
    }
    if (!force && now() - lastLine < lineInterval) return;
    lastLine = now();
    const pct = percent === null ? '' : ` (${percent.toFixed(0)}%)`;
    stream.write(`${options.label}: ${counts}${pct} ${eta}${lastDetail ? ` ${lastDetail}` : ''}\n`);
  };

  return {
    tick(n = 1, detail) {
      this.update(done + n, detail);
    },
    update(value, detail) {
      if (finished) return;
      done = value;
      if (detail !== undefined) lastDetail = detail;
      render(false);
    },
    finish(summary) {
      if (finished) return;
      finished = true;
      const elapsed = formatDuration((now() - started) / 1000);
      const total = options.total ? `${done}/${options.total}` : `${done}`;
      const text = `${options.label}: ${summary ?? 'done'}, ${total} in ${elapsed}`;
      stream.write(tty ? `\r${text.padEnd((stream.columns ?? 100) - 1)}\n` : `${text}\n`);
    },
  };
}
