import { InvalidInputError } from '../../common';

/**
 * An adapter that cannot be written, read or merged: a PEFT folder with an unknown layout, a tensor
 * that does not fit the base model, options we do not merge (DoRA, fan_in_fan_out). 400: the input is
 * what is wrong, and the message says what.
 */
export class AdapterError extends InvalidInputError {
  override name = 'AdapterError';
}
