/**
 * A comparison: the paper's figure and table as one request. For each panel (a task to
 * evaluate on; by default the training task alone), every classic optimizer over a grid of
 * learning rates, and the LSTM optimizer meta-trained on the comparison's task (once per
 * meta-learning rate, when a grid of them is given) or loaded from a checkpoint, all on the
 * same test problems. A panel on another task than the training one is the paper's
 * generalization experiment.
 *
 * A comparison plans into ordinary runs, exactly as the equivalent sweep would, plus its
 * layout: which run is which cell of which panel, for the report that ends it.
 */
import { Type, type Static } from '@sinclair/typebox';

import { SpecError } from './errors.js';
import { canonicalJson, runIdOf, sha256Hex } from './hash.js';
import { DEFAULT_LIMITS, type SpecLimits } from './limits.js';
import { normalizeRun } from './normalize.js';
import { ClassicOptimizerSchema, LearnedOptimizerSchema, TaskSchema } from './schemas.js';
import { planSweep, type PlannedRun } from './sweep.js';
import type { ClassicOptimizerName, RunSpec, Task } from './types.js';
import { assertMatches } from './validate.js';

/** The paper's learning-rate grid for every classic optimizer. */
export const PAPER_LR_GRID: readonly number[] = [
  1, 0.3, 0.1, 0.03, 0.01, 0.003, 0.001, 3e-4, 1e-4, 3e-5, 1e-5,
];
export const CLASSIC_OPTIMIZERS: readonly ClassicOptimizerName[] = [
  'adam',
  'rmsprop',
  'sgd',
  'nag',
];

const Count = Type.Integer({ minimum: 1 });
const Seed = Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 });
const PositiveNumber = Type.Number({ exclusiveMinimum: 0 });

const BaselineEntrySchema = Type.Union([
  Type.Union(CLASSIC_OPTIMIZERS.map((name) => Type.Literal(name))),
  Type.Omit(ClassicOptimizerSchema, ['lr']),
]);

const MetaTrainFieldsSchema = Type.Object(
  {
    learned: Type.Optional(LearnedOptimizerSchema),
    metaLr: Type.Optional(PositiveNumber),
    epochs: Type.Optional(Count),
    rolloutsPerEpoch: Type.Optional(Count),
    steps: Type.Optional(Count),
    unroll: Type.Optional(Count),
    nTests: Type.Optional(Count),
    metaBatch: Type.Optional(Count),
    validation: Type.Optional(Type.Union([Type.Literal('fresh'), Type.Literal('fixed')])),
    seed: Type.Optional(Seed),
  },
  { additionalProperties: false },
);

export const ComparisonSpecSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 200 })),
    /** The task the LSTM optimizer is meta-trained on, and the default panel. */
    task: TaskSchema,
    steps: Type.Optional(Count),
    nTests: Type.Optional(Count),
    seed: Type.Optional(Seed),
    baselines: Type.Optional(
      Type.Object(
        {
          optimizers: Type.Optional(Type.Array(BaselineEntrySchema, { minItems: 1, maxItems: 8 })),
          lrs: Type.Optional(Type.Array(PositiveNumber, { minItems: 1, maxItems: 50 })),
        },
        { additionalProperties: false },
      ),
    ),
    /** The LSTM optimizer; left out, the comparison is of the tuned baselines alone. */
    learned: Type.Optional(
      Type.Union([
        Type.Object(
          {
            metaTrain: MetaTrainFieldsSchema,
            metaLrs: Type.Optional(Type.Array(PositiveNumber, { minItems: 1, maxItems: 10 })),
          },
          { additionalProperties: false },
        ),
        Type.Object(
          {
            checkpoint: Type.String({ pattern: '^[0-9a-f]{64}$' }),
            learned: Type.Optional(LearnedOptimizerSchema),
          },
          { additionalProperties: false },
        ),
      ]),
    ),
    panels: Type.Optional(
      Type.Array(
        Type.Object(
          {
            title: Type.Optional(Type.String({ maxLength: 200 })),
            task: Type.Optional(TaskSchema),
            steps: Type.Optional(Count),
            nTests: Type.Optional(Count),
            seed: Type.Optional(Seed),
          },
          { additionalProperties: false },
        ),
        { minItems: 1, maxItems: 10 },
      ),
    ),
  },
  {
    additionalProperties: false,
    description:
      'Baselines over a learning-rate grid and the LSTM optimizer, evaluated on the same ' +
      'problems of each panel; a panel on another task is a generalization experiment.',
  },
);

export type ComparisonSpecInput = Static<typeof ComparisonSpecSchema>;

/** One cell of a panel: a contender at one learning rate (or meta-learning rate). */
export interface ComparisonCell {
  readonly runId: string;
  /** `adam`, `rmsprop`, `sgd`, `nag`, or `lstm`. */
  readonly contender: string;
  /** The baseline's learning rate. */
  readonly lr?: number;
  /** The learned optimizer's meta-learning rate, when the comparison sweeps it. */
  readonly metaLr?: number;
}

export interface ComparisonPanel {
  readonly title: string;
  readonly task: Task;
  readonly steps: number;
  readonly nTests: number;
  readonly seed: number;
  readonly cells: readonly ComparisonCell[];
}

/** Which run is which cell: everything the report needs besides the runs' own records. */
export interface ComparisonLayout {
  readonly panels: readonly ComparisonPanel[];
  /** The meta-trainings by meta-learning rate; the best by its own validation score wins. */
  readonly trainers: readonly { readonly runId: string; readonly metaLr: number }[];
}

