/**
 * The LSTM optimizer's trainable weights φ, named and shaped as PyTorch names them
 * (`nn.LSTMCell` recurs and recurs2, `nn.Linear` output), so that a state_dict moves between
 * the two unchanged. Flat, φ is these arrays concatenated in `LSTM_WEIGHT_NAMES` order.
 */
import { L2lError, L2lErrorCode } from '../errors.js';
import type { Random } from '../random.js';

export const LSTM_WEIGHT_NAMES = [
  'recurs.weight_ih',
  'recurs.weight_hh',
  'recurs.bias_ih',
  'recurs.bias_hh',
  'recurs2.weight_ih',
  'recurs2.weight_hh',
  'recurs2.bias_ih',
  'recurs2.bias_hh',
  'output.weight',
  'output.bias',
] as const;

export type LstmWeightName = (typeof LSTM_WEIGHT_NAMES)[number];

export interface LstmWeights {
  /** 1, or 2 with preprocessing. */
  readonly inputSize: number;
  readonly hiddenSize: number;
  /** Row-major values of each weight, shapes as `lstmWeightShapes`. */
  readonly values: Readonly<Record<LstmWeightName, Float32Array>>;
}

/** Gate rows are stacked i, f, g, o: weight_ih is [4H, in], as in PyTorch. */
export function lstmWeightShapes(
  inputSize: number,
  hiddenSize: number,
): Record<LstmWeightName, number[]> {
  const gates = 4 * hiddenSize;
  return {
    'recurs.weight_ih': [gates, inputSize],
    'recurs.weight_hh': [gates, hiddenSize],
    'recurs.bias_ih': [gates],
    'recurs.bias_hh': [gates],
    'recurs2.weight_ih': [gates, hiddenSize],
    'recurs2.weight_hh': [gates, hiddenSize],
    'recurs2.bias_ih': [gates],
    'recurs2.bias_hh': [gates],
    'output.weight': [1, hiddenSize],
    'output.bias': [1],
  };
}

export function lstmWeightCount(inputSize: number, hiddenSize: number): number {
  const shapes = lstmWeightShapes(inputSize, hiddenSize);
  return LSTM_WEIGHT_NAMES.reduce((sum, name) => sum + sizeOf(shapes[name]), 0);
}

/**
 * PyTorch's default init: every LSTMCell weight and bias U(−1/√H, 1/√H), and nn.Linear(H, 1)'s
 * weight and bias U(−1/√fan_in, 1/√fan_in) with fan_in = H: all one bound. Drawn in name
 * order, row-major.
 */
export function initLstmWeights(
  inputSize: number,
  hiddenSize: number,
  random: Random,
): LstmWeights {
  const bound = 1 / Math.sqrt(hiddenSize);
  const flat = new Float32Array(lstmWeightCount(inputSize, hiddenSize));
  random.fillUniform(flat, -bound, bound);
  return unpackLstmWeights(flat, inputSize, hiddenSize);
}

/** φ as one array, in `LSTM_WEIGHT_NAMES` order. */
export function packLstmWeights(weights: LstmWeights): Float32Array {
  const flat = new Float32Array(lstmWeightCount(weights.inputSize, weights.hiddenSize));
  let offset = 0;
  for (const name of LSTM_WEIGHT_NAMES) {
    flat.set(weights.values[name], offset);
    offset += weights.values[name].length;
  }
  return flat;
}

export function unpackLstmWeights(
  flat: Float32Array,
  inputSize: number,
  hiddenSize: number,
): LstmWeights {
  const expected = lstmWeightCount(inputSize, hiddenSize);
  if (flat.length !== expected) {
    throw new L2lError(
      L2lErrorCode.INVALID_WEIGHTS,
      `expected ${expected} LSTM weights for input ${inputSize}, hidden ${hiddenSize}: ` +
        `got ${flat.length}`,
    );
  }
  const shapes = lstmWeightShapes(inputSize, hiddenSize);
  const values = {} as Record<LstmWeightName, Float32Array>;
  let offset = 0;
  for (const name of LSTM_WEIGHT_NAMES) {
    const size = sizeOf(shapes[name]);
    values[name] = flat.slice(offset, offset + size);
    offset += size;
  }
  return { inputSize, hiddenSize, values };
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
