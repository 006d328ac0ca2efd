/**
 * The meta-loss of one truncation and its gradient, the reference's convention. From θ₀ and
 * LSTM states s₀, both detached (constants), for t = 0 … U−1:
 *   g_t = ∇f(θ_t)                        an input: no gradient flows through it
 *   u_t, s_{t+1} = LSTM(g_t, s_t; φ)
 *   θ_{t+1} = θ_t + outMul · u_t
 *   L(φ) = (1/P) Σ_p Σ_{t<U} f_p(θ_t)      losses before each update, mean over the P problems
 * and ∂L/∂φ flows through every θ_t and every LSTM state.
 *
 * Since g_t is a constant, the update does not depend on θ_t: ∂θ_{t+1}/∂θ_t = I, so
 *   ∂L/∂θ_t = g_t/P + ∂L/∂θ_{t+1},  ∂L/∂θ_U = 0,  hence  ∂L/∂(outMul·u_t) = (1/P) Σ_{s>t} g_s.
 * The optimizee's gradients, computed once per step for the forward pass, are all it
 * contributes: no backward pass runs through f. The backward pass runs through the LSTM alone,
 * one step at a time from the last and one layer at a time within a step, each recomputed
 * from the inputs and states the forward pass left, so that memory holds one layer's tape,
 * not 2U of them (an MNIST truncation of 20 steps on 15,910 coordinates would otherwise keep
 * ~1.3 GB of activations).
 */
import * as tf from '@tensorflow/tfjs';

import { dispose, tidy } from '../backend/scope.js';
import type { CellLayout } from '../learned/cell.js';
import type { LstmConfig } from '../learned/config.js';
import {
  type LstmParams,
  type LstmState,
  lowerLayer,
  lstmOptimizer,
  lstmParams,
  upperLayer,
} from '../learned/lstm-optimizer.js';
import type { Optimizer } from '../optimizers/types.js';
import type { TaskBatch, TaskInstance } from '../tasks/types.js';

/** Where a truncation starts: θ [P, n] and the LSTM state, all cut from any graph. */
export interface Carry {
  readonly theta: tf.Tensor2D;
  readonly state: LstmState;
}

export interface TruncationOptions {
  /** Feed these g_t [P, n] to the LSTM instead of ∇f(θ_t): L with the g_t held fixed. */
  readonly fixedGrads?: readonly tf.Tensor2D[];
  /** Return the g_t fed to the LSTM. */
  readonly recordGrads?: boolean;
  readonly layout?: CellLayout;
}

/** Kept tensors (not owned by any tidy): the caller disposes them. */
export interface Truncation {
  /** L(φ), a scalar. */
  readonly metaLoss: tf.Scalar;
  /** ∂L/∂φ [1, nφ]. */
  readonly grad: tf.Tensor2D;
  /** θ_U and s_U: the next truncation's start. */
  readonly carry: Carry;
  /** f_p(θ_t) [U, P]. */
  readonly losses: tf.Tensor2D;
  readonly grads: readonly tf.Tensor2D[];
}

/**
 * The forward pass keeps the LSTM state of every other step, counted from the last, and of the
 * first (the caller's, so free); the backward pass recomputes each of the others from the step
 * before, which is kept, without a tape. An MNIST truncation of 20 steps then holds ~50 MB of
 * states instead of ~100, for one more LSTM step every other step (~13% of a truncation's
 * time). Recomputed states are the same bits as the forward pass's.
 */
function keepsState(t: number, steps: number): boolean {
  return t === 0 || (steps - 1 - t) % 2 === 0;
}

/** What the backward pass needs of step t: its LSTM input and state. */
interface SavedStep {
  /** The gradient fed to the LSTM [P, n]. */
  readonly input: tf.Tensor2D;
  /** ∇f(θ_t) [P, n]: differs from `input` only under fixedGrads. */
  readonly grad: tf.Tensor2D;
  /** s_t, or null where the backward pass recomputes it from step t − 1. */
  readonly state: LstmState | null;
}

/**
 * phi [1, nφ]; one batch per step (U = batches.length). Every tensor it creates is disposed
 * or returned; the start carry and the batches stay the caller's.
 */
export function truncation(
  phi: tf.Tensor2D,
  config: LstmConfig,
  instance: TaskInstance,
  start: Carry,
  batches: readonly TaskBatch[],
  options: TruncationOptions = {},
): Truncation {
  const layout = options.layout;
  const forward = runForward(phi, config, instance, start, batches, options);
  try {
    const grad = backward(phi, config, instance, forward.saved, layout);
    const losses = tf.tidy(() => tf.stack(forward.losses) as tf.Tensor2D);
    const metaLoss = tf.tidy(() => tf.div(tf.sum(losses), instance.problems) as tf.Scalar);
    const grads = options.recordGrads ? forward.saved.map((s) => tf.clone(s.input)) : [];
    return { metaLoss, grad, carry: forward.carry, losses, grads };
  } finally {
    tf.dispose([forward.losses, forward.saved.map(disposable(start))]);
  }
}

