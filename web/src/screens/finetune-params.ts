import type { MessageKey } from '../i18n/i18n';

export interface ParamSpec {
  name: string;
  /** The server's default; undefined where it is derived (alpha = 2 × rank, warmup, evalEvery). */
  value: number | undefined;
  step: number;
  min: number;
  max: number;
  advanced: boolean;
  help: MessageKey;
}

/** The LoRA parameters the wizard offers, with the defaults docs/finetune-runs.md gives. */
export const LORA_PARAMS: ParamSpec[] = [
  { name: 'rank', value: 8, step: 1, min: 1, max: 256, advanced: false, help: 'ft.help.rank' },
  { name: 'steps', value: 100, step: 1, min: 1, max: 1_000_000, advanced: false, help: 'ft.help.steps' },
  { name: 'learningRate', value: 2e-4, step: 1e-5, min: 1e-12, max: 1, advanced: false, help: 'ft.help.learningRate' },
  { name: 'batchSize', value: 4, step: 1, min: 1, max: 256, advanced: false, help: 'ft.help.batchSize' },
  { name: 'seqLen', value: 256, step: 8, min: 8, max: 32_768, advanced: false, help: 'ft.help.seqLen' },
  { name: 'alpha', value: undefined, step: 1, min: 1e-6, max: 4096, advanced: true, help: 'ft.help.alpha' },
  { name: 'dropout', value: 0, step: 0.05, min: 0, max: 0.9, advanced: true, help: 'ft.help.dropout' },
  { name: 'warmupSteps', value: undefined, step: 1, min: 0, max: 1_000_000, advanced: true, help: 'ft.help.warmupSteps' },
  { name: 'accumulation', value: 1, step: 1, min: 1, max: 256, advanced: true, help: 'ft.help.accumulation' },
  { name: 'weightDecay', value: 0, step: 0.01, min: 0, max: 1, advanced: true, help: 'ft.help.weightDecay' },
  { name: 'evalEvery', value: undefined, step: 1, min: 1, max: 1_000_000, advanced: true, help: 'ft.help.evalEvery' },
  { name: 'patience', value: 0, step: 1, min: 0, max: 10_000, advanced: true, help: 'ft.help.patience' },
  { name: 'evalSamples', value: 32, step: 1, min: 0, max: 1000, advanced: true, help: 'ft.help.evalSamples' },
  { name: 'maxNewTokens', value: 64, step: 1, min: 1, max: 4096, advanced: true, help: 'ft.help.maxNewTokens' },
  { name: 'seed', value: 42, step: 1, min: 0, max: 2 ** 31 - 1, advanced: true, help: 'ft.help.seed' },
];

/** Only values the user changed are sent: the server applies its own defaults to the rest. */
export function changedParams(values: Record<string, string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of LORA_PARAMS) {
    const raw = values[p.name];
    if (raw === undefined || raw === '' || Number(raw) === p.value) continue;
    out[p.name] = Number(raw);
  }
  return out;
}
