import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { DatasetError, loadIdxDirectory, parseIdx } from '../src/index.js';
import { encodeIdx, makeTempDir, tinySet, writeSet } from './idx-files.js';

function expectImage(pixels: Float32Array, index: number, raw: readonly number[]): void {
  const image = Array.from(pixels.subarray(index * raw.length, (index + 1) * raw.length));
  raw.forEach((byte, p) => expect(image[p]).toBeCloseTo(byte / 255, 6));
}

async function rejection(promise: Promise<unknown>): Promise<DatasetError> {
  const err = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(err).toBeInstanceOf(DatasetError);
  return err as DatasetError;
}

describe('loadIdxDirectory', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await makeTempDir('idx');
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe.each([
    { gzip: false, how: 'plain' },
    { gzip: true, how: 'gzipped' },
  ])('when the files are $how', ({ gzip }) => {
    it('reads back the pixels scaled to 0..1 and the labels, in file order', async () => {
      const train = tinySet(7);
      const test = tinySet(4, 2, 3, 3);
      await writeSet(dir, 'train', train, { gzip });
      await writeSet(dir, 't10k', test, { gzip });

      const split = await loadIdxDirectory(dir, { name: 'tiny' });

      expect(split.name).toBe('tiny');
      // Labels run 0..6 in train and 0..2 in test: both splits take the larger count.
      expect(split.train).toMatchObject({ count: 7, pixelsPerImage: 6, classCount: 7 });
      expect(split.test).toMatchObject({ count: 4, pixelsPerImage: 6, classCount: 7 });
      expect(Array.from(split.train.labels)).toEqual(train.labels);
      expect(Array.from(split.test.labels)).toEqual(test.labels);
      train.images.forEach((raw, i) => expectImage(split.train.images, i, raw));
      test.images.forEach((raw, i) => expectImage(split.test.images, i, raw));
    });
  });

  describe('when the bytes are 0 and 255', () => {
    it('maps them to exactly 0 and 1', async () => {
      const set = { rows: 1, cols: 2, images: [[0, 255]], labels: [1] };
      await writeSet(dir, 'train', set);
      await writeSet(dir, 't10k', set);

      const split = await loadIdxDirectory(dir);

      expect(Array.from(split.train.images)).toEqual([0, 1]);
    });
  });

  describe('when files are gzipped but named without .gz', () => {
    it('recognizes gzip by its magic bytes', async () => {
      const set = tinySet(3);
      const files = await writeSet(dir, 'train', set, { gzip: true });
      await writeSet(dir, 't10k', set);
      await rm(files.images);
      const pixels = set.images.flat();
      const bytes = gzipSync(encodeIdx([3, set.rows, set.cols], pixels));
      await writeFile(join(dir, 'train-images-idx3-ubyte'), bytes);

      const split = await loadIdxDirectory(dir);

      expect(split.train.count).toBe(3);
    });
  });

  describe('when the directory does not exist', () => {
    it('rejects with DATASET_NOT_FOUND naming the directory', async () => {
      const missing = join(dir, 'nowhere');

      const err = await rejection(loadIdxDirectory(missing));

      expect(err.code).toBe('DATASET_NOT_FOUND');
      expect(err.message).toContain(missing);
    });
  });

  describe('when the test files are missing', () => {
    it('rejects with DATASET_NOT_FOUND naming the missing file', async () => {
      await writeSet(dir, 'train', tinySet(3));

      const err = await rejection(loadIdxDirectory(dir));

      expect(err.code).toBe('DATASET_NOT_FOUND');
      expect(err.message).toMatch(/t10k-(images|labels)/);
    });
  });

  describe('when a file is corrupt', () => {
    async function corruptWith(name: string, bytes: Uint8Array): Promise<DatasetError> {
      await writeSet(dir, 'train', tinySet(5));
      await writeSet(dir, 't10k', tinySet(5));
      await writeFile(join(dir, name), bytes);
      return rejection(loadIdxDirectory(dir));
    }

    const good = encodeIdx([5, 2, 3], tinySet(5).images.flat());

    it.each([
      { problem: 'has the wrong magic number', bytes: Uint8Array.from([1, 2, 3, 4, 5]) },
      { problem: 'is empty', bytes: new Uint8Array(0) },
      { problem: 'is truncated', bytes: good.subarray(0, good.length - 1) },
      { problem: 'has trailing bytes', bytes: Uint8Array.from([...good, 0]) },
      { problem: 'has a header cut short', bytes: good.subarray(0, 10) },
      { problem: 'holds floats, not bytes', bytes: Uint8Array.from([0, 0, 0x0d, 1, 0, 0, 0, 0]) },
      { problem: 'holds labels, not images', bytes: encodeIdx([5], [0, 1, 2, 3, 4]) },
      { problem: 'is damaged gzip', bytes: gzipSync(good).subarray(0, 20) },
    ])('rejects an image file that $problem with DATASET_CORRUPT naming it', async ({ bytes }) => {
      const err = await corruptWith('train-images-idx3-ubyte', bytes);

      expect(err.code).toBe('DATASET_CORRUPT');
      expect(err.message).toContain('train-images-idx3-ubyte');
      expect(err.path).toBe(join(dir, 'train-images-idx3-ubyte'));
    });

    it('rejects labels that do not match the image count', async () => {
      const err = await corruptWith('t10k-labels-idx1-ubyte', encodeIdx([4], [0, 1, 2, 3]));

      expect(err.code).toBe('DATASET_CORRUPT');
      expect(err.message).toContain('t10k-labels-idx1-ubyte');
      expect(err.message).toContain('4 labels');
    });

    it('rejects a test split whose images differ in size from the training ones', async () => {
      const err = await corruptWith(
        't10k-images-idx3-ubyte',
        encodeIdx([5, 1, 1], [1, 2, 3, 4, 5]),
      );

      expect(err.code).toBe('DATASET_CORRUPT');
      expect(err.message).toContain('pixels per image');
    });
  });
});

describe('parseIdx', () => {
  describe('when given a valid byte array', () => {
    it('returns its dimensions and a view of its body', () => {
      const parsed = parseIdx(encodeIdx([2, 2], [1, 2, 3, 4]), 'inline');

      expect(parsed.dims).toEqual([2, 2]);
      expect(Array.from(parsed.data)).toEqual([1, 2, 3, 4]);
    });
  });
});
