/**
 * Sizes a single submission may ask for. Operators raise or lower them through the API's
 * configuration; the defaults keep one request from occupying the workers for days.
 */
export interface SpecLimits {
  readonly maxGridCells: number;
  readonly maxSteps: number;
  readonly maxTests: number;
  readonly maxEpochs: number;
  readonly maxQuadraticDim: number;
  readonly maxHiddenUnits: number;
}

export const DEFAULT_LIMITS: SpecLimits = Object.freeze({
  maxGridCells: 1000,
  maxSteps: 10_000,
  maxTests: 1000,
  maxEpochs: 1000,
  maxQuadraticDim: 1000,
  maxHiddenUnits: 4096,
});
