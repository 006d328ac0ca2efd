/**
 * The coordinatewise LSTM optimizer m(∇f; φ) of Andrychowicz et al. 2016 (section 2.1): two
 * stacked LSTM cells and a linear output, the same weights φ for every coordinate of every
 * problem, each coordinate with its own hidden and cell state. One step, for each coordinate:
 *   x = g or preprocess(g);  (h0, c0) = recurs(x, h0, c0);  (h1, c1) = recurs2(h0, h1, c1)
 *   update = outMul · (h1·output.weightᵀ + output.bias)
 */
import * as tf from '@tensorflow/tfjs';

import { matMul } from '../backend/kernels.js';
import type { Optimizer } from '../optimizers/types.js';
import {
  type CellLayout,
  type CellParams,
  cellStep,
  defaultCellLayout,
  prepareCell,
} from './cell.js';
import type { LstmConfig } from './config.js';
import { lstmInputSize } from './config.js';
import { preprocessGrad } from './preprocess.js';
import {
  LSTM_WEIGHT_NAMES,
  type LstmWeights,
  lstmWeightShapes,
  packLstmWeights,
} from './weights.js';

/** Per coordinate (N = P·n rows), the state of both layers: each [N, H]. */
export interface LstmState {
  readonly [key: string]: tf.Tensor | number;
  readonly h0: tf.Tensor2D;
  readonly c0: tf.Tensor2D;
  readonly h1: tf.Tensor2D;
  readonly c1: tf.Tensor2D;
}

/** φ prepared for stepping; derived from a flat φ so that gradients reach it. */
export interface LstmParams {
  readonly recurs: CellParams;
  readonly recurs2: CellParams;
  /** [H, 1]: output.weightᵀ. */
  readonly outWeight: tf.Tensor2D;
  /** [1] */
  readonly outBias: tf.Tensor1D;
}

/**
 * phi [nφ] (LSTM_WEIGHT_NAMES order) → prepared params; differentiable w.r.t. phi. The layout
 * defaults to the best for problems of `coordsPerProblem` coordinates on this backend.
 */
export function lstmParams(
  phi: tf.Tensor1D,
  config: LstmConfig,
  coordsPerProblem: number,
  layout: CellLayout = defaultCellLayout(coordsPerProblem),
): LstmParams {
  const shapes = lstmWeightShapes(lstmInputSize(config), config.hiddenSize);
  const sizes = LSTM_WEIGHT_NAMES.map((name) => shapes[name].reduce((a, b) => a * b, 1));
  const pieces = tf.split(phi, sizes);
  const named = (name: (typeof LSTM_WEIGHT_NAMES)[number]): tf.Tensor =>
    tf.reshape(pieces[LSTM_WEIGHT_NAMES.indexOf(name)]!, shapes[name]);
  const cell = (prefix: 'recurs' | 'recurs2'): CellParams =>
    prepareCell(
      layout,
      named(`${prefix}.weight_ih`) as tf.Tensor2D,
      named(`${prefix}.weight_hh`) as tf.Tensor2D,
      named(`${prefix}.bias_ih`) as tf.Tensor1D,
      named(`${prefix}.bias_hh`) as tf.Tensor1D,
    );
  return {
    recurs: cell('recurs'),
    recurs2: cell('recurs2'),
    outWeight: tf.transpose(named('output.weight')) as tf.Tensor2D,
    outBias: named('output.bias') as tf.Tensor1D,
  };
}

/** A flat φ tensor [nφ] of plain weights; the caller owns it. */
export function phiTensor(weights: LstmWeights): tf.Tensor1D {
  return tf.tensor1d(packLstmWeights(weights));
}

export function lstmOptimizer(config: LstmConfig, params: LstmParams): Optimizer<LstmState> {
  const hidden = config.hiddenSize;
  return {
    init: (theta) => {
      const rows = theta.shape[0] * theta.shape[1];
      return {
        h0: tf.zeros([rows, hidden]),
        c0: tf.zeros([rows, hidden]),
        h1: tf.zeros([rows, hidden]),
        c1: tf.zeros([rows, hidden]),
      };
    },
    // grad [P, n]; state tensors [P·n, H]
    update: (grad, state) =>
      tf.tidy(() => {
        const first = lowerLayer(config, params, grad, state.h0, state.c0);
        const second = upperLayer(config, params, first.h, state.h1, state.c1, grad.shape);
        const next = { h0: first.h, c0: first.c, h1: second.h, c1: second.c };
        return { update: second.update, state: next };
      }),
  };
}

/**
 * The first LSTM layer on grad [P, n]: its next h and c [N, H]. Each layer runs in its own
 * scope, so that one layer's intermediates (~40 tensors of [N, H]) are freed before the next
 * layer's are made.
 */
export function lowerLayer(
  config: LstmConfig,
  params: LstmParams,
  grad: tf.Tensor2D,
  h0: tf.Tensor2D,
  c0: tf.Tensor2D,
): { h: tf.Tensor2D; c: tf.Tensor2D } {
  return tf.tidy(() => {
    const g = tf.reshape(grad, [-1, 1]) as tf.Tensor2D;
    const x = config.preprocess ? preprocessGrad(g) : g;
    return cellStep(params.recurs, x, h0, c0);
  });
}

/** The second layer on the first's h [N, H], and the output: the update (`shape`), h and c. */
export function upperLayer(
  config: LstmConfig,
  params: LstmParams,
  lowerH: tf.Tensor2D,
  h1: tf.Tensor2D,
  c1: tf.Tensor2D,
  shape: [number, number],
): { update: tf.Tensor2D; h: tf.Tensor2D; c: tf.Tensor2D } {
  return tf.tidy(() => {
    const next = cellStep(params.recurs2, lowerH, h1, c1);
    const out = tf.add(matMul(next.h, params.outWeight), params.outBias);
    const update = tf.reshape(tf.mul(out, config.outMul), shape) as tf.Tensor2D;
    return { update, h: next.h, c: next.c };
  });
}
