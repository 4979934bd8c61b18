/**
 * The training engine's public surface: reverse-mode autodiff over OnnxGraph, the LoRA training graph
 * of Mixtral-style MoE decoders, its ONNX Runtime step runner, the TensorFlow.js reference, and the
 * optimizer loop. Plain TypeScript, no NestJS.
 */
export { TrainingError, NoGradientRuleError, UnsupportedGradientError, TrainingOptionsError } from './training.errors';
export { TapeGraph } from './autodiff/tape-graph';
export type { TapeNode } from './autodiff/tape-graph';
export { buildBackward, supportedGradientOps } from './autodiff/backward';
export { LORA_TARGETS, loraParameters, initLoraParameters, validateLoraOptions, seededRandom } from './lora/lora.options';
export type { LoraOptions, LoraParameter, LoraTarget } from './lora/lora.options';
export { buildLoraTrainingGraph, IGNORE_INDEX } from './lora/lora-training-graph.builder';
export type { TrainingGraph, TrainingGraphOptions } from './lora/lora-training-graph.builder';
export type { ExpertMode } from './lora/lora-layers.emitter';
export { LoraStepRunner } from './engine/lora-step.runner';
export type { TrainingBatch, StepResult } from './engine/lora-step.runner';
export { LoraTrainer } from './engine/lora.trainer';
export type { GradientEngine, TrainerOptions, StepRecord } from './engine/lora.trainer';
export { TfjsLoraReference } from './reference/lora-reference.tfjs';
export { AdamWOptimizer } from './optim/adamw.optimizer';
export type { AdamWOptions } from './optim/adamw.optimizer';
export { cosineLr, clipByGlobalNorm } from './optim/lr-schedule';
export type { CosineSchedule } from './optim/lr-schedule';
