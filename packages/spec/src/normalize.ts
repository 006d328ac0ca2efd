/**
 * Turns a submitted run into its normalized form: validated, every default filled in, and
 * checked against the limits. Normalization is what makes the content address meaningful:
 * `{lr: 0.1}` and `{lr: 0.1, betas: [0.9, 0.999]}` are the same Adam, so they hash the same.
 */
import { assertDatasetAllowed } from './data-dirs.js';
import { SpecError } from './errors.js';
import { DEFAULT_LIMITS, type SpecLimits } from './limits.js';
import { problemFloats } from './problem-floats.js';
import {
  BaselineRunSchema,
  EvaluateRunSchema,
  MetaTrainRunSchema,
  type ClassicOptimizerInput,
  type LearnedOptimizerInput,
  type TaskInput,
} from './schemas.js';
import type {
  BaselineRun,
  ClassicOptimizer,
  EvaluateRun,
  LearnedOptimizer,
  MetaTrainRun,
  RunSpec,
  Task,
} from './types.js';
import { assertMatches } from './validate.js';

/** The reference notebook's settings: 100 quadratics or 20 MNIST nets, 100 steps. */
const DEFAULT_STEPS = 100;
const DEFAULT_TESTS: Record<Task['kind'], number> = { quadratic: 100, mnist: 20 };

/** The reference trains the quadratic optimizer raw and the MNIST one preprocessed, ×0.1. */
const DEFAULT_LEARNED: Record<Task['kind'], LearnedOptimizer> = {
  quadratic: { hiddenSize: 20, preprocess: false, outMul: 1 },
  mnist: { hiddenSize: 20, preprocess: true, outMul: 0.1 },
};

export function normalizeRun(input: unknown, limits: SpecLimits = DEFAULT_LIMITS): RunSpec {
  const kind = (input as { kind?: unknown } | null)?.kind;
  switch (kind) {
    case 'baseline':
      return normalizeBaseline(input, limits);
    case 'meta-train':
      return normalizeMetaTrain(input, limits);
    case 'evaluate':
      return normalizeEvaluate(input, limits);
    default:
      throw new SpecError(
        'SPEC_UNKNOWN_KIND',
        `Unknown run kind ${JSON.stringify(kind ?? null)}: expected baseline, meta-train ` +
          'or evaluate.',
        [{ path: '/kind', message: 'must be baseline, meta-train or evaluate' }],
      );
  }
}

function normalizeBaseline(input: unknown, limits: SpecLimits): BaselineRun {
  assertMatches(BaselineRunSchema, input);
  const run = input as Parameters<typeof normalizeBaselineFields>[0];
  return normalizeBaselineFields(run, limits);
}

function normalizeBaselineFields(
  run: {
    task: TaskInput;
    optimizer: ClassicOptimizerInput;
    steps?: number;
    nTests?: number;
    seed?: number;
  },
  limits: SpecLimits,
): BaselineRun {
  const task = normalizeTask(run.task, limits);
  return {
    kind: 'baseline',
    task,
    optimizer: normalizeClassic(run.optimizer),
    ...rolloutCounts(run, task, limits),
  };
}

interface MetaTrainFieldsInput {
  steps?: number;
  nTests?: number;
  seed?: number;
  learned?: LearnedOptimizerInput;
  metaLr?: number;
  epochs?: number;
  rolloutsPerEpoch?: number;
  unroll?: number;
  metaBatch?: number;
  validation?: 'fresh' | 'fixed';
}

function normalizeMetaTrain(input: unknown, limits: SpecLimits): MetaTrainRun {
  assertMatches(MetaTrainRunSchema, input);
  const run = input as MetaTrainFieldsInput & { task: TaskInput };
  return metaTrainFrom(run, normalizeTask(run.task, limits), limits, '');
}

