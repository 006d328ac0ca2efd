import { StoreError } from './errors.js';

/**
 * Which of `steps` points to return so that there are at most `maxPoints`: evenly spaced
 * step indices, always the first and the last. Points are picked, not averaged, so each one
 * is a value the run really had at that step; a spike between picks is not shown.
 */
export function sampleSteps(steps: number, maxPoints?: number): number[] {
  if (maxPoints !== undefined && !(Number.isInteger(maxPoints) && maxPoints >= 2)) {
    throw new StoreError(
      'STORE_INVALID_INPUT',
      `maxPoints must be an integer ≥ 2; got ${maxPoints}`,
    );
  }
  const count = maxPoints === undefined ? steps : Math.min(steps, maxPoints);
  if (count === steps) return Array.from({ length: steps }, (_, i) => i);

  // The spacing exceeds 1 here, so rounding never picks the same index twice.
  const spacing = (steps - 1) / (count - 1);
  return Array.from({ length: count }, (_, k) => Math.round(k * spacing));
}
