export { AppError, ConflictError, InvalidInputError, NotFoundError } from './app-error';