function metaTrainFrom(
  run: MetaTrainFieldsInput,
  task: Task,
  limits: SpecLimits,
  at: string,
): MetaTrainRun {
  const counts = rolloutCounts(run, task, limits, at);
  const sizes = metaTrainSizes(run, counts.steps, limits, at);
  // Each training roll-out holds metaBatch problems at once (rolloutCounts checked nTests).
  assertProblemFloatsWithin(task, sizes.metaBatch, limits, `${at}/metaBatch`);
  return {
    kind: 'meta-train',
    task,
    learned: learnedFor(task, run.learned, limits, `${at}/learned`),
    metaLr: run.metaLr ?? 0.001,
    ...sizes,
    // Written only when not the reference's, so that adding the field changed no run's id.
    ...(run.validation === 'fixed' ? { validation: 'fixed' as const } : {}),
    ...counts,
  };
}

function metaTrainSizes(
  run: MetaTrainFieldsInput,
  steps: number,
  limits: SpecLimits,
  at: string,
): Pick<MetaTrainRun, 'epochs' | 'rolloutsPerEpoch' | 'unroll' | 'metaBatch'> {
  const unroll = run.unroll ?? 20;
  assertWithin('maxUnroll', unroll, limits, `${at}/unroll`);
  if (unroll > steps || steps % unroll !== 0) {
    throw new SpecError(
      'SPEC_INVALID',
      `unroll (${unroll}) must divide steps (${steps}): each truncation is a full unroll.`,
      [{ path: `${at}/unroll`, message: 'must divide steps' }],
    );
  }
  const sizes = {
    epochs: run.epochs ?? 20,
    rolloutsPerEpoch: run.rolloutsPerEpoch ?? 20,
    unroll,
    metaBatch: run.metaBatch ?? 1,
  };
  assertWithin('maxEpochs', sizes.epochs, limits, `${at}/epochs`);
  assertWithin('maxRolloutsPerEpoch', sizes.rolloutsPerEpoch, limits, `${at}/rolloutsPerEpoch`);
  assertWithin('maxMetaBatch', sizes.metaBatch, limits, `${at}/metaBatch`);
  return sizes;
}

function learnedFor(
  task: Task,
  input: LearnedOptimizerInput | undefined,
  limits: SpecLimits,
  at: string,
): LearnedOptimizer {
  const learned = { ...DEFAULT_LEARNED[task.kind], ...input };
  assertWithin('maxLearnedHiddenSize', learned.hiddenSize, limits, `${at}/hiddenSize`);
  return learned;
}

function normalizeEvaluate(input: unknown, limits: SpecLimits): EvaluateRun {
  assertMatches(EvaluateRunSchema, input);
  const run = input as {
    task: TaskInput;
    trained:
      | { metaTrain: MetaTrainFieldsInput & { task?: TaskInput } }
      | { checkpoint: string; learned?: LearnedOptimizerInput };
    steps?: number;
    nTests?: number;
    seed?: number;
  };
  const task = normalizeTask(run.task, limits);
  const trained =
    'checkpoint' in run.trained
      ? {
          checkpoint: run.trained.checkpoint,
          learned: learnedFor(task, run.trained.learned, limits, '/trained/learned'),
        }
      : {
          metaTrain: metaTrainFrom(
            run.trained.metaTrain,
            run.trained.metaTrain.task ? normalizeTask(run.trained.metaTrain.task, limits) : task,
            limits,
            '/trained/metaTrain',
          ),
        };
  return { kind: 'evaluate', task, trained, ...rolloutCounts(run, task, limits) };
}

/** `at`: where the run lies in the document, '' or an evaluation's '/trained/metaTrain'. */
function rolloutCounts(
  run: { steps?: number; nTests?: number; seed?: number },
  task: Task,
  limits: SpecLimits,
  at = '',
): { steps: number; nTests: number; seed: number } {
  const steps = run.steps ?? DEFAULT_STEPS;
  const nTests = run.nTests ?? DEFAULT_TESTS[task.kind];
  assertWithin('maxSteps', steps, limits, `${at}/steps`);
  assertWithin('maxTests', nTests, limits, `${at}/nTests`);
  // An evaluation, and each epoch's validation, holds all nTests problems at once.
  assertProblemFloatsWithin(task, nTests, limits, `${at}/nTests`);
  return { steps, nTests, seed: run.seed ?? 0 };
}

