/**
 * Normalized specs: every default filled in, so that two submissions that mean the same run
 * are the same object, byte for byte once canonicalized (see hash.ts).
 */
export type Dataset = 'mnist' | 'fashion-mnist' | { readonly idxDir: string };

export interface QuadraticTask {
  readonly kind: 'quadratic';
  readonly dim: number;
  readonly W?: readonly (readonly number[])[];
  readonly y?: readonly number[];
}

export interface MnistTask {
  readonly kind: 'mnist';
  readonly dataset: Dataset;
  readonly hidden: readonly number[];
  readonly activation: 'sigmoid' | 'relu';
  readonly batchSize: number;
}

export type Task = QuadraticTask | MnistTask;
export type TaskKind = Task['kind'];

export type ClassicOptimizerName = 'adam' | 'rmsprop' | 'sgd' | 'nag';

export interface ClassicOptimizer {
  readonly name: ClassicOptimizerName;
  readonly lr: number;
  readonly betas?: readonly [number, number];
  readonly eps?: number;
  readonly alpha?: number;
  readonly momentum?: number;
}

export interface LearnedOptimizer {
  readonly hiddenSize: number;
  readonly preprocess: boolean;
  readonly outMul: number;
}

interface Rollouts {
  readonly task: Task;
  readonly steps: number;
  readonly nTests: number;
  readonly seed: number;
}

export interface BaselineRun extends Rollouts {
  readonly kind: 'baseline';
  readonly optimizer: ClassicOptimizer;
}

export interface MetaTrainRun extends Rollouts {
  readonly kind: 'meta-train';
  readonly learned: LearnedOptimizer;
  readonly metaLr: number;
  readonly epochs: number;
  readonly rolloutsPerEpoch: number;
  readonly unroll: number;
  readonly metaBatch: number;
  /** Absent means `fresh`, the reference's (see @metaopt/l2l's MetaTrainConfig). */
  readonly validation?: 'fixed';
}

export type TrainedSource =
  | { readonly metaTrain: MetaTrainRun }
  /** A stored PyTorch-layout state_dict; its weights do not say how they were trained. */
  | { readonly checkpoint: string; readonly learned: LearnedOptimizer };

export interface EvaluateRun extends Rollouts {
  readonly kind: 'evaluate';
  readonly trained: TrainedSource;
}

export type RunSpec = BaselineRun | MetaTrainRun | EvaluateRun;
export type RunKind = RunSpec['kind'];
export const RUN_KINDS: readonly RunKind[] = ['baseline', 'meta-train', 'evaluate'];
