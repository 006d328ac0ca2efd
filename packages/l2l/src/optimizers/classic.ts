import { invalidConfig } from '../errors.js';
import { adam } from './adam.js';
import { rmsprop } from './rmsprop.js';
import { sgd } from './sgd.js';
import { type Rate, ratesOf } from './rate.js';
import type { ClassicConfig, Optimizer } from './types.js';

/** PyTorch 1.13's defaults; NAG is SGD with Nesterov momentum 0.9, as in the paper. */
export const CLASSIC_DEFAULTS = {
  betas: [0.9, 0.999],
  eps: 1e-8,
  alpha: 0.99,
  sgdMomentum: 0,
  nagMomentum: 0.9,
} as const;

export function classicOptimizer(config: ClassicConfig): Optimizer {
  return classicWithRate(config, config.lr);
}

/**
 * The optimizer of `config` with learning rate `lr`: `config.lr` is ignored, and a
 * per-row rate runs a learning-rate grid as one batch (see rate.ts).
 */
export function classicWithRate(config: Omit<ClassicConfig, 'lr'>, lr: Rate): Optimizer {
  const { name } = config;
  for (const rate of ratesOf(lr)) {
    if (!(rate > 0) || !Number.isFinite(rate))
      throw invalidConfig(`${name} lr must be > 0: ${rate}`);
  }
  const eps = config.eps ?? CLASSIC_DEFAULTS.eps;
  switch (name) {
    case 'adam': {
      const [beta1, beta2] = config.betas ?? CLASSIC_DEFAULTS.betas;
      return adam({ lr, beta1, beta2, eps }) as Optimizer;
    }
    case 'rmsprop':
      return rmsprop(lr, config.alpha ?? CLASSIC_DEFAULTS.alpha, eps) as Optimizer;
    case 'sgd':
      return sgd(lr, config.momentum ?? CLASSIC_DEFAULTS.sgdMomentum, false) as Optimizer;
    case 'nag':
      return sgd(lr, config.momentum ?? CLASSIC_DEFAULTS.nagMomentum, true) as Optimizer;
    default:
      throw invalidConfig(`unknown optimizer ${String(name)}`);
  }
}
