/**
 * Errors a service throws when the request cannot be done. They carry the HTTP status the one
 * exception filter answers with; the CLI prints the message and exits 1.
 */
export class AppError extends Error {
  override name = 'AppError';
  constructor(message: string, readonly httpStatus: number, readonly details?: unknown) {
    super(message);
  }
}

export class NotFoundError extends AppError {
  override name = 'NotFoundError';
  constructor(message: string) {
    super(message, 404);
  }
}

/** The request is valid but the current state does not allow it. */
export class ConflictError extends AppError {
  override name = 'ConflictError';
  constructor(message: string) {
    super(message, 409);
  }
}

export class InvalidInputError extends AppError {
  override name = 'InvalidInputError';
  constructor(message: string, details?: unknown) {
    super(message, 400, details);
  }
}
