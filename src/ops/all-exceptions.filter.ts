import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { AppError } from '../common/app-error';
import { DatabaseError } from '../database/database.errors';
import { ErrorBody, errorBody } from './error-body';

interface ResponseLike {
  headersSent: boolean;
  status(code: number): ResponseLike;
  json(body: unknown): void;
}

/** Maps anything thrown to ErrorBody; unknown errors become a 500 whose details stay in the log. */
export function toErrorBody(exception: unknown): ErrorBody {
  if (exception instanceof ThrottlerException) {
    return errorBody(429, 'too many requests; slow down and retry in a minute');
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    if (typeof response === 'string') return errorBody(status, response);
    const body = response as { message?: unknown; details?: unknown };
    const message = Array.isArray(body.message) ? body.message.join('; ') : String(body.message ?? exception.message);
    return errorBody(status, message, body.details);
  }
  if (exception instanceof AppError) return errorBody(exception.httpStatus, exception.message, exception.details);
  if (exception instanceof DatabaseError) return errorBody(503, exception.message);
  return errorBody(500, 'internal server error; the server log has the details');
}

@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<ResponseLike>();
    const body = toErrorBody(exception);
    if (body.statusCode >= 500) {
      const error = exception instanceof Error ? exception : new Error(String(exception));
      this.logger.error({ msg: 'request failed', error: error.message }, error.stack);
    }
    if (response.headersSent) return;
    response.status(body.statusCode).json(body);
  }
}
