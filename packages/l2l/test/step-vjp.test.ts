/**
 * The backward pass pulls one LSTM step back a layer at a time, to hold one layer's tape in
 * memory. It must give the same bits as one tape over the whole step, which is what this file
 * computes beside it, for both cell layouts, with and without a gradient on the next state.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';

import {
  type LstmConfig,
  type LstmState,
  Random,
  initLstmWeights,
  lstmOptimizer,
  lstmParams,
  packLstmWeights,
} from '../src/index.js';
import type { CellLayout } from '../src/learned/cell.js';
import { lstmInputSize } from '../src/learned/config.js';
import { lowerLayer } from '../src/learned/lstm-optimizer.js';
import { stepVjp } from '../src/meta/truncation.js';
import { useWasmBackend } from './helpers/setup.js';

const ROWS = 48;
const SHAPE: [number, number] = [3, 16];
const config: LstmConfig = { hiddenSize: 6, preprocess: true, outMul: 0.1 };
const KEYS = ['h0', 'c0', 'h1', 'c1'] as const;

function randomState(seed: number): LstmState {
  const [h0, c0, h1, c1] = KEYS.map(
    (_, k) => tf.randomNormal([ROWS, config.hiddenSize], 0, 1, 'float32', seed + k) as tf.Tensor2D,
  );
  return { h0: h0!, c0: c0!, h1: h1!, c1: c1! };
}

/** The step's vector-Jacobian product on a single tape over both layers and the output. */
function oneTapeVjp(
  phi: tf.Tensor2D,
  input: tf.Tensor2D,
  state: LstmState,
  dUpdate: tf.Tensor2D,
  dState: LstmState | null,
  layout: CellLayout,
): tf.Tensor[] {
  const pulled = (phiArg: tf.Tensor, ...inputs: tf.Tensor[]): tf.Scalar => {
    const flat = tf.reshape(phiArg, [-1]) as tf.Tensor1D;
    const optimizer = lstmOptimizer(config, lstmParams(flat, config, ROWS, layout));
    const [h0, c0, h1, c1] = inputs as tf.Tensor2D[];
    const next = optimizer.update(input, { h0: h0!, c0: c0!, h1: h1!, c1: c1! });
    const terms = [tf.sum(tf.mul(next.update, dUpdate))];
    for (const key of dState ? KEYS : []) terms.push(tf.sum(tf.mul(next.state[key], dState![key])));
    return tf.addN(terms) as tf.Scalar;
  };
  return tf.grads(pulled)([phi, state.h0, state.c0, state.h1, state.c1]);
}

describe('one step pulled back a layer at a time', () => {
  useWasmBackend();

  const weights = initLstmWeights(lstmInputSize(config), config.hiddenSize, Random.fromSeed(5));

  for (const layout of ['fused', 'perGate'] as const) {
    for (const withState of [true, false]) {
      const when = withState ? 'with' : 'without';
      it(`is the single tape's bits, ${layout} cells, ${when} a next-state gradient`, () => {
        tf.tidy(() => {
          const flat = packLstmWeights(weights);
          const phi = tf.tensor2d(flat, [1, flat.length]);
          const input = tf.randomNormal(SHAPE, 0, 1e-2, 'float32', 1) as tf.Tensor2D;
          const state = randomState(10);
          const dUpdate = tf.randomNormal(SHAPE, 0, 1, 'float32', 2) as tf.Tensor2D;
          const dState = withState ? randomState(20) : null;

          const params = lstmParams(tf.reshape(phi, [-1]) as tf.Tensor1D, config, ROWS, layout);
          const lowerH = lowerLayer(config, params, input, state.h0, state.c0).h;
          const cotangents = { dUpdate, dState, layout };
          const layered = stepVjp(phi, config, ROWS, { input }, state, lowerH, cotangents);
          const [dPhi, ...dStates] = oneTapeVjp(phi, input, state, dUpdate, dState, layout);

          expect(layered.phi.dataSync()).toEqual(dPhi!.dataSync());
          KEYS.forEach((key, k) => {
            expect(layered.state[key].dataSync(), key).toEqual(dStates[k]!.dataSync());
          });
          expect(Math.max(...dPhi!.abs().dataSync())).toBeGreaterThan(0);
        });
      });
    }
  }
});
