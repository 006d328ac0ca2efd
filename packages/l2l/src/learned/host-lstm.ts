/**
 * The coordinatewise LSTM optimizer computed in plain JS (float64 arithmetic), forward and
 * backward, for small problems. At ten coordinates a TF.js op costs far more to dispatch and
 * record on the tape than its arithmetic: one meta-training step of the quadratic is ~100 ops
 * and ~4 ms on wasm, against ~0.1 ms of loops here. Same equations as `cell.ts` and
 * `lstm-optimizer.ts` (PyTorch's LSTMCell, gates i, f, g, o):
 *   z = W_ih·x + b_ih + W_hh·h + b_hh;  c' = σ(z_f)⊙c + σ(z_i)⊙tanh(z_g);  h' = σ(z_o)⊙tanh(c')
 *   update = outMul · (output.weight·h'₂ + output.bias)
 * Rows are coordinates (N = P·n); every row runs the same weights with its own state.
 */
import { type LstmConfig, PREPROCESS_FACTOR, lstmInputSize } from './config.js';
import { LSTM_WEIGHT_NAMES, lstmWeightShapes } from './weights.js';

/**
 * One LSTM layer's weights in float64: wIh [4H, in] and wHh [4H, H] as PyTorch lays them out,
 * their transposes wIhT [in, 4H] and wHhT [H, 4H] for the backward products, b = b_ih + b_hh.
 */
interface HostLayer {
  readonly inputSize: number;
  readonly wIh: Float64Array;
  readonly wHh: Float64Array;
  readonly wIhT: Float64Array;
  readonly wHhT: Float64Array;
  readonly b: Float64Array;
}

export interface HostLstm {
  readonly hidden: number;
  readonly inputSize: number;
  readonly preprocess: boolean;
  readonly outMul: number;
  readonly layers: readonly [HostLayer, HostLayer];
  /** output.weight [H] and output.bias. */
  readonly outWeight: Float64Array;
  readonly outBias: number;
}

/**
 * Everything the backward pass of one step needs, per layer, rows × width row-major: the
 * layer's input and previous state, its gate activations (i, f, g, o) and tanh(c').
 */
export interface HostStepTape {
  readonly x: Float64Array;
  readonly hPrev: [Float64Array, Float64Array];
  readonly cPrev: [Float64Array, Float64Array];
  readonly acts: [Float64Array, Float64Array];
  readonly tanhC: [Float64Array, Float64Array];
  /** Each layer's new h: layer 2's input, and the output layer's. */
  readonly hNew: [Float64Array, Float64Array];
}

/** Per row, h and c of both layers, each rows × H. */
export interface HostLstmState {
  readonly h: [Float64Array, Float64Array];
  readonly c: [Float64Array, Float64Array];
}

/** phi in LSTM_WEIGHT_NAMES order → the weights by layer, in float64. */
export function hostLstm(phi: Float32Array, config: LstmConfig): HostLstm {
  const inputSize = lstmInputSize(config);
  const hidden = config.hiddenSize;
  const shapes = lstmWeightShapes(inputSize, hidden);
  const views: Record<string, Float32Array> = {};
  let offset = 0;
  for (const name of LSTM_WEIGHT_NAMES) {
    const size = shapes[name].reduce((a, b) => a * b, 1);
    views[name] = phi.subarray(offset, offset + size);
    offset += size;
  }
  const layer = (prefix: string, layerInput: number): HostLayer => {
    const bIh = views[`${prefix}.bias_ih`]!;
    const bHh = views[`${prefix}.bias_hh`]!;
    const wIh = Float64Array.from(views[`${prefix}.weight_ih`]!);
    const wHh = Float64Array.from(views[`${prefix}.weight_hh`]!);
    return {
      inputSize: layerInput,
      wIh,
      wHh,
      wIhT: transpose(wIh, 4 * hidden, layerInput),
      wHhT: transpose(wHh, 4 * hidden, hidden),
      b: Float64Array.from(bIh, (v, j) => v + bHh[j]!),
    };
  };
  return {
    hidden,
    inputSize,
    preprocess: config.preprocess,
    outMul: config.outMul,
    layers: [layer('recurs', inputSize), layer('recurs2', hidden)],
    outWeight: Float64Array.from(views['output.weight']!),
    outBias: views['output.bias']![0]!,
  };
}

