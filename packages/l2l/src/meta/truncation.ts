/**
 * The meta-loss of one truncation and its gradient, the reference's convention. From θ₀ and
 * LSTM states s₀, both detached (constants), for t = 0 … U−1:
 *   g_t = ∇f(θ_t)                        an input: no gradient flows through it
 *   u_t, s_{t+1} = LSTM(g_t, s_t; φ)
 *   θ_{t+1} = θ_t + outMul · u_t
 *   L(φ) = (1/P) Σ_p Σ_{t<U} f_p(θ_t)      losses before each update, mean over the P problems
 * and ∂L/∂φ flows through every θ_t and every LSTM state. Each g_t is the gradient at θ_t
 * alone, taken once per step: the forward pass of f(θ_t) serves both L and g_t.
 */
import * as tf from '@tensorflow/tfjs';

import type { CellLayout } from '../learned/cell.js';
import type { LstmConfig } from '../learned/config.js';
import { type LstmState, lstmOptimizer, lstmParams } from '../learned/lstm-optimizer.js';
import type { TaskBatch, TaskInstance } from '../tasks/types.js';
import { detach } from './detach.js';

/** Where a truncation starts: θ [P, n] and the LSTM state, all cut from any graph. */
export interface Carry {
  readonly theta: tf.Tensor2D;
  readonly state: LstmState;
}

export interface TruncationOptions {
  /** Use these g_t [P, n] instead of computing ∇f(θ_t): L with the g_t held fixed. */
  readonly fixedGrads?: readonly tf.Tensor2D[];
  /** Return the g_t used. */
  readonly recordGrads?: boolean;
  readonly layout?: CellLayout;
}

/** Kept tensors (not owned by any tidy): the caller disposes them. */
export interface Truncation {
  /** L(φ), a scalar. */
  readonly metaLoss: tf.Scalar;
  /** ∂L/∂φ [1, nφ]. */
  readonly grad: tf.Tensor2D;
  /** θ_U and s_U, detached: the next truncation's start. */
  readonly carry: Carry;
  /** f_p(θ_t) [U, P]. */
  readonly losses: tf.Tensor2D;
  readonly grads: readonly tf.Tensor2D[];
}

/** phi [1, nφ]; one batch per step (U = batches.length). */
export function truncation(
  phi: tf.Tensor2D,
  config: LstmConfig,
  instance: TaskInstance,
  start: Carry,
  batches: readonly TaskBatch[],
  options: TruncationOptions = {},
): Truncation {
  let outputs: Omit<Truncation, 'metaLoss' | 'grad'> | undefined;
  const metaLossOf = (phiArg: tf.Tensor2D): tf.Scalar => {
    const flat = tf.reshape(phiArg, [-1]) as tf.Tensor1D;
    const params = lstmParams(flat, config, instance.nCoords, options.layout);
    const optimizer = lstmOptimizer(config, params);
    let { theta, state } = start;
    const terms: tf.Tensor1D[] = [];
    const used: tf.Tensor2D[] = [];
    batches.forEach((batch, t) => {
      const step = lossAndGrad(instance, theta, batch, options.fixedGrads?.[t]);
      terms.push(step.losses);
      used.push(step.grad);
      const next = optimizer.update(step.grad, state);
      theta = tf.add(theta, next.update);
      state = next.state;
    });
    const losses = tf.stack(terms) as tf.Tensor2D;
    outputs = {
      carry: { theta: keepDetached(theta), state: mapState(state, keepDetached) },
      losses: keepDetached(losses),
      grads: options.recordGrads ? used.map(keepDetached) : [],
    };
    return tf.div(tf.sum(losses), instance.problems);
  };
  const { value, grad } = tf.valueAndGrad(metaLossOf)(phi);
  return { metaLoss: value, grad, ...outputs! };
}

// theta [P, n] → losses [P] (on the tape) and g [P, n] (a constant)
function lossAndGrad(
  instance: TaskInstance,
  theta: tf.Tensor2D,
  batch: TaskBatch,
  fixed: tf.Tensor2D | undefined,
): { losses: tf.Tensor1D; grad: tf.Tensor2D } {
  if (fixed) return { losses: instance.loss(theta, batch), grad: fixed };
  // The inner gradient records its backward ops on the outer tape too, but only the detached
  // copy of its result is used, so the outer backward pass filters them out unvisited.
  const { value, grad } = tf.valueAndGrad((x: tf.Tensor2D) => instance.loss(x, batch))(
    theta,
    tf.ones([instance.problems]) as tf.Tensor1D,
  );
  return { losses: value, grad: detach(grad) };
}

function keepDetached<T extends tf.Tensor>(x: T): T {
  return tf.keep(detach(x));
}

function mapState(state: LstmState, f: (x: tf.Tensor2D) => tf.Tensor2D): LstmState {
  return { h0: f(state.h0), c0: f(state.c0), h1: f(state.h1), c1: f(state.c1) };
}
