import type { DatasetSplit, LabeledImages } from '@metaopt/datasets';

import { Random } from '../../src/index.js';

/** A small random MNIST-like split, so MNIST-task tests run in milliseconds. */
export function syntheticSplit(pixels = 16, classes = 3, train = 300, test = 200): DatasetSplit {
  const random = Random.fromSeed(99);
  const images = (count: number): LabeledImages => {
    const values = new Float32Array(count * pixels);
    for (let i = 0; i < values.length; i += 1) values[i] = random.uniform();
    const labels = Uint8Array.from({ length: count }, () => random.int(classes));
    return { count, pixelsPerImage: pixels, classCount: classes, images: values, labels };
  };
  return { name: 'synthetic', train: images(train), test: images(test) };
}