/** a [rows, cols] row-major → aᵀ [cols, rows]. */
function transpose(a: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < rows; i += 1) {
    for (let j = 0; j < cols; j += 1) out[j * rows + i] = a[i * cols + j]!;
  }
  return out;
}

export function zeroHostState(rows: number, hidden: number): HostLstmState {
  const z = () => new Float64Array(rows * hidden);
  return { h: [z(), z()], c: [z(), z()] };
}

/** g [N] → the LSTM's inputs [N·in]: g itself, or the paper's preprocessing (preprocess.ts). */
export function hostInputs(lstm: HostLstm, g: ArrayLike<number>, out: Float64Array): void {
  const rows = g.length;
  if (!lstm.preprocess) {
    for (let r = 0; r < rows; r += 1) out[r] = g[r]!;
    return;
  }
  const p = PREPROCESS_FACTOR;
  const threshold = Math.exp(-p);
  const scale = Math.exp(p);
  for (let r = 0; r < rows; r += 1) {
    const v = g[r]!;
    const magnitude = Math.abs(v);
    const keep = magnitude >= threshold;
    out[2 * r] = keep ? Math.log(magnitude + 1e-8) / p : -1;
    out[2 * r + 1] = keep ? Math.sign(v) : scale * v;
  }
}

export function newStepTape(lstm: HostLstm, rows: number): HostStepTape {
  const H = lstm.hidden;
  const f = (width: number) => new Float64Array(rows * width);
  return {
    x: f(lstm.inputSize),
    hPrev: [f(H), f(H)],
    cPrev: [f(H), f(H)],
    acts: [f(4 * H), f(4 * H)],
    tanhC: [f(H), f(H)],
    hNew: [f(H), f(H)],
  };
}

/**
 * One step for every row: `tape.x` holds the inputs; `state` is advanced in place and its
 * old values kept in the tape; `update[r]` receives outMul · output.
 */
export function hostForward(
  lstm: HostLstm,
  state: HostLstmState,
  tape: HostStepTape,
  update: Float64Array,
): void {
  const H = lstm.hidden;
  const rows = update.length;
  for (let layer = 0; layer < 2; layer += 1) {
    tape.hPrev[layer]!.set(state.h[layer]!);
    tape.cPrev[layer]!.set(state.c[layer]!);
    const input = layer === 0 ? tape.x : state.h[0]!;
    layerForward(lstm.layers[layer]!, H, rows, input, tape, layer, state);
    tape.hNew[layer]!.set(state.h[layer]!);
  }
  const w = lstm.outWeight;
  const h = state.h[1]!;
  for (let r = 0; r < rows; r += 1) {
    let out = lstm.outBias;
    for (let k = 0; k < H; k += 1) out += w[k]! * h[r * H + k]!;
    update[r] = lstm.outMul * out;
  }
}

function layerForward(
  params: HostLayer,
  H: number,
  rows: number,
  input: Float64Array,
  tape: HostStepTape,
  layer: number,
  state: HostLstmState,
): void {
  const { wIh, wHh, b, inputSize: K } = params;
  const hPrev = tape.hPrev[layer]!;
  const cPrev = tape.cPrev[layer]!;
  const acts = tape.acts[layer]!;
  const tanhC = tape.tanhC[layer]!;
  const h = state.h[layer]!;
  const c = state.c[layer]!;
  const G = 4 * H;
  for (let r = 0; r < rows; r += 1) {
    const xRow = r * K;
    const hRow = r * H;
    const aRow = r * G;
    // Four gate rows at a time: independent sums, and each input loaded once for four.
    for (let j = 0; j < G; j += 4) {
      let z0 = b[j]!;
      let z1 = b[j + 1]!;
      let z2 = b[j + 2]!;
      let z3 = b[j + 3]!;
      for (let k = 0; k < K; k += 1) {
        const v = input[xRow + k]!;
        z0 += wIh[j * K + k]! * v;
        z1 += wIh[(j + 1) * K + k]! * v;
        z2 += wIh[(j + 2) * K + k]! * v;
        z3 += wIh[(j + 3) * K + k]! * v;
      }
      const o = j * H;
      for (let k = 0; k < H; k += 1) {
        const v = hPrev[hRow + k]!;
        z0 += wHh[o + k]! * v;
        z1 += wHh[o + H + k]! * v;
        z2 += wHh[o + 2 * H + k]! * v;
        z3 += wHh[o + 3 * H + k]! * v;
      }
      acts[aRow + j] = z0;
      acts[aRow + j + 1] = z1;
      acts[aRow + j + 2] = z2;
      acts[aRow + j + 3] = z3;
    }
    for (let j = 0; j < G; j += 1) {
      const z = acts[aRow + j]!;
      acts[aRow + j] = j >= 2 * H && j < 3 * H ? Math.tanh(z) : 1 / (1 + Math.exp(-z));
    }
    for (let k = 0; k < H; k += 1) {
      const i = acts[aRow + k]!;
      const f = acts[aRow + H + k]!;
      const g = acts[aRow + 2 * H + k]!;
      const o = acts[aRow + 3 * H + k]!;
      const cNew = f * cPrev[hRow + k]! + i * g;
      const t = Math.tanh(cNew);
      c[hRow + k] = cNew;
      tanhC[hRow + k] = t;
      h[hRow + k] = o * t;
    }
  }
}

