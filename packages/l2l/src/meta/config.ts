import { invalidConfig } from '../errors.js';
import { type LstmConfig, validateLstmConfig } from '../learned/config.js';
import type { TaskConfig } from '../tasks/types.js';

export interface MetaTrainConfig {
  readonly task: TaskConfig;
  readonly learned: LstmConfig;
  /** Adam's learning rate on φ (default 0.001, the reference's). */
  readonly metaLr?: number;
  readonly epochs: number;
  /** Training roll-outs per epoch (default 20). */
  readonly rolloutsPerEpoch?: number;
  /** Optimization steps per roll-out, training and evaluation alike (default 100). */
  readonly steps?: number;
  /** Truncation length U: φ is updated every `unroll` steps (default 20). */
  readonly unroll?: number;
  /** Test problems per end-of-epoch evaluation, run as one batch. */
  readonly nTests: number;
  /** Problems per meta-step, batched; L is their mean (default 1, the reference's). */
  readonly metaBatch?: number;
  /**
   * Which problems score each epoch, and so pick the best weights. `fresh` (the reference's):
   * new problems every epoch, so the best epoch is partly the one that drew the easiest
   * problems (the scores of one run's epochs vary ~±30% on 100 quadratics from the draw
   * alone). `fixed`: the same problems every epoch, drawn once from the seed, so epochs are
   * compared on equal terms. Either way the random stream draws the same numbers.
   */
  readonly validation?: 'fresh' | 'fixed';
  readonly seed: number;
}

export type ResolvedMetaTrainConfig = Required<MetaTrainConfig>;

export const META_DEFAULTS = {
  metaLr: 0.001,
  rolloutsPerEpoch: 20,
  steps: 100,
  unroll: 20,
  metaBatch: 1,
  validation: 'fresh',
} as const;

export function resolveMetaTrainConfig(config: MetaTrainConfig): ResolvedMetaTrainConfig {
  const resolved: ResolvedMetaTrainConfig = { ...META_DEFAULTS, ...config };
  validateLstmConfig(resolved.learned);
  if (!(resolved.metaLr > 0) || !Number.isFinite(resolved.metaLr)) {
    throw invalidConfig(`metaLr must be > 0: ${resolved.metaLr}`);
  }
  for (const key of [
    'epochs',
    'rolloutsPerEpoch',
    'steps',
    'unroll',
    'nTests',
    'metaBatch',
  ] as const) {
    const value = resolved[key];
    if (!Number.isInteger(value) || value < 1)
      throw invalidConfig(`${key} must be an integer ≥ 1: ${value}`);
  }
  if (resolved.validation !== 'fresh' && resolved.validation !== 'fixed') {
    throw invalidConfig(`validation must be fresh or fixed: ${String(resolved.validation)}`);
  }
  if (!Number.isSafeInteger(resolved.seed))
    throw invalidConfig(`seed must be an integer: ${resolved.seed}`);
  return resolved;
}