export function normalizeTask(task: TaskInput, limits: SpecLimits = DEFAULT_LIMITS): Task {
  return task.kind === 'mnist' ? normalizeMnist(task, limits) : normalizeQuadratic(task, limits);
}

function normalizeMnist(task: Extract<TaskInput, { kind: 'mnist' }>, limits: SpecLimits): Task {
  const hidden = task.hidden ?? [20];
  hidden.forEach((units, i) => assertWithin('maxHiddenUnits', units, limits, `/task/hidden/${i}`));
  const batchSize = task.batchSize ?? 128;
  assertWithin('maxBatchSize', batchSize, limits, '/task/batchSize');
  const dataset = task.dataset ?? 'mnist';
  assertDatasetAllowed(dataset, limits.dataDirs, '/task/dataset/idxDir');
  return {
    kind: 'mnist',
    dataset,
    hidden,
    activation: task.activation ?? 'sigmoid',
    batchSize,
  };
}

function normalizeQuadratic(
  task: Extract<TaskInput, { kind: 'quadratic' }>,
  limits: SpecLimits,
): Task {
  const { W, y } = task;
  if ((W === undefined) !== (y === undefined)) {
    throw new SpecError('SPEC_INVALID', 'An explicit quadratic needs both W and y.', [
      { path: W ? '/task/y' : '/task/W', message: 'required when the other is given' },
    ]);
  }
  const dim = task.dim ?? y?.length ?? 10;
  assertWithin('maxQuadraticDim', dim, limits, '/task/dim');
  if (!W || !y) return { kind: 'quadratic', dim };

  const square = W.length === dim && W.every((row) => row.length === dim);
  if (!square || y.length !== dim) {
    throw new SpecError(
      'SPEC_INVALID',
      `An explicit quadratic of dimension ${dim} needs W of ${dim}×${dim} and y of ${dim}.`,
      [{ path: '/task/W', message: `must be ${dim}×${dim}` }],
    );
  }
  return { kind: 'quadratic', dim, W, y };
}

/** PyTorch 1.13's defaults, written out so that they are part of the content address. */
function normalizeClassic(optimizer: ClassicOptimizerInput): ClassicOptimizer {
  switch (optimizer.name) {
    case 'adam':
      return { betas: [0.9, 0.999], eps: 1e-8, ...optimizer };
    case 'rmsprop':
      return { alpha: 0.99, eps: 1e-8, ...optimizer };
    case 'nag':
      return { momentum: 0.9, ...optimizer };
    case 'sgd':
      return { ...optimizer };
  }
}

type SizeLimit = Exclude<keyof SpecLimits, 'dataDirs'>;

function assertWithin(name: SizeLimit, value: number, limits: SpecLimits, path: string): void {
  const max = limits[name];
  if (value <= max) return;
  throw limitExceeded(name, max, path, `${path.slice(1)} is ${value}, over`);
}

/** `problems` copies of the task's data, held at once (see problem-floats.ts). */
function assertProblemFloatsWithin(
  task: Task,
  problems: number,
  limits: SpecLimits,
  path: string,
): void {
  const perProblem = problemFloats(task);
  const max = limits.maxProblemFloats;
  if (problems * perProblem <= max) return;
  const held = `The problems held at once (${problems} × ${perProblem} floats) come to`;
  throw limitExceeded('maxProblemFloats', max, path, `${held} ${problems * perProblem}, over`);
}

function limitExceeded(name: SizeLimit, max: number, path: string, what: string): SpecError {
  return new SpecError(
    'SPEC_LIMIT_EXCEEDED',
    `${what} the limit ${name} = ${max}.`,
    [{ path, message: `must be at most ${max}` }],
    { name, max },
  );
}