/** ∂L/∂(state) flowing back into a step from the steps after it: rows × H per layer. */
export type HostStateGrad = HostLstmState;

/**
 * The backward pass of one step. `dUpdate[r]` = ∂L/∂update_r; `carry` holds ∂L/∂(h', c') from
 * the later steps and is replaced in place by ∂L/∂(h, c) of this step's inputs. Gradients of
 * φ are added into `gradPhi` (LSTM_WEIGHT_NAMES order, both biases alike).
 */
export function hostBackward(
  lstm: HostLstm,
  tape: HostStepTape,
  dUpdate: Float64Array,
  carry: HostStateGrad,
  gradPhi: Float64Array,
  scratch: HostScratch,
): void {
  const H = lstm.hidden;
  const rows = dUpdate.length;
  const offsets = scratch.offsets;
  const w = lstm.outWeight;
  const dh2 = carry.h[1]!;
  const hOut = tape.hNew[1];
  let dBias = 0;
  for (let r = 0; r < rows; r += 1) {
    const dOut = lstm.outMul * dUpdate[r]!;
    if (dOut === 0) continue;
    dBias += dOut;
    for (let k = 0; k < H; k += 1) {
      const at = offsets.outWeight + k;
      gradPhi[at] = gradPhi[at]! + dOut * hOut[r * H + k]!;
      dh2[r * H + k] = dh2[r * H + k]! + dOut * w[k]!;
    }
  }
  gradPhi[offsets.outBias] = gradPhi[offsets.outBias]! + dBias;

  // Layer 2's input gradient is layer 1's output gradient; layer 1's input is data.
  layerBackward(
    lstm,
    1,
    tape,
    carry,
    gradPhi,
    offsets.layers[1]!,
    tape.hNew[0],
    scratch,
    carry.h[0],
  );
  layerBackward(lstm, 0, tape, carry, gradPhi, offsets.layers[0]!, tape.x, scratch, null);
}

export interface LayerOffsets {
  readonly wIh: number;
  readonly wHh: number;
  readonly bIh: number;
  readonly bHh: number;
}

export interface HostScratch {
  readonly dz: Float64Array;
  readonly offsets: {
    readonly layers: readonly LayerOffsets[];
    readonly outWeight: number;
    readonly outBias: number;
  };
}

export function newHostScratch(lstm: HostLstm): HostScratch {
  const shapes = lstmWeightShapes(lstm.inputSize, lstm.hidden);
  const at: Record<string, number> = {};
  let offset = 0;
  for (const name of LSTM_WEIGHT_NAMES) {
    at[name] = offset;
    offset += shapes[name].reduce((a, b) => a * b, 1);
  }
  const layer = (prefix: string): LayerOffsets => ({
    wIh: at[`${prefix}.weight_ih`]!,
    wHh: at[`${prefix}.weight_hh`]!,
    bIh: at[`${prefix}.bias_ih`]!,
    bHh: at[`${prefix}.bias_hh`]!,
  });
  return {
    dz: new Float64Array(4 * lstm.hidden),
    offsets: {
      layers: [layer('recurs'), layer('recurs2')],
      outWeight: at['output.weight']!,
      outBias: at['output.bias']!,
    },
  };
}

/**
 * One layer backward, all rows. On entry carry.h/c[layer] hold ∂L/∂h', ∂L/∂c'; on exit
 * ∂L/∂h, ∂L/∂c of the previous state. ∂L/∂input is added into `dInput` when given.
 */
