/**
 * Runs one optimizer on a batch of problems for T steps, recording f(θ_t) before each update:
 *   g_t = ∇f(θ_t);  (u_t, s_{t+1}) = opt(g_t, s_t);  θ_{t+1} = θ_t + u_t
 * All problems advance together as one tensor program. No gradient tape is kept beyond the
 * step: this is evaluation, not meta-training.
 */
import * as tf from '@tensorflow/tfjs';

import type { Optimizer, OptimizerState } from '../optimizers/types.js';
import type { TaskBatch, TaskInstance } from '../tasks/types.js';
import type { LossMatrix } from './loss-matrix.js';

export interface RunHooks {
  /** After each step: steps done, their fraction, and the mean loss of that step. */
  onProgress?(progress: { step: number; fraction: number; loss: number }): void | Promise<void>;
  /** Asked after each step: true returns at once, the steps not run left NaN. */
  shouldStop?(): Promise<boolean>;
}

/** The hooks of part `index` of `parts` run one after another: its progress as theirs. */
export function hooksOfPart(hooks: RunHooks, index: number, parts: number): RunHooks {
  return {
    ...(hooks.shouldStop ? { shouldStop: hooks.shouldStop } : {}),
    onProgress: (p) => hooks.onProgress?.({ ...p, fraction: (index + p.fraction) / parts }),
  };
}

export async function runOptimizer<S extends OptimizerState>(
  instance: TaskInstance,
  optimizer: Optimizer<S>,
  steps: number,
  hooks: RunHooks = {},
): Promise<LossMatrix> {
  const { problems } = instance;
  const losses = new Float32Array(problems * steps).fill(Number.NaN);
  const diverged = new Uint8Array(problems);
  let divergedAtStep: number | null = null;
  let theta = instance.initialTheta();
  let state = optimizer.init(theta);
  try {
    for (let t = 0; t < steps; t += 1) {
      const batch = instance.nextBatch();
      const next = tf.tidy(() => step(instance, optimizer, theta, state, batch));
      tf.dispose(batch);
      disposeReplaced([theta, state], [next.theta, next.state]);
      theta = next.theta;
      state = next.state;

      const values = next.losses.dataSync();
      next.losses.dispose();
      let divergedCount = 0;
      let total = 0;
      for (let p = 0; p < problems; p += 1) {
        const value = values[p]!;
        losses[p * steps + t] = value;
        total += value;
        if (!Number.isFinite(value)) diverged[p] = 1;
        divergedCount += diverged[p]!;
      }
      if (divergedCount > 0 && divergedAtStep === null) divergedAtStep = t;

      await hooks.onProgress?.({ step: t + 1, fraction: (t + 1) / steps, loss: total / problems });
      if (divergedCount === problems || (await hooks.shouldStop?.()) === true) break;
    }
  } finally {
    tf.dispose([theta, state]);
  }
  return { problems, steps, losses, divergedAtStep };
}

// theta [P, n] → losses [P] at theta, and the next theta and state
function step<S extends OptimizerState>(
  instance: TaskInstance,
  optimizer: Optimizer<S>,
  theta: tf.Tensor2D,
  state: S,
  batch: TaskBatch,
): { losses: tf.Tensor1D; theta: tf.Tensor2D; state: S } {
  // dy = ones: the gradient of Σ_p f_p, and each f_p depends on its own row of θ only.
  const { value, grad } = tf.valueAndGrad((x: tf.Tensor2D) => instance.loss(x, batch))(
    theta,
    tf.ones([instance.problems]),
  );
  const next = optimizer.update(grad, state);
  return { losses: value, theta: tf.add(theta, next.update), state: next.state };
}

/** Disposes the tensors of `old` that `next` does not carry over. */
export function disposeReplaced(old: tf.TensorContainer, next: tf.TensorContainer): void {
  const kept = new Set(collect(next).map((t) => t.id));
  tf.dispose(collect(old).filter((t) => !kept.has(t.id)));
}

function collect(container: tf.TensorContainer): tf.Tensor[] {
  if (container instanceof tf.Tensor) return [container];
  if (container === null || typeof container !== 'object') return [];
  return Object.values(container as Record<string, tf.TensorContainer>).flatMap(collect);
}
