/**
 * The one bound on a run's memory: the floats of problem data it holds at once, over all its
 * problems. Each size has its own limit, but their product has none: 1000 quadratics of
 * dimension 1000 are 1000 W matrices of 1000×1000, 10⁹ floats (4 GB) on one worker.
 *
 * One problem holds its data whole: a quadratic its W and y, dim·(dim + 1) floats; an MNIST
 * problem its net's weights and one minibatch of images with their one-hot labels. The
 * optimizers' own state (an LSTM's 4·hiddenSize floats per coordinate, and meta-training's
 * tape of `unroll` steps of it) is not counted: it is bounded only through the limits on
 * hiddenSize, unroll and metaBatch, each on its own.
 */
import type { MnistTask, Task } from './types.js';

/**
 * MNIST's format, 28×28 images of 10 classes. An idxDir of another size is counted as if it
 * were MNIST's: its image size is not known before a worker reads it.
 */
const MNIST_PIXELS = 28 * 28;
const MNIST_CLASSES = 10;

export function problemFloats(task: Task): number {
  if (task.kind === 'quadratic') return task.dim * (task.dim + 1);
  return mlpWeights(task) + task.batchSize * (MNIST_PIXELS + MNIST_CLASSES);
}

function mlpWeights(task: MnistTask): number {
  const sizes = [MNIST_PIXELS, ...task.hidden, MNIST_CLASSES];
  // Each layer's weight matrix and bias.
  return sizes.slice(1).reduce((sum, out, i) => sum + (sizes[i]! + 1) * out, 0);
}
