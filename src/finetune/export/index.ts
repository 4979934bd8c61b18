/** LoRA adapters in the PEFT layout (write, read) and their merge into a Hugging Face checkpoint. */
export { AdapterError } from './export.errors';
export { adapterFromTraining, trainingValuesOf, transpose, addDelta } from './lora-adapter';
export type { AdaptedModule, LoraAdapter, ReplacedModule, TrainedLora } from './lora-adapter';
export { locateSite, siteOfModule, peftTargetName, routerTensor } from './lora-sites';
export type { BaseTensors, LoraSite } from './lora-sites';
export { writePeftAdapter, readPeftAdapter, ADAPTER_CONFIG, ADAPTER_WEIGHTS } from './peft-adapter';
export { mergeAdapter, baseTensorsOf } from './lora-merge';
export type { MergeResult } from './lora-merge';
