/**
 * MNIST-format classification problems: each problem is an MLP with its own initial weights
 * (N(0, 1)·0.001, biases 0, as the reference notebook) and its own minibatch sequence, both
 * drawn from the problem's seed. Minibatches are `batchSize` distinct images drawn uniformly
 * each step (Floyd's algorithm), from `train` for meta-training and `test` for evaluation.
 * They are copied out of the JS arrays and uploaded each step: the wasm backend's gather from
 * a dataset tensor took ~70 ms for 20 problems' minibatches (a copy, ~2 ms), and this keeps
 * the dataset off the device.
 */
import * as tf from '@tensorflow/tfjs';
import type { DatasetSplit, LabeledImages } from '@metaopt/datasets';

import { L2lError, L2lErrorCode, invalidConfig } from '../errors.js';
import { Random } from '../random.js';
import { type Activation, type MlpLayout, mlpLayout, mlpLoss } from './mlp.js';
import type { DataSplitName, MnistTaskConfig, Task, TaskInstance } from './types.js';

const INIT_SCALE = 0.001;
const DEFAULTS = { hidden: [20], activation: 'sigmoid', batchSize: 128 } as const;

export function mnistTask(config: MnistTaskConfig, data: DatasetSplit | undefined): Task {
  if (!data) throw new L2lError(L2lErrorCode.DATA_REQUIRED, 'an mnist task needs its data');
  const hidden = config.hidden ?? DEFAULTS.hidden;
  const activation = config.activation ?? DEFAULTS.activation;
  const batchSize = config.batchSize ?? DEFAULTS.batchSize;
  validate(hidden, activation, batchSize, data);
  const layout = mlpLayout(data.train.pixelsPerImage, hidden, data.train.classCount);
  return {
    nCoords: layout.nCoords,
    instance: (seeds, split: DataSplitName) =>
      mnistInstance(layout, activation, batchSize, data[split], seeds),
    dispose: () => {},
  };
}

function mnistInstance(
  layout: MlpLayout,
  activation: Activation,
  batchSize: number,
  data: LabeledImages,
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
      const images = new Float32Array(indices.length * inputSize);
      const oneHot = new Float32Array(indices.length * classes);
      indices.forEach((image, row) => {
        images.set(
          data.images.subarray(image * inputSize, (image + 1) * inputSize),
          row * inputSize,
        );
        oneHot[row * classes + data.labels[image]!] = 1;
      });
      return {
        images: tf.tensor3d(images, [problems, batchSize, inputSize]),
        oneHot: tf.tensor3d(oneHot, [problems, batchSize, classes]),
      };
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
