import { InvalidInputError } from '../../common';
import { DEFAULT_ROUTER_AUX_LOSS_COEF, LORA_TARGETS, type LoraTarget } from '../training';

/** What computes the gradients: the ONNX Runtime training graph (default) or TensorFlow.js autodiff. */
export const TRAINING_ENGINES = ['onnxruntime', 'tfjs'] as const;
export type TrainingEngineName = (typeof TRAINING_ENGINES)[number];

/** Every knob of a LoRA run, with its default applied. */
export interface RunParams {
  /** 'tfjs' trains Mixtral-style models through TensorFlow.js (tfjs-node(-gpu) when installed, else its slow pure-JS CPU backend). */
  engine: TrainingEngineName;
  rank: number;
  alpha: number;
  dropout: number;
  targets: LoraTarget[];
  steps: number;
  batchSize: number;
  /** Tokens per row; longer examples are truncated. */
  seqLen: number;
  learningRate: number;
  warmupSteps: number;
  accumulation: number;
  /** 0 turns clipping off. */
  maxGradNorm: number;
  weightDecay: number;
  seed: number;
  /** Save LoRA values + optimizer moments every N optimizer steps (and at the end, cancel and shutdown). */
  checkpointEvery: number;
  /** Validation loss every N steps (when the dataset version has a validation split). */
  evalEvery: number;
  /** Stop after this many validation losses in a row without improvement; 0 never stops early. */
  patience: number;
  /** Validation questions answered by the model before and after (0: loss and perplexity only). */
  evalSamples: number;
  /** Longest generated answer in the evaluation. */
  maxNewTokens: number;
  /** Train the routers whole beside the adapters, with the load-balancing loss on. */
  trainRouter: boolean;
  /** Weight of the load-balancing loss; only with trainRouter (its value is reported either way). */
  routerAuxLossCoef: number;
}

/** Inclusive bounds; `integer` ones must be whole numbers. The DTO's decorators use the same table. */
export const PARAM_LIMITS = {
  rank: { min: 1, max: 256, integer: true },
  alpha: { min: 1e-6, max: 4096, integer: false },
  dropout: { min: 0, max: 0.9, integer: false },
  steps: { min: 1, max: 1_000_000, integer: true },
  batchSize: { min: 1, max: 256, integer: true },
  seqLen: { min: 8, max: 32_768, integer: true },
  learningRate: { min: 1e-12, max: 1, integer: false },
  warmupSteps: { min: 0, max: 1_000_000, integer: true },
  accumulation: { min: 1, max: 256, integer: true },
  maxGradNorm: { min: 0, max: 1e6, integer: false },
  weightDecay: { min: 0, max: 1, integer: false },
  seed: { min: 0, max: 2 ** 31 - 1, integer: true },
  checkpointEvery: { min: 1, max: 1_000_000, integer: true },
  evalEvery: { min: 1, max: 1_000_000, integer: true },
  patience: { min: 0, max: 10_000, integer: true },
  evalSamples: { min: 0, max: 1000, integer: true },
  maxNewTokens: { min: 1, max: 4096, integer: true },
  routerAuxLossCoef: { min: 0, max: 1, integer: false },
} as const satisfies Record<Exclude<keyof RunParams, 'targets' | 'trainRouter' | 'engine'>, { min: number; max: number; integer: boolean }>;

type NumericParam = keyof typeof PARAM_LIMITS;

/**
 * Fills defaults and checks every field (the CLI calls the service without the HTTP DTO, so the
 * ranges are checked here too). Every bad field is reported at once, each by its name.
 */
export function resolveRunParams(input: Partial<Record<keyof RunParams, unknown>> = {}): RunParams {
  const problems: Array<{ field: string; messages: string[] }> = [];
  const num = (key: NumericParam, fallback: number): number => {
    const value = input[key];
    if (value === undefined || value === null) return fallback;
    const limit = PARAM_LIMITS[key];
    const ok = typeof value === 'number' && Number.isFinite(value) && (!limit.integer || Number.isInteger(value)) && value >= limit.min && value <= limit.max;
    if (!ok) {
      const kind = limit.integer ? 'an integer' : 'a number';
      const why = key === 'learningRate' || key === 'alpha' ? `${kind} > 0 and ≤ ${limit.max}` : `${kind} from ${limit.min} to ${limit.max}`;
      problems.push({ field: `params.${key}`, messages: [`params.${key} must be ${why}, got ${JSON.stringify(value)}`] });
    }
    return ok ? (value as number) : fallback;
  };
  const rank = num('rank', 8);
  const steps = num('steps', 100);
  const checkpointEvery = num('checkpointEvery', Math.max(1, Math.min(50, steps)));
  let trainRouter = false;
  if (input.trainRouter !== undefined) {
    if (typeof input.trainRouter !== 'boolean') problems.push({ field: 'params.trainRouter', messages: ['params.trainRouter must be true or false'] });
    else trainRouter = input.trainRouter;
  }
  let engine: TrainingEngineName = 'onnxruntime';
  if (input.engine !== undefined) {
    if (!(TRAINING_ENGINES as readonly unknown[]).includes(input.engine)) problems.push({ field: 'params.engine', messages: [`params.engine must be one of ${TRAINING_ENGINES.join(', ')}, got ${JSON.stringify(input.engine)}`] });
    else engine = input.engine as TrainingEngineName;
  }
  let targets: LoraTarget[] = [...LORA_TARGETS];
  if (input.targets !== undefined) {
    const t = input.targets;
    const unknown = Array.isArray(t) ? t.filter((x) => !(LORA_TARGETS as readonly unknown[]).includes(x)) : [];
    if (!Array.isArray(t) || t.length === 0 || unknown.length > 0) {
      problems.push({ field: 'params.targets', messages: [`params.targets must be a non-empty list among ${LORA_TARGETS.join(', ')}${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}`] });
    } else targets = [...new Set(t as LoraTarget[])];
  }
  const params: RunParams = {
    engine,
    rank,
    alpha: num('alpha', 2 * rank),
    dropout: num('dropout', 0),
    targets,
    steps,
    batchSize: num('batchSize', 4),
    seqLen: num('seqLen', 256),
    learningRate: num('learningRate', 2e-4),
    warmupSteps: num('warmupSteps', Math.min(100, Math.floor(steps / 10))),
    accumulation: num('accumulation', 1),
    maxGradNorm: num('maxGradNorm', 1),
    weightDecay: num('weightDecay', 0),
    seed: num('seed', 42),
    checkpointEvery,
    evalEvery: num('evalEvery', checkpointEvery),
    patience: num('patience', 0),
    evalSamples: num('evalSamples', 32),
    maxNewTokens: num('maxNewTokens', 64),
    trainRouter,
    routerAuxLossCoef: num('routerAuxLossCoef', trainRouter ? DEFAULT_ROUTER_AUX_LOSS_COEF : 0),
  };
  if (!trainRouter && params.routerAuxLossCoef > 0) {
    problems.push({ field: 'params.routerAuxLossCoef', messages: ['params.routerAuxLossCoef weighs the load-balancing loss of a trained router; set params.trainRouter to true'] });
  }
  if (params.warmupSteps >= params.steps && input.warmupSteps !== undefined) {
    problems.push({ field: 'params.warmupSteps', messages: [`params.warmupSteps (${params.warmupSteps}) must be fewer than params.steps (${params.steps})`] });
  }
  if (problems.length > 0) throw new InvalidInputError(`invalid fine-tuning parameters: ${problems.flatMap((p) => p.messages).join('; ')}`, problems);
  return params;
}
