/**
 * One interface for every optimizer, classic or learned (as learned_optimization does): a
 * typed state and an update rule. Parameters are θ [P, n], P independent problems of n
 * coordinates; the update is added, θ_{t+1} = θ_t + update. A learned optimizer differs
 * only in closing over trainable weights.
 */
import type * as tf from '@tensorflow/tfjs';

/** Tensors and step counters; `tf.dispose` of a state frees all its tensors. */
export type OptimizerState = { readonly [key: string]: tf.Tensor | number };

export interface OptimizerStep<S extends OptimizerState> {
  /** [P, n], to be added to θ. */
  readonly update: tf.Tensor2D;
  readonly state: S;
}

export interface Optimizer<S extends OptimizerState = OptimizerState> {
  /** The state before the first step, for θ [P, n]. */
  init(theta: tf.Tensor2D): S;
  /** grad [P, n] = ∇f(θ_t); returns the update and the next state, leaving `state` intact. */
  update(grad: tf.Tensor2D, state: S): OptimizerStep<S>;
}

export type ClassicName = 'adam' | 'rmsprop' | 'sgd' | 'nag';

/** PyTorch 1.13's hyperparameters; unset ones take PyTorch's defaults (see classic.ts). */
export interface ClassicConfig {
  readonly name: ClassicName;
  readonly lr: number;
  /** Adam's (β₁, β₂). */
  readonly betas?: readonly [number, number];
  /** Adam's and RMSprop's ε. */
  readonly eps?: number;
  /** RMSprop's smoothing constant α. */
  readonly alpha?: number;
  /** SGD's (and NAG's) momentum μ. */
  readonly momentum?: number;
}
