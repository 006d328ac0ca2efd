/**
 * The four workloads of the speed targets, each a function that runs it once and returns its
 * wall-clock seconds. `bench/run.ts` runs each in a fresh child process (`worker.ts`), so that
 * peak RSS is the workload's own and a cold first run is seen as such.
 */
import { loadNpmMnist, type DatasetSplit } from '@metaopt/datasets';
import {
  type ClassicName,
  evaluateLearningRates,
  evaluateOptimizer,
  initLstmWeights,
  metaTrain,
  Random,
} from '@metaopt/l2l';

/** The paper's learning-rate grid. */
export const LR_GRID = [1, 0.3, 0.1, 0.03, 0.01, 0.003, 0.001, 3e-4, 1e-4, 3e-5, 1e-5];
const CLASSICS: readonly ClassicName[] = ['adam', 'rmsprop', 'sgd', 'nag'];

export interface Workload {
  readonly title: string;
  /** The reference notebook's figure on this machine kind, as the issue states it. */
  readonly reference: string;
  readonly referenceS: number;
  readonly targetS: number;
  /** Extra limit checked besides time (peak RSS), if any. */
  readonly targetRssMb?: number;
  /** Untimed set-up (data loading), shared by every repetition in one process. */
  setUp?(): Promise<void>;
  /** Runs the workload once. */
  run(): Promise<void>;
}

let mnist: DatasetSplit | undefined;
const loadMnist = async (): Promise<void> => {
  mnist ??= await loadNpmMnist();
};

const MNIST_TASK = { kind: 'mnist', hidden: [20], activation: 'sigmoid', batchSize: 128 } as const;
const MNIST_LSTM = { hiddenSize: 20, preprocess: true, outMul: 0.1 } as const;

/** Fixed LSTM weights for evaluation timings: their values do not change the work done. */
const mnistWeights = () => initLstmWeights(2, 20, Random.fromSeed(7));

async function mnistEvaluation(nTests: number): Promise<void> {
  await evaluateOptimizer(
    MNIST_TASK,
    { learned: MNIST_LSTM, weights: mnistWeights() },
    { steps: 200, nTests, seed: 1 },
    mnist,
  );
}

export const WORKLOADS: Readonly<Record<string, Workload>> = {
  'quadratic-epoch': {
    title: 'quadratic meta-training epoch: 20 training + 100 evaluation roll-outs, 100 steps',
    reference: '14.4 s',
    referenceS: 14.4,
    targetS: 1.4,
    run: async () => {
      await metaTrain(
        {
          task: { kind: 'quadratic', dim: 10 },
          learned: { hiddenSize: 20, preprocess: false, outMul: 1 },
          epochs: 1,
          rolloutsPerEpoch: 20,
          steps: 100,
          unroll: 20,
          nTests: 100,
          seed: 1,
        },
        undefined,
      );
    },
  },
  'mnist-train-rollout': {
    title: 'one MNIST training roll-out: 100 steps, unroll 20, preprocessing, outMul 0.1',
    reference: '118–295 s, 0.83 GB',
    referenceS: 118,
    targetS: 25,
    targetRssMb: 512,
    setUp: loadMnist,
    run: async () => {
      // One roll-out, then stop before the epoch's evaluation.
      await metaTrain(
        {
          task: MNIST_TASK,
          learned: MNIST_LSTM,
          epochs: 1,
          rolloutsPerEpoch: 1,
          steps: 100,
          unroll: 20,
          nTests: 1,
          seed: 1,
        },
        mnist,
        { shouldStop: async () => true },
      );
    },
  },
  'mnist-eval-rollout': {
    title: 'one MNIST evaluation roll-out of the LSTM, 200 steps',
    reference: '14–20 s',
    referenceS: 14,
    targetS: 5,
    setUp: loadMnist,
    run: () => mnistEvaluation(1),
  },
  'mnist-eval-100': {
    title: '100 MNIST evaluation roll-outs of the LSTM, 200 steps, batched',
    reference: '1400–2000 s (100 × 14–20 s)',
    referenceS: 1400,
    targetS: 100,
    setUp: loadMnist,
    run: () => mnistEvaluation(100),
  },
  'quadratic-baseline-sweep': {
    title: 'quadratic baseline sweep: 4 optimizers × 11 lrs × 100 problems × 100 steps',
    reference: '~90 s',
    referenceS: 90,
    targetS: 4.5,
    run: async () => {
      for (const name of CLASSICS) {
        await evaluateLearningRates({ kind: 'quadratic', dim: 10 }, { name }, LR_GRID, {
          steps: 100,
          nTests: 100,
          seed: 1,
        });
      }
    },
  },
};