function layerBackward(
  lstm: HostLstm,
  layer: number,
  tape: HostStepTape,
  carry: HostStateGrad,
  gradPhi: Float64Array,
  at: LayerOffsets,
  input: Float64Array,
  scratch: HostScratch,
  dInput: Float64Array | null | undefined,
): void {
  const H = lstm.hidden;
  const G = 4 * H;
  const { wIhT, wHhT, inputSize: K } = lstm.layers[layer]!;
  const acts = tape.acts[layer]!;
  const tanhC = tape.tanhC[layer]!;
  const cPrev = tape.cPrev[layer]!;
  const hPrev = tape.hPrev[layer]!;
  const dh = carry.h[layer]!;
  const dc = carry.c[layer]!;
  const dz = scratch.dz;
  const rows = dh.length / H;
  for (let r = 0; r < rows; r += 1) {
    const hRow = r * H;
    const aRow = r * G;
    let any = false;
    for (let k = 0; k < H; k += 1) {
      const i = acts[aRow + k]!;
      const f = acts[aRow + H + k]!;
      const g = acts[aRow + 2 * H + k]!;
      const o = acts[aRow + 3 * H + k]!;
      const t = tanhC[hRow + k]!;
      const dhk = dh[hRow + k]!;
      const dC = dc[hRow + k]! + dhk * o * (1 - t * t);
      dz[k] = dC * g * i * (1 - i);
      dz[H + k] = dC * cPrev[hRow + k]! * f * (1 - f);
      dz[2 * H + k] = dC * i * (1 - g * g);
      dz[3 * H + k] = dhk * t * o * (1 - o);
      dc[hRow + k] = dC * f;
      any ||= dC !== 0 || dhk !== 0;
    }
    // Nothing flows back through this row (e.g. the last step of a truncation): ∂L/∂h = 0.
    if (!any) continue;

    const xRow = r * K;
    for (let j = 0; j < G; j += 1) {
      gradPhi[at.bIh + j] = gradPhi[at.bIh + j]! + dz[j]!;
      gradPhi[at.bHh + j] = gradPhi[at.bHh + j]! + dz[j]!;
    }
    accumulateOuter(gradPhi, at.wIh, dz, G, input, xRow, K);
    accumulateOuter(gradPhi, at.wHh, dz, G, hPrev, hRow, H);
    if (dInput) accumulateProduct(dInput, xRow, wIhT, dz, G, K, false);
    accumulateProduct(dh, hRow, wHhT, dz, G, H, true);
  }
}

/** out[at + j·K + k] += dz[j] · v[from + k] for j < G, k < K: four rows of out at a time. */
function accumulateOuter(
  out: Float64Array,
  at: number,
  dz: Float64Array,
  G: number,
  v: Float64Array,
  from: number,
  K: number,
): void {
  for (let j = 0; j < G; j += 4) {
    const d0 = dz[j]!;
    const d1 = dz[j + 1]!;
    const d2 = dz[j + 2]!;
    const d3 = dz[j + 3]!;
    const o = at + j * K;
    for (let k = 0; k < K; k += 1) {
      const x = v[from + k]!;
      out[o + k] = out[o + k]! + d0 * x;
      out[o + K + k] = out[o + K + k]! + d1 * x;
      out[o + 2 * K + k] = out[o + 2 * K + k]! + d2 * x;
      out[o + 3 * K + k] = out[o + 3 * K + k]! + d3 * x;
    }
  }
}

/**
 * out[row + k] (+)= Σ_j wT[k·G + j] · dz[j] for k < K, i.e. Wᵀ·dz with W [G, K]; replaces
 * out's values when `replace`, adds to them otherwise.
 */
function accumulateProduct(
  out: Float64Array,
  row: number,
  wT: Float64Array,
  dz: Float64Array,
  G: number,
  K: number,
  replace: boolean,
): void {
  for (let k = 0; k < K; k += 1) {
    const o = k * G;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let j = 0; j < G; j += 4) {
      s0 += wT[o + j]! * dz[j]!;
      s1 += wT[o + j + 1]! * dz[j + 1]!;
      s2 += wT[o + j + 2]! * dz[j + 2]!;
      s3 += wT[o + j + 3]! * dz[j + 3]!;
    }
    const sum = s0 + s1 + s2 + s3;
    out[row + k] = replace ? sum : out[row + k]! + sum;
  }
}
