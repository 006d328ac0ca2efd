/** Losses of P problems over T steps, as one flat matrix. */
export interface LossMatrix {
  readonly problems: number;
  readonly steps: number;
  /** Row-major [problem][step]: f(θ_t) before the update of step t. */
  readonly losses: Float32Array;
  /**
   * The first step at which some problem's loss was NaN or infinite, else null. Steps after
   * every problem has diverged are not computed and hold NaN.
   */
  readonly divergedAtStep: number | null;
}
