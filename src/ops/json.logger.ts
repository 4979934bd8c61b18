import { LoggerService } from '@nestjs/common';
import type { LogLevel } from '../config';

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/**
 * One JSON object per line on stdout (stderr for errors): {"time","level","context","msg",...}.
 * Nest's own messages arrive as strings; ours pass objects so their fields stay queryable.
 */
export class JsonLogger implements LoggerService {
  constructor(private readonly level: LogLevel, private readonly write: (line: string, level: LogLevel) => void = defaultWrite) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.emit('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.emit('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.emit('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.emit('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.emit('debug', message, rest);
  }

  private emit(level: LogLevel, message: unknown, rest: unknown[]): void {
    if (RANK[level] > RANK[this.level]) return;
    // Nest passes (message, context) or (message, stack, context); the context is always last.
    const context = typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    const stack = typeof rest[0] === 'string' ? (rest[0] as string) : undefined;
    const fields = message !== null && typeof message === 'object' && !(message instanceof Error)
      ? (message as Record<string, unknown>)
      : { msg: message instanceof Error ? message.message : String(message) };
    const entry = { time: new Date().toISOString(), level, context, ...fields, ...(stack ? { stack } : {}) };
    this.write(JSON.stringify(entry), level);
  }
}

function defaultWrite(line: string, level: LogLevel): void {
  (level === 'error' ? process.stderr : process.stdout).write(`${line}\n`);
}
