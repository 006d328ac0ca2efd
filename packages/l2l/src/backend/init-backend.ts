/**
 * Picks the TensorFlow.js backend the numerics run on. The native bindings
 * (`@tensorflow/tfjs-node`, `-node-gpu`) are optional dependencies that fail to install on
 * machines without their download, so they are imported lazily and their absence is an
 * ordinary "not available", not a crash at import time.
 */
import * as tf from '@tensorflow/tfjs';

import { L2lError, L2lErrorCode } from '../errors.js';

export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
export type BackendChoice = 'auto' | BackendName;

/** The order `auto` tries: fastest first. */
export const BACKEND_PREFERENCE: readonly BackendName[] = [
  'tensorflow-gpu',
  'tensorflow',
  'wasm',
  'cpu',
];

export interface BackendInfo {
  /** Which of the four loaded; record it with every run, numbers differ between backends. */
  readonly name: BackendName;
}

/** Loads one backend and makes it current; resolves false (or throws) when it cannot. */
export type BackendLoader = () => Promise<boolean>;

const LOADERS: Readonly<Record<BackendName, BackendLoader>> = {
  'tensorflow-gpu': () => loadNative('@tensorflow/tfjs-node-gpu'),
  tensorflow: () => loadNative('@tensorflow/tfjs-node'),
  wasm: async () => {
    await import('@tensorflow/tfjs-backend-wasm');
    // setBackend resolves false, and silently stays on the old backend, when wasm cannot
    // start (e.g. threads forced on under Node): its answer must be checked.
    return tf.setBackend('wasm');
  },
  cpu: () => tf.setBackend('cpu'),
};

export function initBackend(choice: BackendChoice = 'auto'): Promise<BackendInfo> {
  return selectBackend(choice, LOADERS);
}

/** `initBackend` with the loaders passed in, so tests can make any of them fail. */
export async function selectBackend(
  choice: BackendChoice,
  loaders: Readonly<Record<BackendName, BackendLoader>>,
): Promise<BackendInfo> {
  if (choice !== 'auto' && !BACKEND_PREFERENCE.includes(choice)) {
    throw new L2lError(L2lErrorCode.BACKEND_UNAVAILABLE, `unknown backend ${String(choice)}`);
  }
  const candidates = choice === 'auto' ? BACKEND_PREFERENCE : [choice];
  const failures: string[] = [];
  for (const name of candidates) {
    try {
      if (await loaders[name]()) {
        await tf.ready();
        return { name };
      }
      failures.push(`${name}: setBackend refused it`);
    } catch (err) {
      failures.push(`${name}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    }
  }
  throw new L2lError(
    L2lErrorCode.BACKEND_UNAVAILABLE,
    `no TensorFlow.js backend could be loaded (${failures.join('; ')})`,
  );
}

async function loadNative(moduleName: string): Promise<boolean> {
  // A variable specifier keeps TypeScript from resolving a package that may not be installed.
  await import(moduleName);
  return tf.setBackend('tensorflow');
}
