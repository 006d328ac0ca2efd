import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';

import {
  type LstmConfig,
  fromTorchStateDict,
  lstmOptimizer,
  lstmParams,
  phiTensor,
  toTorchStateDict,
} from '../src/index.js';
import type { CellLayout } from '../src/learned/cell.js';
import { maxRelativeError, readFixture, useWasmBackend } from './helpers/setup.js';

interface ForwardFixture {
  cases: {
    preproc: boolean;
    weights: Record<string, { shape: number[]; value: unknown }>;
    steps: { grad_input: number[]; update: number[]; hidden: number[][][]; cell: number[][][] }[];
  }[];
}

const fixture = readFixture<ForwardFixture>('lstm_optimizer_forward.json');

/**
 * Errors are taken relative to max(|expected|, 1e-3), i.e. 1e-7 absolute for states near 0.
 * Float32 leaves ~1e-8 absolute error in each gate sum, and on wasm tanh is computed as
 * 2σ(2x) − 1 with ~1e-7 absolute error: on a state of 1e-4 either is a relative error of
 * 1e-4–1e-3 (measured: 1.5e-4 with TF.js's own tanh, 4e-4 with ours), with no bearing on the
 * updates, which all match to 1e-4 relative.
 */
const FLOOR = 1e-3;

/** Three steps of the optimizer on the fixture's 7 coordinates. */
function runSteps(fixtureCase: ForwardFixture['cases'][number], layout: CellLayout) {
  const config: LstmConfig = { hiddenSize: 20, preprocess: fixtureCase.preproc, outMul: 1 };
  const phi = phiTensor(fromTorchStateDict(fixtureCase.weights));
  const params = lstmParams(phi, config, 7, layout);
  const optimizer = lstmOptimizer(config, params);
  let state = optimizer.init(tf.zeros([1, 7]));
  const steps = fixtureCase.steps.map((step) => {
    const grad = tf.tensor2d([step.grad_input]);
    const next = optimizer.update(grad, state);
    tf.dispose([grad, state]);
    state = next.state;
    const read = (t: tf.Tensor) => Array.from(t.dataSync());
    const out = {
      update: read(next.update),
      hidden: [...read(state.h0), ...read(state.h1)],
      cell: [...read(state.c0), ...read(state.c1)],
    };
    next.update.dispose();
    return out;
  });
  tf.dispose([phi, state, params as unknown as tf.TensorContainer]);
  return steps;
}

describe('LSTM optimizer', () => {
  useWasmBackend();

  for (const fixtureCase of fixture.cases) {
    const which = fixtureCase.preproc ? 'with preprocessing' : 'without preprocessing';
    for (const layout of ['perGate', 'fused'] as const) {
      describe(`when run ${which} (${layout} gates) on the reference's fixed weights`, () => {
        it('reproduces three steps of updates and states to 1e-4', () => {
          const steps = runSteps(fixtureCase, layout);
          fixtureCase.steps.forEach((expected, t) => {
            const actual = steps[t]!;
            expect(maxRelativeError(actual.update, expected.update, FLOOR)).toBeLessThan(1e-4);
            expect(maxRelativeError(actual.hidden, expected.hidden.flat(2), FLOOR)).toBeLessThan(
              1e-4,
            );
            expect(maxRelativeError(actual.cell, expected.cell.flat(2), FLOOR)).toBeLessThan(1e-4);
          });
        });
      });
    }
  }

  describe('when its weights go through a PyTorch state_dict and back', () => {
    it('gives the same names, shapes and float32 values', () => {
      const original = fromTorchStateDict(fixture.cases[1]!.weights);
      const dict = toTorchStateDict(original);
      expect(Object.keys(dict)).toEqual(Object.keys(fixture.cases[1]!.weights));
      expect(dict['recurs.weight_ih'].shape).toEqual([80, 2]);
      const again = fromTorchStateDict(JSON.parse(JSON.stringify(dict)));
      for (const name of Object.keys(original.values) as (keyof typeof original.values)[]) {
        expect(again.values[name]).toEqual(original.values[name]);
      }
    });

    it('refuses a weight of the wrong shape with L2L_INVALID_WEIGHTS', () => {
      const dict = { ...fixture.cases[0]!.weights, 'output.bias': { shape: [2], value: [0, 0] } };
      expect(() => fromTorchStateDict(dict)).toThrow(
        expect.objectContaining({ code: 'L2L_INVALID_WEIGHTS' }),
      );
    });
  });
});
