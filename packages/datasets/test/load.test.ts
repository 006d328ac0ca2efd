import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { DatasetSource } from '../src/index.js';
import {
  clearDatasetCache,
  DatasetError,
  FASHION_MNIST_DEBIAN_DIR,
  loadDataset,
} from '../src/index.js';
import { makeTempDir, tinySet, writeSet } from './idx-files.js';

const hasFashionMnist = existsSync(FASHION_MNIST_DEBIAN_DIR);

async function rejection(promise: Promise<unknown>): Promise<DatasetError> {
  const err = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(err).toBeInstanceOf(DatasetError);
  return err as DatasetError;
}

describe('loadDataset', () => {
  let dir: string;

  beforeEach(async () => {
    clearDatasetCache();
    dir = await makeTempDir('load');
  });

  afterEach(async () => {
    clearDatasetCache();
    await rm(dir, { recursive: true, force: true });
  });

  describe('when the npm digits are asked for twice', () => {
    it('loads them once and hands back the same split', async () => {
      const [first, concurrent] = await Promise.all([loadDataset('mnist'), loadDataset('mnist')]);
      const later = await loadDataset('mnist', { splitSeed: 10 });

      expect(first.train.count).toBe(5000);
      expect(concurrent).toBe(first);
      expect(later).toBe(first);
    });
  });

  describe('when the npm digits are asked for with another seed', () => {
    it('loads a separate split', async () => {
      const usual = await loadDataset('mnist');
      const other = await loadDataset('mnist', { splitSeed: 7 });

      expect(other).not.toBe(usual);
    });
  });

  describe('when given an IDX directory', () => {
    it('loads it, names it after the directory and caches it by resolved path', async () => {
      await writeSet(dir, 'train', tinySet(6));
      await writeSet(dir, 't10k', tinySet(2));

      const split = await loadDataset({ idxDir: dir });
      const again = await loadDataset({ idxDir: join(dir, '.') });

      expect(split.train.count).toBe(6);
      expect(split.test.count).toBe(2);
      expect(again).toBe(split);
    });
  });

  describe('when a load fails', () => {
    it('does not cache the failure, so a retry after the files appear succeeds', async () => {
      const first = await rejection(loadDataset({ idxDir: dir }));
      expect(first.code).toBe('DATASET_NOT_FOUND');

      await writeSet(dir, 'train', tinySet(3));
      await writeSet(dir, 't10k', tinySet(3));
      const split = await loadDataset({ idxDir: dir });

      expect(split.train.count).toBe(3);
    });
  });

  describe('when the source is unknown', () => {
    it('rejects with DATASET_INVALID_OPTIONS', async () => {
      const err = await rejection(loadDataset('cifar10' as unknown as DatasetSource));

      expect(err.code).toBe('DATASET_INVALID_OPTIONS');
      expect(err.message).toContain('cifar10');
    });
  });

  describe('when Fashion-MNIST is not where it is looked for', () => {
    it('rejects with DATASET_NOT_FOUND and says how to install it', async () => {
      const missing = join(dir, 'fashion-mnist');

      const err = await rejection(loadDataset('fashion-mnist', { fashionMnistDir: missing }));

      expect(err.code).toBe('DATASET_NOT_FOUND');
      expect(err.message).toContain(missing);
      expect(err.message).toContain('apt-get install dataset-fashion-mnist');
    });
  });

  // Debian's package is not on every machine; without it there is nothing real to read.
  describe.skipIf(!hasFashionMnist)(
    `when Debian's Fashion-MNIST is installed (skipped: no ${FASHION_MNIST_DEBIAN_DIR}, ` +
      'apt-get install dataset-fashion-mnist)',
    () => {
      it('reads 60,000 training and 10,000 test images of 28×28 pixels in 10 classes', async () => {
        const split = await loadDataset('fashion-mnist');

        expect(split.name).toBe('fashion-mnist');
        expect(split.train).toMatchObject({ count: 60000, pixelsPerImage: 784, classCount: 10 });
        expect(split.test).toMatchObject({ count: 10000, pixelsPerImage: 784, classCount: 10 });
        for (const set of [split.train, split.test]) {
          const perClass = new Array<number>(10).fill(0);
          for (const label of set.labels) perClass[label]! += 1;
          // Fashion-MNIST is balanced: 6,000 and 1,000 images of each class.
          expect(new Set(perClass)).toEqual(new Set([set.count / 10]));
        }
        let max = 0;
        for (const value of split.test.images) if (value > max) max = value;
        expect(max).toBe(1);
      });
    },
  );
});