/** Steps t = 0 … U−1 with no tape but each step's own ∇f. */
function runForward(
  phi: tf.Tensor2D,
  config: LstmConfig,
  instance: TaskInstance,
  start: Carry,
  batches: readonly TaskBatch[],
  options: TruncationOptions,
): { carry: Carry; losses: tf.Tensor1D[]; saved: SavedStep[] } {
  const params = tidy(() =>
    lstmParams(tf.reshape(phi, [-1]) as tf.Tensor1D, config, instance.nCoords, options.layout),
  );
  const optimizer = lstmOptimizer(config, params);
  const losses: tf.Tensor1D[] = [];
  const saved: SavedStep[] = [];
  let { theta, state } = start;
  try {
    batches.forEach((batch, t) => {
      const next = tf.tidy(() => {
        const { value, grad } = tf.valueAndGrad((x: tf.Tensor2D) => instance.loss(x, batch))(
          theta,
          tf.ones([instance.problems]) as tf.Tensor1D,
        );
        const input = options.fixedGrads?.[t] ?? grad;
        const step = optimizer.update(input, state);
        const out = { value, grad, input, theta: tf.add(theta, step.update), state: step.state };
        // A fixed gradient is the caller's: keep a copy the saved steps own.
        return input === grad ? out : { ...out, input: tf.clone(input) };
      });
      losses.push(next.value);
      const kept = keepsState(t, batches.length);
      saved.push({ input: next.input, grad: next.grad, state: kept ? state : null });
      if (!kept) dispose(state);
      if (theta !== start.theta) theta.dispose();
      theta = next.theta as tf.Tensor2D;
      state = next.state;
    });
  } catch (error) {
    // The state the failed step started from is not among the saved ones yet.
    const current = state === start.state ? [] : state;
    tf.dispose([losses, saved.map(disposable(start)), theta === start.theta ? [] : theta]);
    dispose(current);
    throw error;
  } finally {
    dispose(params);
  }
  return { carry: { theta, state }, losses, saved };
}

/** The tensors of a saved step the truncation owns (the start state is the caller's). */
function disposable(start: Carry): (step: SavedStep) => tf.Tensor[] {
  return (step) => {
    const own = step.input === step.grad ? [step.grad] : [step.input, step.grad];
    if (step.state === null || step.state === start.state) return own;
    const { h0, c0, h1, c1 } = step.state;
    return [...own, h0, c0, h1, c1];
  };
}

/**
 * ∂L/∂φ [1, nφ] by one vector-Jacobian product per step, from t = U−2 down to 0 (u_{U−1} moves
 * only θ_U, which L does not see). Step t is pulled back at (g_t, s_t), with s_t saved or
 * recomputed from step t − 1, from ∂L/∂u_t, the suffix sums of g, and ∂L/∂s_{t+1}, from
 * step t + 1.
 */
function backward(
  phi: tf.Tensor2D,
  config: LstmConfig,
  instance: TaskInstance,
  saved: readonly SavedStep[],
  layout: CellLayout | undefined,
): tf.Tensor2D {
  const P = instance.problems;
  const params = tidy(() =>
    lstmParams(tf.reshape(phi, [-1]) as tf.Tensor1D, config, instance.nCoords, layout),
  );
  const optimizer = lstmOptimizer(config, params);
  let phiGrad: tf.Tensor2D | null = null;
  let dState: LstmState | null = null;
  // ∂L/∂(θ_{t+1} − θ_t) = (1/P) Σ_{s>t} g_s, built from the last step backwards.
  let suffix: tf.Tensor2D | null = null;
  // s_{t+1} while step t is pulled back: its h0 is the lower layer's output at step t.
  let nextState: LstmState | null = null;
  // States recomputed here, not saved: this loop's to dispose.
  const recomputed = new Set<LstmState>();
  try {
    phiGrad = tf.zerosLike(phi);
    suffix = tf.zerosLike(saved[saved.length - 1]!.grad);
    for (let t = saved.length - 1; t >= 0; t -= 1) {
      const step = saved[t]!;
      let state = step.state;
      if (state === null) {
        state = recomputedState(optimizer, saved[t - 1]!);
        recomputed.add(state);
      }
      if (nextState) {
        const vjp = stepVjp(phi, config, instance.nCoords, step, state, nextState.h0, {
          dUpdate: suffix,
          dState,
          layout,
        });
        const total = tf.add(phiGrad, vjp.phi) as tf.Tensor2D;
        tf.dispose([phiGrad, vjp.phi, dState ?? []]);
        phiGrad = total;
        dState = vjp.state;
        if (recomputed.delete(nextState)) dispose(nextState);
      }
      nextState = state;
      const nextSuffix: tf.Tensor2D = tf.tidy(() => tf.add(suffix!, tf.div(step.grad, P)));
      suffix.dispose();
      suffix = nextSuffix;
    }
    return phiGrad;
  } catch (error) {
    phiGrad?.dispose();
    throw error;
  } finally {
    tf.dispose([suffix ?? [], dState ?? []]);
    recomputed.forEach(dispose);
    dispose(params);
  }
}

