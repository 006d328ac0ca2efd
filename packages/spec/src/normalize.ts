/**
 * Turns a submitted run into its normalized form: validated, every default filled in, and
 * checked against the limits. Normalization is what makes the content address meaningful:
 * `{lr: 0.1}` and `{lr: 0.1, betas: [0.9, 0.999]}` are the same Adam, so they hash the same.
 */
import { SpecError } from './errors.js';
import { DEFAULT_LIMITS, type SpecLimits } from './limits.js';
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
  const counts = rolloutCounts(run, task, limits);
  const unroll = run.unroll ?? 20;
  if (unroll > counts.steps || counts.steps % unroll !== 0) {
    throw new SpecError(
      'SPEC_INVALID',
      `unroll (${unroll}) must divide steps (${counts.steps}): each truncation is a full unroll.`,
      [{ path: `${at}/unroll`, message: 'must divide steps' }],
    );
  }
  const epochs = run.epochs ?? 20;
  assertWithin('maxEpochs', epochs, limits.maxEpochs, `${at}/epochs`);
  return {
    kind: 'meta-train',
    task,
    learned: { ...DEFAULT_LEARNED[task.kind], ...run.learned },
    metaLr: run.metaLr ?? 0.001,
    epochs,
    rolloutsPerEpoch: run.rolloutsPerEpoch ?? 20,
    unroll,
    metaBatch: run.metaBatch ?? 1,
    // Written only when not the reference's, so that adding the field changed no run's id.
    ...(run.validation === 'fixed' ? { validation: 'fixed' as const } : {}),
    ...counts,
  };
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
          learned: { ...DEFAULT_LEARNED[task.kind], ...run.trained.learned },
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

function rolloutCounts(
  run: { steps?: number; nTests?: number; seed?: number },
  task: Task,
  limits: SpecLimits,
): { steps: number; nTests: number; seed: number } {
  const steps = run.steps ?? DEFAULT_STEPS;
  const nTests = run.nTests ?? DEFAULT_TESTS[task.kind];
  assertWithin('maxSteps', steps, limits.maxSteps, '/steps');
  assertWithin('maxTests', nTests, limits.maxTests, '/nTests');
  return { steps, nTests, seed: run.seed ?? 0 };
}

export function normalizeTask(task: TaskInput, limits: SpecLimits = DEFAULT_LIMITS): Task {
  if (task.kind === 'mnist') {
    const hidden = task.hidden ?? [20];
    hidden.forEach((units, i) =>
      assertWithin('maxHiddenUnits', units, limits.maxHiddenUnits, `/task/hidden/${i}`),
    );
    return {
      kind: 'mnist',
      dataset: task.dataset ?? 'mnist',
      hidden,
      activation: task.activation ?? 'sigmoid',
      batchSize: task.batchSize ?? 128,
    };
  }
  return normalizeQuadratic(task, limits);
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
  assertWithin('maxQuadraticDim', dim, limits.maxQuadraticDim, '/task/dim');
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

function assertWithin(name: keyof SpecLimits, value: number, max: number, path: string): void {
  if (value <= max) return;
  throw new SpecError(
    'SPEC_LIMIT_EXCEEDED',
    `${path.slice(1)} is ${value}, over the limit ${name} = ${max}.`,
    [{ path, message: `must be at most ${max}` }],
    { name, max },
  );
}
