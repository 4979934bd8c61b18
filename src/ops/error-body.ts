import { HttpStatus } from '@nestjs/common';

/** The one body of every 4xx and 5xx answer. */
export interface ErrorBody {
  statusCode: number;
  /** The status in words: "Bad Request", "Unauthorized", ... */
  error: string;
  message: string;
  details?: unknown;
}

export function errorBody(statusCode: number, message: string, details?: unknown): ErrorBody {
  const name = HttpStatus[statusCode] as string | undefined;
  const error = name
    ? name.toLowerCase().split('_').map((w) => w[0].toUpperCase() + w.slice(1)).join(' ')
    : 'Error';
  return details === undefined ? { statusCode, error, message } : { statusCode, error, message, details };
}
