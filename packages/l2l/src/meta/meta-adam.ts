/**
 * The meta-optimizer: Adam on φ as PyTorch 1.13 computes it (see optimizers/adam.ts), on the
 * host. φ has a few thousand entries and takes one step per truncation, so TF.js's per-op
 * cost and the round trips of φ and its moments would cost more than the arithmetic.
 * Values are computed in float64 and stored in float32, as φ is everywhere else.
 */
import { CLASSIC_DEFAULTS } from '../optimizers/classic.js';

/** φ and Adam's state on it, updated in place; all [nφ] in LSTM_WEIGHT_NAMES order. */
export interface Learner {
  readonly phi: Float32Array;
  t: number;
  readonly m: Float32Array;
  readonly v: Float32Array;
}

/** One Adam step of φ along grad [nφ], with the reference's betas and eps. */
export function metaAdamStep(learner: Learner, grad: ArrayLike<number>, lr: number): void {
  const [beta1, beta2] = CLASSIC_DEFAULTS.betas;
  const eps = CLASSIC_DEFAULTS.eps;
  learner.t += 1;
  const { phi, m, v, t } = learner;
  const stepSize = lr / (1 - beta1 ** t);
  const root = Math.sqrt(1 - beta2 ** t);
  for (let i = 0; i < phi.length; i += 1) {
    const g = grad[i]!;
    m[i] = beta1 * m[i]! + (1 - beta1) * g;
    v[i] = beta2 * v[i]! + (1 - beta2) * g * g;
    phi[i] = phi[i]! - (stepSize * m[i]!) / (Math.sqrt(v[i]!) / root + eps);
  }
}
