/**
 * A compact binary form of `MetaTrainState`, for checkpoints:
 *
 *   bytes 0–3    ASCII "L2LS"
 *   bytes 4–7    format version, uint32 little-endian (1)
 *   bytes 8–11   header length H in bytes, uint32 little-endian
 *   bytes 12…    header: UTF-8 JSON of every field except the arrays, plus the LSTM's
 *                inputSize and hiddenSize and the arrays' lengths; non-finite numbers are
 *                written as the strings "NaN", "Infinity", "-Infinity" (JSON has none)
 *   then         zero padding to a multiple of 4
 *   then         float32 little-endian arrays back to back: weights (flat, LSTM_WEIGHT_NAMES
 *                order), metaAdam.m, metaAdam.v, best (absent when null)
 *
 * Float32 values and JSON doubles round-trip exactly, so a decoded state resumes bit-identically.
 */
import { L2lError, L2lErrorCode } from '../errors.js';
import { type LstmWeights, packLstmWeights, unpackLstmWeights } from '../learned/weights.js';
import type { MetaTrainState } from './state.js';

const MAGIC = [0x4c, 0x32, 0x4c, 0x53]; // "L2LS"
const FORMAT_VERSION = 1;
const PREFIX_BYTES = 12;
const NON_FINITE = new Set(['NaN', 'Infinity', '-Infinity']);

type Header = Omit<MetaTrainState, 'weights' | 'metaAdam' | 'best'> & {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly metaAdamT: number;
  readonly lengths: { weights: number; m: number; v: number; best: number | null };
};

export function encodeMetaTrainState(state: MetaTrainState): Uint8Array {
  const { weights, metaAdam, best, ...rest } = state;
  const flatWeights = packLstmWeights(weights);
  const flatBest = best ? packLstmWeights(best) : null;
  const header: Header = {
    ...rest,
    inputSize: weights.inputSize,
    hiddenSize: weights.hiddenSize,
    metaAdamT: metaAdam.t,
    lengths: {
      weights: flatWeights.length,
      m: metaAdam.m.length,
      v: metaAdam.v.length,
      best: flatBest ? flatBest.length : null,
    },
  };
  const json = new TextEncoder().encode(
    JSON.stringify(header, (_, value: unknown) =>
      typeof value === 'number' && !Number.isFinite(value) ? String(value) : value,
    ),
  );
  const arrays = [flatWeights, metaAdam.m, metaAdam.v, ...(flatBest ? [flatBest] : [])];
  const arraysStart = align4(PREFIX_BYTES + json.length);
  const floats = arrays.reduce((n, a) => n + a.length, 0);
  const bytes = new Uint8Array(arraysStart + 4 * floats);
  const view = new DataView(bytes.buffer);
  bytes.set(MAGIC, 0);
  view.setUint32(4, FORMAT_VERSION, true);
  view.setUint32(8, json.length, true);
  bytes.set(json, PREFIX_BYTES);
  let offset = arraysStart;
  for (const array of arrays) {
    for (const value of array) {
      view.setFloat32(offset, value, true);
      offset += 4;
    }
  }
  return bytes;
}

export function decodeMetaTrainState(bytes: Uint8Array): MetaTrainState {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < PREFIX_BYTES || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw invalid('not a meta-training state (bad magic)');
  }
  if (view.getUint32(4, true) !== FORMAT_VERSION) throw invalid('unknown format version');
  const headerBytes = view.getUint32(8, true);
  if (PREFIX_BYTES + headerBytes > bytes.length) throw invalid('truncated header');
  const header = parseHeader(bytes.subarray(PREFIX_BYTES, PREFIX_BYTES + headerBytes));
  const { lengths, metaAdamT, inputSize, hiddenSize, ...rest } = header;
  let offset = align4(PREFIX_BYTES + headerBytes);
  const read = (length: number): Float32Array => {
    if (!Number.isInteger(length) || offset + 4 * length > bytes.length) {
      throw invalid('truncated arrays');
    }
    const out = new Float32Array(length);
    for (let i = 0; i < length; i += 1) out[i] = view.getFloat32(offset + 4 * i, true);
    offset += 4 * length;
    return out;
  };
  const unpack = (flat: Float32Array): LstmWeights => {
    try {
      return unpackLstmWeights(flat, inputSize, hiddenSize);
    } catch (err) {
      throw new L2lError(L2lErrorCode.INVALID_STATE, 'weights do not fit the LSTM shape', {
        cause: err,
      });
    }
  };
  const weights = unpack(read(lengths.weights));
  const metaAdam = { t: metaAdamT, m: read(lengths.m), v: read(lengths.v) };
  const best = lengths.best === null ? null : unpack(read(lengths.best));
  if (offset !== bytes.length) throw invalid('trailing bytes');
  return { ...rest, weights, metaAdam, best };
}

function parseHeader(json: Uint8Array): Header {
  try {
    return JSON.parse(new TextDecoder().decode(json), (_, value: unknown) =>
      typeof value === 'string' && NON_FINITE.has(value) ? Number(value) : value,
    ) as Header;
  } catch (err) {
    throw new L2lError(L2lErrorCode.INVALID_STATE, 'damaged state header', { cause: err });
  }
}

function align4(n: number): number {
  return Math.ceil(n / 4) * 4;
}

function invalid(message: string): L2lError {
  return new L2lError(L2lErrorCode.INVALID_STATE, `invalid meta-training state: ${message}`);
}
