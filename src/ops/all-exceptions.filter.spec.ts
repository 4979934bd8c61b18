import { BadRequestException, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { ConflictError } from '../common/app-error';
import { DataDirInUseError } from '../database/database.errors';
import { toErrorBody } from './all-exceptions.filter';

describe('toErrorBody', () => {
  it('keeps the message and details of HTTP exceptions', () => {
    expect(toErrorBody(new BadRequestException({ message: 'invalid request: x', details: [{ field: 'x', messages: ['bad'] }] }))).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'invalid request: x',
      details: [{ field: 'x', messages: ['bad'] }],
    });
    expect(toErrorBody(new NotFoundException('Cannot GET /x'))).toEqual({ statusCode: 404, error: 'Not Found', message: 'Cannot GET /x' });
    expect(toErrorBody(new PayloadTooLargeException('File too large')).statusCode).toBe(413);
  });

  it('maps app errors, database errors and throttling', () => {
    expect(toErrorBody(new ConflictError('already revoked'))).toEqual({ statusCode: 409, error: 'Conflict', message: 'already revoked' });
    expect(toErrorBody(new DataDirInUseError('/d', 42)).statusCode).toBe(503);
    expect(toErrorBody(new ThrottlerException()).statusCode).toBe(429);
  });

  it('never shows an unknown error to the client', () => {
    const body = toErrorBody(new TypeError("Cannot read properties of undefined (reading 'secret')"));
    expect(body).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'internal server error; the server log has the details' });
  });
});
