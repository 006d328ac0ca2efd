import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';

import { initBackend } from '../src/index.js';
import {
  type BackendLoader,
  type BackendName,
  selectBackend,
} from '../src/backend/init-backend.js';

/** Loaders that succeed only for `working`, recording what was tried. */
function fakeLoaders(working: BackendName[], tried: BackendName[]) {
  const make =
    (name: BackendName): BackendLoader =>
    async () => {
      tried.push(name);
      if (!working.includes(name)) throw new Error(`Cannot find module for ${name}`);
      return true;
    };
  return {
    'tensorflow-gpu': make('tensorflow-gpu'),
    tensorflow: make('tensorflow'),
    wasm: make('wasm'),
    cpu: make('cpu'),
  };
}

describe('initBackend', () => {
  describe('when wasm is asked for', () => {
    it('makes it the TensorFlow.js backend and says so', async () => {
      await expect(initBackend('wasm')).resolves.toEqual({ name: 'wasm' });
      expect(tf.getBackend()).toBe('wasm');
    });
  });

  describe('when auto is asked for', () => {
    it('takes the first backend that loads, fastest first', async () => {
      const tried: BackendName[] = [];
      const info = await selectBackend('auto', fakeLoaders(['wasm', 'cpu'], tried));
      expect(info).toEqual({ name: 'wasm' });
      expect(tried).toEqual(['tensorflow-gpu', 'tensorflow', 'wasm']);
    });
  });

  describe('when an explicit backend cannot load', () => {
    it('throws L2L_BACKEND_UNAVAILABLE instead of falling back', async () => {
      const tried: BackendName[] = [];
      await expect(selectBackend('tensorflow', fakeLoaders(['cpu'], tried))).rejects.toMatchObject({
        code: 'L2L_BACKEND_UNAVAILABLE',
        retryable: true,
      });
      expect(tried).toEqual(['tensorflow']);
    });

    it('treats setBackend answering false as not loaded', async () => {
      const loaders = { ...fakeLoaders([], []), wasm: async () => false };
      await expect(selectBackend('wasm', loaders)).rejects.toMatchObject({
        code: 'L2L_BACKEND_UNAVAILABLE',
      });
    });
  });
});
