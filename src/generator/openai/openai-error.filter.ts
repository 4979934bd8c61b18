import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import { toErrorBody } from '../../ops/all-exceptions.filter';
import { GenerationInputError, ModelNotFoundError } from '../generator.errors';

interface ResponseLike {
  headersSent: boolean;
  writableEnded: boolean;
  status(code: number): ResponseLike;
  json(body: unknown): void;
  write(chunk: string): boolean;
  end(): void;
}

const TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'invalid_request_error',
  409: 'invalid_request_error',
  413: 'invalid_request_error',
  429: 'rate_limit_error',
  501: 'not_implemented_error',
};

/** OpenAI's error body: clients (the openai SDKs, LangChain) read error.message and error.code. */
export function openAiError(exception: unknown): { status: number; body: { error: { message: string; type: string; code: string | null; param: string | null } } } {
  const { statusCode, message } = toErrorBody(exception);
  const code =
    exception instanceof ModelNotFoundError ? 'model_not_found'
    : statusCode === 429 ? 'rate_limit_exceeded'
    : statusCode === 401 ? 'invalid_api_key'
    : statusCode >= 500 ? 'server_error'
    : null;
  const param = exception instanceof GenerationInputError ? exception.param : exception instanceof ModelNotFoundError ? 'model' : null;
  return { status: statusCode, body: { error: { message, type: TYPES[statusCode] ?? (statusCode >= 500 ? 'server_error' : 'invalid_request_error'), code, param } } };
}

/**
 * Errors of the /v1 routes (guards included) in OpenAI's shape instead of Zhiku's. Once a stream has
 * started, the error goes out as a last SSE event, since the status line is already sent.
 */
@Catch()
export class OpenAiErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('OpenAI');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<ResponseLike>();
    const { status, body } = openAiError(exception);
    if (status >= 500) {
      const error = exception instanceof Error ? exception : new Error(String(exception));
      this.logger.error({ msg: 'request failed', error: error.message }, error.stack);
    }
    if (response.headersSent) {
      if (!response.writableEnded) {
        response.write(`data: ${JSON.stringify(body)}\n\n`);
        response.end();
      }
      return;
    }
    response.status(status).json(body);
  }
}
