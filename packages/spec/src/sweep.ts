/**
 * Sweeps: a base run, optional blocks merged over it, and grids (dotted path → values)
 * expanded as a Cartesian product. The paper's comparison is one sweep with a block per
 * baseline optimizer (each with its learning-rate grid) and one for the learned optimizer.
 */
import { SpecError } from './errors.js';
import { canonicalJson, runIdOf, sha256Hex } from './hash.js';
import { DEFAULT_LIMITS, type SpecLimits } from './limits.js';
import { normalizeRun } from './normalize.js';
import { SweepSpecSchema, type SweepSpecInput } from './schemas.js';
import type { MetaTrainRun, RunSpec } from './types.js';
import { assertMatches } from './validate.js';

export interface PlannedRun {
  readonly id: string;
  readonly spec: RunSpec;
  /** `cell`: a grid cell the user asked for; `dependency`: needed by a cell (meta-training). */
  readonly role: 'cell' | 'dependency';
  /** Ids of runs that must finish before this one can start. */
  readonly dependsOn: readonly string[];
}

export interface SweepPlan {
  readonly id: string;
  readonly name: string | null;
  readonly runs: readonly PlannedRun[];
}

type Json = Record<string, unknown>;

export function planSweep(
  input: unknown,
  numericsVersion: string,
  limits: SpecLimits = DEFAULT_LIMITS,
): SweepPlan {
  assertMatches(SweepSpecSchema, input);
  const sweep = input as SweepSpecInput;

  const rawRuns = expandCells(sweep, limits);
  const cells = rawRuns.map((raw, index) => normalizeCell(raw, index, limits));
  const runs = withDependencies(cells, numericsVersion);

  const name = sweep.name ?? null;
  const id = sha256Hex(canonicalJson({ name, runs: runs.map((run) => run.id) }));
  return { id, name, runs };
}

/** A single run submitted alone: itself plus what it depends on, in start order. */
export function planRun(
  input: unknown,
  numericsVersion: string,
  limits: SpecLimits = DEFAULT_LIMITS,
): readonly PlannedRun[] {
  return withDependencies([normalizeRun(input, limits)], numericsVersion);
}

function expandCells(sweep: SweepSpecInput, limits: SpecLimits): Json[] {
  const base = sweep.base ?? {};
  const blocks = sweep.blocks ?? [{}];
  const grids = blocks.map((block) => ({ ...sweep.grid, ...block.grid }));

  const total = grids.reduce((sum, grid) => sum + gridSize(grid), 0);
  if (total > limits.maxGridCells) {
    throw new SpecError(
      'SPEC_LIMIT_EXCEEDED',
      `The sweep expands into ${total} runs, over the limit maxGridCells = ${limits.maxGridCells}.`,
      [{ path: '/grid', message: `must expand into at most ${limits.maxGridCells} runs` }],
      { name: 'maxGridCells', max: limits.maxGridCells },
    );
  }

  return blocks.flatMap((block, b) =>
    gridPoints(grids[b] ?? {}).map((point) => {
      let run = deepMerge(base, block.with ?? {});
      for (const [path, value] of point) run = setPath(run, path, value);
      return run;
    }),
  );
}

function gridSize(grid: Record<string, unknown[]>): number {
  return Object.values(grid).reduce((product, values) => product * values.length, 1);
}

function gridPoints(grid: Record<string, unknown[]>): [string, unknown][][] {
  let points: [string, unknown][][] = [[]];
  for (const [path, values] of Object.entries(grid)) {
    if (!/^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$/.test(path)) {
      throw new SpecError('SPEC_INVALID_GRID', `Grid key ${JSON.stringify(path)} is not a path.`, [
        { path: '/grid', message: 'keys are dotted field names such as optimizer.lr' },
      ]);
    }
    points = points.flatMap((point) =>
      values.map((value) => [...point, [path, value]] as [string, unknown][]),
    );
  }
  return points;
}

function normalizeCell(raw: Json, index: number, limits: SpecLimits): RunSpec {
  try {
    return normalizeRun(raw, limits);
  } catch (error) {
    if (!(error instanceof SpecError)) throw error;
    const issues = error.issues.map((issue) => ({ ...issue, path: `/runs/${index}${issue.path}` }));
    throw new SpecError(error.code, `Sweep run ${index}: ${error.message}`, issues, error.limit);
  }
}

function withDependencies(cells: RunSpec[], numericsVersion: string): PlannedRun[] {
  const planned = new Map<string, PlannedRun>();
  const add = (spec: RunSpec, role: PlannedRun['role'], dependsOn: string[]): string => {
    const id = runIdOf(spec, numericsVersion);
    const existing = planned.get(id);
    // A run asked for as a cell and needed as a dependency is reported as a cell.
    if (!existing || (existing.role === 'dependency' && role === 'cell')) {
      planned.set(id, { id, spec, role, dependsOn });
    }
    return id;
  };

  for (const spec of cells) {
    const trainer = trainerOf(spec);
    const dependsOn = trainer ? [add(trainer, 'dependency', [])] : [];
    add(spec, 'cell', dependsOn);
  }
  return [...planned.values()];
}

function trainerOf(spec: RunSpec): MetaTrainRun | null {
  if (spec.kind !== 'evaluate' || !('metaTrain' in spec.trained)) return null;
  return spec.trained.metaTrain;
}

function isPlainObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepMerge(base: Json, over: Json): Json {
  const merged: Json = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = merged[key];
    merged[key] =
      isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return merged;
}

function setPath(target: Json, path: string, value: unknown): Json {
  const [head, ...rest] = path.split('.') as [string, ...string[]];
  if (rest.length === 0) return { ...target, [head]: value };
  const child = isPlainObject(target[head]) ? (target[head] as Json) : {};
  return { ...target, [head]: setPath(child, rest.join('.'), value) };
}