/** s_{t+1} from the saved step t, as the forward pass computed it. */
function recomputedState(optimizer: Optimizer<LstmState>, previous: SavedStep): LstmState {
  return tidy(() => optimizer.update(previous.input, previous.state!).state);
}

/** What reaches one step's outputs from the steps after it. */
export interface StepCotangents {
  /** ∂L/∂u_t [P, n]. */
  readonly dUpdate: tf.Tensor2D;
  /** ∂L/∂s_{t+1}, [N, H] each; null means zero (the step after is the last). */
  readonly dState: LstmState | null;
  readonly layout: CellLayout | undefined;
}

/**
 * Pulls the cotangents back through one LSTM step at (g_t, s_t): returns ∂/∂φ [1, nφ] and
 * ∂/∂s_t. `lowerH` is the lower layer's output at this step, i.e. s_{t+1}'s h0.
 *
 * One layer at a time, so that memory holds one layer's tape, not both: the upper layer
 * first, at the lower layer's output, then the lower layer, pulled back from what reached its
 * output. The result is the same bits as one tape over the whole step
 * (test/step-vjp.test.ts holds it to one; exported for that test only), because:
 * - TF.js adds a tensor's gradients in reverse order of its consumers, and here each tensor
 *   has the consumers it has there, in the same order (the state terms last in the forward
 *   pass, so first in the backward one);
 * - what reaches the lower layer's output enters its pull-back multiplied by 1, which is exact;
 * - each part of φ belongs to one layer, so each element of the sum of the two layers' ∂/∂φ
 *   is x + 0, exact (but for −0 becoming +0);
 * - `lowerH`, taken from the forward pass, is what the lower layer computes here again: the
 *   kernels give the same numbers with a tape as without.
 */
export function stepVjp(
  phi: tf.Tensor2D,
  config: LstmConfig,
  nCoords: number,
  { input }: Pick<SavedStep, 'input'>,
  state: LstmState,
  lowerH: tf.Tensor2D,
  { dUpdate, dState, layout }: StepCotangents,
): { phi: tf.Tensor2D; state: LstmState } {
  return tf.tidy(() => {
    const { h0, c0, h1, c1 } = state;
    const paramsOf = (phiArg: tf.Tensor): LstmParams =>
      lstmParams(tf.reshape(phiArg, [-1]) as tf.Tensor1D, config, nCoords, layout);

    const pulledUpper = (phiArg: tf.Tensor, ...inputs: tf.Tensor[]): tf.Scalar => {
      const [x, sh1, sc1] = inputs as tf.Tensor2D[];
      const shape = input.shape;
      const next = upperLayer(config, paramsOf(phiArg), x!, sh1!, sc1!, shape);
      const terms = [tf.sum(tf.mul(next.update, dUpdate))];
      if (dState) {
        terms.push(tf.sum(tf.mul(x!, dState.h0)));
        terms.push(tf.sum(tf.mul(next.h, dState.h1)), tf.sum(tf.mul(next.c, dState.c1)));
      }
      return tf.addN(terms) as tf.Scalar;
    };
    const [dPhiUpper, dLowerH, dh1, dc1] = tf.grads(pulledUpper)([phi, lowerH, h1, c1]);

    const pulledLower = (phiArg: tf.Tensor, ...inputs: tf.Tensor[]): tf.Scalar => {
      const [sh0, sc0] = inputs as tf.Tensor2D[];
      const next = lowerLayer(config, paramsOf(phiArg), input, sh0!, sc0!);
      const terms = [tf.sum(tf.mul(next.h, dLowerH!))];
      if (dState) terms.push(tf.sum(tf.mul(next.c, dState.c0)));
      return tf.addN(terms) as tf.Scalar;
    };
    const [dPhiLower, dh0, dc0] = tf.grads(pulledLower)([phi, h0, c0]);

    return {
      phi: tf.add(dPhiUpper!, dPhiLower!) as tf.Tensor2D,
      state: { h0: dh0 as tf.Tensor2D, c0: dc0 as tf.Tensor2D, h1: dh1, c1: dc1 } as LstmState,
    };
  });
}
