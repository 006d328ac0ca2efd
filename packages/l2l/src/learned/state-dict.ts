/**
 * PyTorch state_dict JSON for the LSTM optimizer, both ways: `{ "recurs.weight_ih":
 * { "shape": [80, 1], "value": [[…], …] }, … }`, values nested by shape as `tensor.tolist()`
 * writes them. Values pass through float32: importing float64 weights rounds them.
 */
import { L2lError, L2lErrorCode } from '../errors.js';
import {
  LSTM_WEIGHT_NAMES,
  type LstmWeightName,
  type LstmWeights,
  lstmWeightShapes,
} from './weights.js';

type Nested = number | Nested[];

export interface StateDictEntry {
  readonly shape: readonly number[];
  readonly value: Nested;
}

export type LstmStateDict = Readonly<Record<LstmWeightName, StateDictEntry>>;

export function toTorchStateDict(weights: LstmWeights): LstmStateDict {
  const shapes = lstmWeightShapes(weights.inputSize, weights.hiddenSize);
  const dict = {} as Record<LstmWeightName, StateDictEntry>;
  for (const name of LSTM_WEIGHT_NAMES) {
    const shape = shapes[name];
    dict[name] = { shape, value: nest(Array.from(weights.values[name]), shape) };
  }
  return dict;
}

/** Validates names, shapes and numbers; sizes are read from `recurs.weight_ih` [4H, in]. */
export function fromTorchStateDict(dict: unknown): LstmWeights {
  const entries = dict as Partial<Record<string, Partial<StateDictEntry>>> | null;
  const first = entries?.['recurs.weight_ih']?.shape;
  if (!Array.isArray(first) || first.length !== 2 || first[0]! % 4 !== 0) {
    throw invalid('recurs.weight_ih must have shape [4·hidden, input]');
  }
  const [gates, inputSize] = first as [number, number];
  const hiddenSize = gates / 4;
  const shapes = lstmWeightShapes(inputSize, hiddenSize);
  const values = {} as Record<LstmWeightName, Float32Array>;
  for (const name of LSTM_WEIGHT_NAMES) {
    const entry = entries?.[name];
    if (!entry || !sameShape(entry.shape, shapes[name])) {
      throw invalid(`${name} must have shape [${shapes[name].join(', ')}]`);
    }
    values[name] = Float32Array.from(flatten(entry.value, shapes[name], name));
  }
  return { inputSize, hiddenSize, values };
}

function nest(flat: number[], shape: readonly number[]): Nested {
  if (shape.length <= 1) return flat;
  const inner = shape.slice(1).reduce((a, b) => a * b, 1);
  return Array.from({ length: shape[0]! }, (_, i) =>
    nest(flat.slice(i * inner, (i + 1) * inner), shape.slice(1)),
  );
}

function flatten(value: unknown, shape: readonly number[], name: string): number[] {
  if (shape.length === 0) {
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw invalid(`${name}: not a number`);
    return [value];
  }
  if (!Array.isArray(value) || value.length !== shape[0]) {
    throw invalid(`${name}: value does not match shape [${shape.join(', ')}]`);
  }
  return value.flatMap((item) => flatten(item, shape.slice(1), name));
}

function sameShape(a: unknown, b: readonly number[]): boolean {
  return Array.isArray(a) && a.length === b.length && a.every((d, i) => d === b[i]);
}

function invalid(message: string): L2lError {
  return new L2lError(L2lErrorCode.INVALID_WEIGHTS, `invalid LSTM state_dict: ${message}`);
}
