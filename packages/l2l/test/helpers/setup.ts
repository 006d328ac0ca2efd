/**
 * Shared test setup: every l2l test runs on the wasm backend (the one that works offline on
 * any machine), and reads its fixtures from test/testdata, copied from the reference
 * fixtures so that a fresh clone needs nothing outside the repository.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as tf from '@tensorflow/tfjs';
import { beforeAll } from 'vitest';

import { initBackend } from '../../src/index.js';

export function useWasmBackend(): void {
  beforeAll(async () => {
    const { name } = await initBackend('wasm');
    if (name !== 'wasm' || tf.getBackend() !== 'wasm') throw new Error('wasm backend not active');
  });
}

const TESTDATA = join(dirname(fileURLToPath(import.meta.url)), '..', 'testdata');

export function readFixture<T>(file: string): T {
  return JSON.parse(readFileSync(join(TESTDATA, file), 'utf8')) as T;
}

/** Largest |actual − expected| / max(|expected|, floor) over all entries. */
export function maxRelativeError(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  floor = 0,
): number {
  if (actual.length !== expected.length)
    throw new Error(`length ${actual.length} ≠ ${expected.length}`);
  let worst = 0;
  for (let i = 0; i < expected.length; i += 1) {
    const scale = Math.max(Math.abs(expected[i]!), floor);
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / scale);
  }
  return worst;
}
