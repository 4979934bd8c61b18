/**
 * The MoE engine's one public entry: the app (generator, finetune, CLI) imports src/moe from here
 * only. index.spec.ts pins the runtime export list so an API change is a visible diff.
 */

// Model description and contracts
export type { MoeArchitecture, MoeConfig, MoeBlockConfig, SharedExpertConfig, RopeScaling, LayerKind } from './model/moe-config';
export type { ModelWeights, Tensor, LayerWeightName, ExpertWeightName, GlobalWeightName } from './model/model-weights';
export type { CausalLm } from './model/causal-lm';
export { MoeError, UnsupportedArchitectureError, CheckpointError, TokenizerError, GenerationError } from './moe.errors';

// Checkpoints (Hugging Face folders)
export { openCheckpoint, readMoeConfig } from './checkpoint/checkpoint.loader';
export type { OpenedCheckpoint } from './checkpoint/checkpoint.loader';
export { parseMoeConfig, supportedArchitectures } from './checkpoint/importer.registry';
export { writeSafetensors, writeShardedSafetensors } from './checkpoint/safetensors.writer';
export type { SafetensorsWriteEntry } from './checkpoint/safetensors.writer';
export type { SafetensorsDtype } from './checkpoint/dtype';

// Reference pass (tests, `zhiku model check`)
export { ReferenceCausalLm } from './reference/reference.model';
export type { ReferenceModelOptions } from './reference/reference.model';

// Tokenizer and chat template
export { Tokenizer } from './tokenizer/tokenizer';
export { ChatTemplate } from './tokenizer/chat-template';
export type { ChatMessage } from './tokenizer/chat-template';

// Random checkpoints for tests and benchmarks
export { createRandomCheckpoint, RANDOM_ARCHITECTURES } from './random/random-checkpoint';
export { mulberry32 } from './random/seeded-random';
export type { RandomCheckpointOptions, RandomArchitecture } from './random/random-checkpoint';

// Generation
export { TextGenerator } from './generation/text-generator';
export type { GenerationOptions, GenerationResult, GeneratedToken } from './generation/text-generator';
export type { FinishReason } from './generation/stopping-criteria';

// ONNX graphs and runtime
export { OnnxGraph, attr } from './onnx/onnx-graph';
export { OnnxDataType } from './onnx/onnx-proto';
export { createBuilder } from './onnx/architectures/builder.registry';
export type { DecoderBuildOptions } from './onnx/decoder/decoder.builder';
export type { InferenceSession, SessionFactory, SessionOptions, SessionTensor, ExecutionProvider } from './runtime/inference-session';
export { float32Tensor, int64Tensor } from './runtime/inference-session';
export { createOrtSession, SessionCreateError } from './runtime/onnxruntime.session';
export { OnnxCausalLm } from './runtime/onnx-causal-lm';
export { openModel } from './runtime/open-model';
export type { OpenedModel } from './runtime/open-model';

// Imported model folders
export { importModel, IMPORT_BITS } from './import/import-model';
export type { ImportOptions, ImportBits } from './import/import-model';
export { readManifest } from './import/model-manifest';
export type { ModelManifest } from './import/model-manifest';
export { ModelFolderError } from './import/model-folder.errors';
export { hashCheckpoint } from './import/checkpoint-hash';

// Quantization
export { planQuantization } from './quantize/quantization-plan';
export type { QuantizationPlan, QuantizationMode } from './quantize/quantization-plan';
export { quantizeTensor, quantizeMatrix } from './quantize/matrix.quantizer';
export { dequantizeMatrix } from './quantize/quantized-matrix';

// Benchmarks
export { benchmarkModel, measureSpeed } from './bench/model.benchmark';
export type { BenchmarkResult, SpeedResult } from './bench/model.benchmark';
export { perplexityOfIds } from './bench/perplexity';
export type { PerplexityResult } from './bench/perplexity';
export { measureBandwidth } from './bench/bandwidth.probe';
