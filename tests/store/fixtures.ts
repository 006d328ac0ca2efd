/** What the store tests share: a store on this run's database, and fresh runs to put in it. */
import { randomBytes } from 'node:crypto';
import { normalizeRun, sha256Hex, type RunSpec } from '@metaopt/spec';
import { createStore, type NewRun, type Store } from '@metaopt/store';
import { inject } from 'vitest';

export function openStore(): Store {
  return createStore({ databaseUrl: inject('databaseUrl') });
}

/** A random content id: tests share one database, so nothing may collide across files. */
export function newId(): string {
  return sha256Hex(randomBytes(32));
}

export function newRun(overrides: Partial<NewRun> = {}): NewRun {
  const spec: RunSpec = normalizeRun({
    kind: 'baseline',
    task: { kind: 'quadratic' },
    optimizer: { name: 'adam', lr: 0.1 },
    steps: 20,
    nTests: 4,
  });
  return { id: newId(), kind: spec.kind, taskKind: spec.task.kind, spec, ...overrides };
}

/** A curve of `steps` steps whose statistics are simple functions of the step. */
export function lossCurve(steps: number, series = 'loss') {
  const at = (f: (i: number) => number) => Array.from({ length: steps }, (_, i) => f(i));
  return {
    series,
    steps,
    problems: 4,
    mean: at((i) => 1 / (i + 1)),
    std: at((i) => i / 10),
    p10: at((i) => -i),
    median: at((i) => i * 0.5),
    p90: at((i) => i),
    min: at((i) => -2 * i),
    max: at((i) => 2 * i),
  };
}
