/**
 * Tasks (optimizees), batched: one instance holds P independent problems of the same kind and
 * computes them as one tensor program. Their parameters are one flat row per problem,
 * θ [P, n], so that an optimizer sees every task alike and a learned optimizer's updates stay
 * differentiable (the loss is an ordinary function of θ).
 */
import type * as tf from '@tensorflow/tfjs';

export interface QuadraticTaskConfig {
  readonly kind: 'quadratic';
  /** Dimension of θ (default 10); taken from W when W is given. */
  readonly dim?: number;
  /** An explicit problem [dim][dim]: every problem of the batch is then this one. */
  readonly W?: readonly (readonly number[])[];
  readonly y?: readonly number[];
}

export interface MnistTaskConfig {
  readonly kind: 'mnist';
  /** Hidden layer sizes (default [20]). */
  readonly hidden?: readonly number[];
  /** Activation of every hidden layer (default sigmoid). */
  readonly activation?: 'sigmoid' | 'relu';
  /** Images per minibatch and problem (default 128). */
  readonly batchSize?: number;
}

export type TaskConfig = QuadraticTaskConfig | MnistTaskConfig;

/** Which images a problem draws from: meta-training uses `train`, evaluation `test`. */
export type DataSplitName = 'train' | 'test';

/** Per-step inputs of a batch of problems (MNIST minibatches); empty for the quadratic. */
export type TaskBatch = Readonly<Record<string, tf.Tensor>>;

/**
 * The same problems computed in plain JS, offered by tasks small enough that TF.js's per-op
 * cost dominates their arithmetic (the quadratic); meta-training then runs on the host (see
 * meta/host-truncation.ts). Shapes are row-major: θ and ∇f [P·n], losses [P].
 */
export interface HostProblems {
  /** θ₀ [P·n]; a fresh array the caller owns. */
  initialTheta(): Float32Array;
  /** losses[p] = f_p(θ) and grad = ∇f(θ), on the next step's inputs (as `nextBatch`). */
  lossAndGrad(theta: Float32Array, losses: Float64Array, grad: Float64Array): void;
}

export interface TaskInstance {
  /** P, the number of problems. */
  readonly problems: number;
  /** n, the number of coordinates (parameters) of each problem. */
  readonly nCoords: number;
  /** θ₀ [P, n]; the caller owns it. */
  initialTheta(): tf.Tensor2D;
  /**
   * The inputs of the next step, drawn in order from each problem's seed, so that every
   * optimizer run on the same seeds sees the same sequence. The caller disposes them.
   */
  nextBatch(): TaskBatch;
  /** θ [P, n] → losses [P], differentiable with respect to θ. */
  loss(theta: tf.Tensor2D, batch: TaskBatch): tf.Tensor1D;
  /** The same problems on the host, when the task offers them (see HostProblems). */
  readonly host?: HostProblems;
  dispose(): void;
}

/** A task ready to make instances: holds what all its problems share (e.g. the images). */
export interface Task {
  readonly nCoords: number;
  /** One instance with a problem per seed: the same seed always gives the same problem. */
  instance(problemSeeds: readonly number[], split: DataSplitName): TaskInstance;
  dispose(): void;
}
