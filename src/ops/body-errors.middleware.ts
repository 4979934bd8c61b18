import { errorBody } from './error-body';

interface BodyParserError {
  status?: number;
  type?: string;
  message?: string;
  limit?: number;
}
interface Res {
  headersSent: boolean;
  status(code: number): Res;
  json(body: unknown): void;
}

function describe(error: BodyParserError, limitBytes: number): { status: number; message: string } {
  switch (error.type) {
    case 'entity.parse.failed':
      return { status: 400, message: `malformed JSON body: ${error.message ?? 'could not parse'}` };
    case 'entity.too.large':
      return { status: 413, message: `request body is larger than the limit of ${limitBytes} bytes (BODY_LIMIT)` };
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return { status: 415, message: error.message ?? 'unsupported body encoding' };
    default:
      return { status: error.status ?? 400, message: error.message ?? 'the request body could not be read' };
  }
}

/**
 * Express error middleware placed right after the body parsers: their failures (bad JSON, too
 * large) happen before Nest's router, so Nest's exception filter never sees them.
 */
export function bodyErrorsMiddleware(limitBytes: number) {
  return (error: BodyParserError, _req: unknown, res: Res, next: (error?: unknown) => void): void => {
    if (!error || typeof error.status !== 'number' || typeof error.type !== 'string') return next(error);
    const { status, message } = describe(error, limitBytes);
    if (res.headersSent) return next(error);
    res.status(status).json(errorBody(status, message));
  };
}
