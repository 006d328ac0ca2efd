/**
 * MNIST-format classification problems: each problem is an MLP with its own initial weights
 * (N(0, 1)·0.001, biases 0, as the reference notebook) and its own minibatch sequence, both
 * drawn from the problem's seed. Minibatches are `batchSize` distinct images drawn uniformly
 * each step (Floyd's algorithm), from `train` for meta-training and `test` for evaluation.
 */
import * as tf from '@tensorflow/tfjs';
import type { DatasetSplit, LabeledImages } from '@metaopt/datasets';

import { L2lError, L2lErrorCode, invalidConfig } from '../errors.js';
import { Random } from '../random.js';
import { type Activation, type MlpLayout, mlpLayout, mlpLoss } from './mlp.js';
import type { DataSplitName, MnistTaskConfig, Task, TaskInstance } from './types.js';

const INIT_SCALE = 0.001;
const DEFAULTS = { hidden: [20], activation: 'sigmoid', batchSize: 128 } as const;

interface SplitTensors {
  readonly images: tf.Tensor2D; // [count, in]
  readonly oneHot: tf.Tensor2D; // [count, classes]
  readonly count: number;
}

export function mnistTask(config: MnistTaskConfig, data: DatasetSplit | undefined): Task {
  if (!data) throw new L2lError(L2lErrorCode.DATA_REQUIRED, 'an mnist task needs its data');
  const hidden = config.hidden ?? DEFAULTS.hidden;
  const activation = config.activation ?? DEFAULTS.activation;
  const batchSize = config.batchSize ?? DEFAULTS.batchSize;
  validate(hidden, activation, batchSize, data);
  const layout = mlpLayout(data.train.pixelsPerImage, hidden, data.train.classCount);
  const loaded = new Map<DataSplitName, SplitTensors>();
  const tensorsOf = (split: DataSplitName): SplitTensors => {
    let tensors = loaded.get(split);
    if (!tensors) {
      tensors = uploadSplit(data[split]);
      loaded.set(split, tensors);
    }
    return tensors;
  };
  return {
    nCoords: layout.nCoords,
    instance: (seeds, split) =>
      mnistInstance(layout, activation, batchSize, tensorsOf(split), seeds),
    dispose: () => {
      for (const t of loaded.values()) tf.dispose([t.images, t.oneHot]);
      loaded.clear();
    },
  };
}

function mnistInstance(
  layout: MlpLayout,
  activation: Activation,
  batchSize: number,
  data: SplitTensors,
  seeds: readonly number[],
): TaskInstance {
  const problems = seeds.length;
  // Each problem's stream: its initial weights first, then one minibatch per step.
  const randoms = seeds.map((seed) => Random.fromSeed(seed));
  const theta0 = initialWeights(layout, randoms);
  const inputSize = layout.sizes[0]!;
  const classes = layout.sizes[layout.sizes.length - 1]!;
  return {
    problems,
    nCoords: layout.nCoords,
    initialTheta: () => tf.tensor2d(theta0, [problems, layout.nCoords]),
    nextBatch: () => {
      const indices = new Int32Array(problems * batchSize);
      randoms.forEach((random, p) =>
        drawDistinct(random, data.count, indices, p * batchSize, batchSize),
      );
      return tf.tidy(() => {
        const rows = tf.tensor1d(indices, 'int32');
        return {
          images: tf.reshape(tf.gather(data.images, rows), [problems, batchSize, inputSize]),
          oneHot: tf.reshape(tf.gather(data.oneHot, rows), [problems, batchSize, classes]),
        };
      });
    },
    loss: (theta, batch) =>
      mlpLoss(layout, activation, theta, batch.images as tf.Tensor3D, batch.oneHot as tf.Tensor3D),
    dispose: () => {},
  };
}

function initialWeights(layout: MlpLayout, randoms: readonly Random[]): Float32Array {
  const theta = new Float32Array(randoms.length * layout.nCoords);
  randoms.forEach((random, p) => {
    const row = p * layout.nCoords;
    for (const param of layout.params) {
      if (param.isBias) continue;
      const start = row + param.offset;
      random.fillNormal(theta, INIT_SCALE, start, start + param.size);
    }
  });
  return theta;
}

/** Writes `k` distinct indices of [0, n) to out[at…at+k), by Floyd's algorithm. */
function drawDistinct(random: Random, n: number, out: Int32Array, at: number, k: number): void {
  const chosen = new Set<number>();
  for (let j = n - k; j < n; j += 1) {
    const t = random.int(j + 1);
    chosen.add(chosen.has(t) ? j : t);
  }
  let i = at;
  for (const index of chosen) out[i++] = index;
}

function uploadSplit(set: LabeledImages): SplitTensors {
  const oneHot = new Float32Array(set.count * set.classCount);
  for (let i = 0; i < set.count; i += 1) oneHot[i * set.classCount + set.labels[i]!] = 1;
  return {
    images: tf.tensor2d(set.images, [set.count, set.pixelsPerImage]),
    oneHot: tf.tensor2d(oneHot, [set.count, set.classCount]),
    count: set.count,
  };
}

function validate(
  hidden: readonly number[],
  activation: string,
  batchSize: number,
  data: DatasetSplit,
): void {
  if (hidden.some((h) => !Number.isInteger(h) || h < 1)) {
    throw invalidConfig(`mnist hidden sizes must be positive integers: ${hidden.join(',')}`);
  }
  if (activation !== 'sigmoid' && activation !== 'relu') {
    throw invalidConfig(`mnist activation must be sigmoid or relu: ${activation}`);
  }
  const smallest = Math.min(data.train.count, data.test.count);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > smallest) {
    throw invalidConfig(`mnist batchSize must be 1…${smallest}: ${batchSize}`);
  }
  const { train, test } = data;
  if (train.pixelsPerImage !== test.pixelsPerImage || train.classCount !== test.classCount) {
    throw invalidConfig('mnist train and test splits differ in image size or class count');
  }
}