export interface ComparisonPlan {
  readonly id: string;
  readonly name: string | null;
  readonly runs: readonly PlannedRun[];
  readonly layout: ComparisonLayout;
}

type Json = Record<string, unknown>;

export function planComparison(
  input: unknown,
  numericsVersion: string,
  limits: SpecLimits = DEFAULT_LIMITS,
): ComparisonPlan {
  assertMatches(ComparisonSpecSchema, input);
  const spec = input as ComparisonSpecInput;
  const name = spec.name ?? null;

  const optimizers = (spec.baselines?.optimizers ?? CLASSIC_OPTIMIZERS).map((entry) =>
    typeof entry === 'string' ? { name: entry } : entry,
  );
  const lrs = spec.baselines?.lrs ?? PAPER_LR_GRID;
  const rollouts = (panel: Json): Json => ({
    task: panel.task ?? spec.task,
    steps: panel.steps ?? spec.steps,
    nTests: panel.nTests ?? spec.nTests,
    seed: panel.seed ?? spec.seed,
  });
  const panelInputs: Json[] = spec.panels ?? [{}];

  const trained = trainedSources(spec);
  const blocks = panelInputs.flatMap((panel) => [
    ...optimizers.map((optimizer) => ({
      with: { kind: 'baseline', ...rollouts(panel), optimizer: { ...optimizer, lr: lrs[0] } },
      grid: { 'optimizer.lr': lrs },
    })),
    ...trained.map((source) => ({ with: { kind: 'evaluate', ...rollouts(panel), ...source } })),
  ]);
  const sweep = planSweep({ ...(name === null ? {} : { name }), blocks }, numericsVersion, limits);

  const layout = layoutOf(spec, panelInputs, optimizers, lrs, trained, rollouts, {
    numericsVersion,
    limits,
  });
  // A comparison and a sweep of the same runs are different things: keep their ids apart.
  const id = sha256Hex(canonicalJson({ comparison: sweep.id }));
  return { id, name, runs: sweep.runs, layout };
}

/** The learned optimizer's run fields: one per meta-learning rate, or the checkpoint. */
function trainedSources(spec: ComparisonSpecInput): Json[] {
  const learned = spec.learned;
  if (!learned) return [];
  if ('checkpoint' in learned) return [{ trained: learned }];
  const metaTrain = { ...learned.metaTrain, task: spec.task };
  const metaLrs = learned.metaLrs ?? [undefined];
  return metaLrs.map((metaLr) => ({
    trained: { metaTrain: metaLr === undefined ? metaTrain : { ...metaTrain, metaLr } },
  }));
}

function layoutOf(
  spec: ComparisonSpecInput,
  panelInputs: readonly Json[],
  optimizers: readonly Json[],
  lrs: readonly number[],
  trained: readonly Json[],
  rollouts: (panel: Json) => Json,
  { numericsVersion, limits }: { numericsVersion: string; limits: SpecLimits },
): ComparisonLayout {
  const normalized = (raw: Json): RunSpec => normalizeRun(raw, limits);
  const trainers: { runId: string; metaLr: number }[] = [];
  const panels = panelInputs.map((panel, index): ComparisonPanel => {
    const cells: ComparisonCell[] = [];
    for (const optimizer of optimizers) {
      for (const lr of lrs) {
        const run = normalized({
          kind: 'baseline',
          ...rollouts(panel),
          optimizer: { ...optimizer, lr },
        });
        cells.push({ runId: runIdOf(run, numericsVersion), contender: String(optimizer.name), lr });
      }
    }
    for (const source of trained) {
      const run = normalized({ kind: 'evaluate', ...rollouts(panel), ...source });
      const metaTrain =
        run.kind === 'evaluate' && 'metaTrain' in run.trained ? run.trained.metaTrain : null;
      if (metaTrain && index === 0) {
        trainers.push({ runId: runIdOf(metaTrain, numericsVersion), metaLr: metaTrain.metaLr });
      }
      const swept = spec.learned && 'metaLrs' in spec.learned && spec.learned.metaLrs && metaTrain;
      cells.push({
        runId: runIdOf(run, numericsVersion),
        contender: 'lstm',
        ...(swept ? { metaLr: metaTrain.metaLr } : {}),
      });
    }
    const first = normalized({
      kind: 'baseline',
      ...rollouts(panel),
      optimizer: { name: 'sgd', lr: 1 },
    });
    return {
      title: typeof panel.title === 'string' ? panel.title : taskTitle(first.task),
      task: first.task,
      steps: first.steps,
      nTests: first.nTests,
      seed: first.seed,
      cells,
    };
  });
  assertDistinctTitles(panels);
  return { panels, trainers };
}

/** A short human name of a task, for panel titles: `quadratic 10`, `mnist 20 sigmoid`. */
export function taskTitle(task: Task): string {
  if (task.kind === 'quadratic') return `quadratic ${task.dim}`;
  const dataset = typeof task.dataset === 'string' ? task.dataset : 'idx';
  return `${dataset} ${task.hidden.join('×')} ${task.activation}`;
}

function assertDistinctTitles(panels: readonly ComparisonPanel[]): void {
  const seen = new Set<string>();
  panels.forEach((panel, i) => {
    if (seen.has(panel.title)) {
      throw new SpecError('SPEC_INVALID', `Two panels are titled ${JSON.stringify(panel.title)}.`, [
        { path: `/panels/${i}/title`, message: 'must differ from the other panels' },
      ]);
    }
    seen.add(panel.title);
  });
}
