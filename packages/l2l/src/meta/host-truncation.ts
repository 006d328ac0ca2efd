/**
 * One truncation's meta-loss and its gradient on the host (plain JS), for small problems;
 * the same L as truncation.ts:
 *   g_t = ∇f(θ_t) (an input);  u_t, s_{t+1} = LSTM(g_t, s_t; φ);  θ_{t+1} = θ_t + u_t
 *   L(φ) = (1/P) Σ_p Σ_{t<U} f_p(θ_t)
 * Because g_t carries no gradient, u_t does not depend on θ_t: ∂θ_{t+1}/∂θ_t = I.
 * Hence ∂L/∂θ_t = g_t/P + ∂L/∂θ_{t+1} with ∂L/∂θ_U = 0, i.e. ∂L/∂u_t = (1/P) Σ_{s>t} g_s:
 * the gradients already computed for the forward pass are all the optimizee contributes, and
 * the backward pass runs through the LSTM alone (host-lstm.ts).
 */
import {
  type HostLstmState,
  type HostStepTape,
  hostBackward,
  hostForward,
  hostInputs,
  hostLstm,
  newHostScratch,
  newStepTape,
  zeroHostState,
} from '../learned/host-lstm.js';
import type { LstmConfig } from '../learned/config.js';
import type { HostProblems } from '../tasks/types.js';

/** Where a truncation starts; advanced in place to where it ends. */
export interface HostCarry {
  /** θ [P·n], float32 as the tensors hold it, so that overflow shows as it would there. */
  readonly theta: Float32Array;
  readonly state: HostLstmState;
}

export interface HostTruncation {
  readonly metaLoss: number;
  /** ∂L/∂φ [nφ], LSTM_WEIGHT_NAMES order. */
  readonly grad: Float64Array;
  /** f_p(θ_t), [U, P] row-major. */
  readonly losses: Float64Array;
}

export function initialHostCarry(problems: HostProblems, rows: number, hidden: number): HostCarry {
  return { theta: problems.initialTheta(), state: zeroHostState(rows, hidden) };
}

/**
 * phi [nφ] in LSTM_WEIGHT_NAMES order; P problems of n coordinates; U steps. `carry` is
 * advanced to θ_U and s_U.
 */
export function hostTruncation(
  phi: Float32Array,
  config: LstmConfig,
  problems: HostProblems,
  shape: { readonly problems: number; readonly nCoords: number },
  carry: HostCarry,
  unroll: number,
): HostTruncation {
  const lstm = hostLstm(phi, config);
  const P = shape.problems;
  const rows = P * shape.nCoords;
  const losses = new Float64Array(unroll * P);
  const grads: Float64Array[] = [];
  const tapes: HostStepTape[] = [];
  const update = new Float64Array(rows);
  const stepLosses = new Float64Array(P);

  for (let t = 0; t < unroll; t += 1) {
    const g = new Float64Array(rows);
    problems.lossAndGrad(carry.theta, stepLosses, g);
    losses.set(stepLosses, t * P);
    const tape = newStepTape(lstm, rows);
    hostInputs(lstm, g, tape.x);
    hostForward(lstm, carry.state, tape, update);
    for (let r = 0; r < rows; r += 1) carry.theta[r] = carry.theta[r]! + update[r]!;
    grads.push(g);
    tapes.push(tape);
  }

  let metaLoss = 0;
  for (const loss of losses) metaLoss += loss;
  metaLoss /= P;

  const grad = new Float64Array(phi.length);
  const scratch = newHostScratch(lstm);
  const stateGrad = zeroHostState(rows, lstm.hidden);
  // suffix[r] = (1/P) Σ_{s>t} g_s[r] = ∂L/∂u_t[r], built from the last step backwards.
  const suffix = new Float64Array(rows);
  for (let t = unroll - 1; t >= 0; t -= 1) {
    // u_{U−1} only moves θ_U, which L does not see: the last step contributes nothing.
    if (t < unroll - 1) hostBackward(lstm, tapes[t]!, suffix, stateGrad, grad, scratch);
    const g = grads[t]!;
    for (let r = 0; r < rows; r += 1) suffix[r] = suffix[r]! + g[r]! / P;
  }
  return { metaLoss, grad, losses };
}
