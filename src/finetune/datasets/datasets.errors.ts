import { AppError, InvalidInputError } from '../../common';

/** The dataset file as a whole cannot be read (layout, encoding, no usable columns). */
export class DatasetFileError extends InvalidInputError {
  override name = 'DatasetFileError';
}

/** An import in which no row survived validation; the details list the first rejects. */
export class NothingImportedError extends AppError {
  override name = 'NothingImportedError';
  constructor(message: string, details: unknown) {
    super(message, 422, details);
  }
}
