import type { RunSpec } from './types.js';

/**
 * The name a run competes under in a comparison: a baseline by its optimizer, an evaluated
 * learned optimizer as `lstm`. Meta-training runs produce optimizers; they do not compete.
 */
export function contenderOf(spec: RunSpec): string | null {
  switch (spec.kind) {
    case 'baseline':
      return spec.optimizer.name;
    case 'evaluate':
      return 'lstm';
    case 'meta-train':
      return null;
  }
}

export interface ScoredRun<T> {
  readonly spec: RunSpec;
  /** Mean over test problems of the sum of losses; NaN, ∞ or null if it diverged. */
  readonly meanSumLoss: number | null | undefined;
  readonly item: T;
}

/**
 * The best run of each contender, by mean sum of losses over the test problems, as the
 * paper scores a learning rate. A diverged run scores as the worst: it stays in the table
 * but wins only when nothing else finished.
 */
export function bestByContender<T>(runs: Iterable<ScoredRun<T>>): Map<string, ScoredRun<T>> {
  const best = new Map<string, { run: ScoredRun<T>; score: number }>();
  for (const run of runs) {
    const contender = contenderOf(run.spec);
    if (!contender) continue;
    const score = Number.isFinite(run.meanSumLoss) ? Number(run.meanSumLoss) : Infinity;
    const current = best.get(contender);
    if (!current || score < current.score) best.set(contender, { run, score });
  }
  return new Map([...best].map(([contender, { run }]) => [contender, run]));
}
