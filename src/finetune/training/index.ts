/**
 * The training engine's public surface: reverse-mode autodiff over OnnxGraph, SFT data (chat template,
 * packing), the training graph of src/moe's MoE architectures (LoRA, router or full-parameter), its ONNX
 * Runtime step runner, the TensorFlow.js reference, the optimizer loop, and pretraining from scratch.
 * Plain TypeScript, no NestJS.
 */
export { TrainingError, NoGradientRuleError, UnsupportedGradientError, TrainingOptionsError } from './training.errors';
export { TapeGraph } from './autodiff/tape-graph';
export type { TapeNode } from './autodiff/tape-graph';
export { buildBackward, supportedGradientOps } from './autodiff/backward';
export { LORA_TARGETS, loraParameters, initLoraParameters, validateLoraOptions, seededRandom } from './lora/lora.options';
export type { LoraOptions, LoraOwner, LoraParameter, LoraTarget } from './lora/lora.options';
export { buildTrainingGraph, buildTrainingGraph as buildLoraTrainingGraph } from './graph/training-graph.builder';
export type { TrainingGraph, TrainingGraphOptions } from './graph/training-graph.builder';
export { IGNORE_INDEX, DEFAULT_ROUTER_AUX_LOSS_COEF } from './graph/training-losses';
export type { ExpertMode } from './graph/moe-block.emitter';
export { baseParameterValues, baseParameterTensor, baseWeightKey } from './graph/base-weights';
export type { BaseParameter, BaseTraining, BaseWeightRef } from './graph/base-weights';
export { buildSftExamples } from './sft/sft-examples';
export type { SftExample, SftExamples, SftOptions, SftRejection } from './sft/sft-examples';
export { packSequences, padSequence, toTrainingBatches } from './sft/sequence-packing';
export type { LabelledSequence, PackedRow } from './sft/sequence-packing';
export { LoraStepRunner } from './engine/lora-step.runner';
export type { TrainingBatch, StepResult, StepOptions, TrainedTensor } from './engine/lora-step.runner';
export { LoraTrainer } from './engine/lora.trainer';
export type { GradientEngine, TrainerOptions, StepRecord } from './engine/lora.trainer';
export { TfjsStepEngine, tfjsEngineLimits, tfjsNodePackage } from './engine/tfjs-step.engine';
export type { TfjsBackend } from './engine/tfjs-step.engine';
export { TfjsLoraReference } from './reference/lora-reference.tfjs';
export { AdamWOptimizer } from './optim/adamw.optimizer';
export type { AdamWOptions } from './optim/adamw.optimizer';
export { cosineLr, clipByGlobalNorm } from './optim/lr-schedule';
export type { CosineSchedule } from './optim/lr-schedule';
export { pretrain } from './pretrain/pretrain';
export type { PretrainOptions, PretrainResult } from './pretrain/pretrain';
