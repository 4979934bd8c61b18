import { MoeError } from '../moe.errors';

/** An imported model folder is missing, incomplete, or written by an incompatible version. */
export class ModelFolderError extends MoeError {}
