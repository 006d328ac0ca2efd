/**
 * The JSON schemas of everything a user submits. The API validates request bodies with them
 * (and publishes them as OpenAPI); the worker validates job payloads with them again, so a
 * job that reaches Redis by another path is held to the same rules.
 *
 * Fields that have defaults are optional here; `normalize.ts` fills them in.
 */
import { Type, type Static } from '@sinclair/typebox';

const PositiveNumber = Type.Number({ exclusiveMinimum: 0 });
const Count = Type.Integer({ minimum: 1 });
const Seed = Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 });

export const QuadraticTaskSchema = Type.Object(
  {
    kind: Type.Literal('quadratic'),
    dim: Type.Optional(Count),
    W: Type.Optional(
      Type.Array(Type.Array(Type.Number()), {
        description: 'An explicit problem: every test problem is this one.',
      }),
    ),
    y: Type.Optional(Type.Array(Type.Number())),
  },
  { additionalProperties: false, description: 'f(theta) = |W theta - y|^2, W and y ~ N(0, 1)' },
);

export const DatasetSchema = Type.Union([
  Type.Literal('mnist'),
  Type.Literal('fashion-mnist'),
  Type.Object(
    { idxDir: Type.String({ minLength: 1, maxLength: 4096 }) },
    {
      additionalProperties: false,
    },
  ),
]);

export const MnistTaskSchema = Type.Object(
  {
    kind: Type.Literal('mnist'),
    dataset: Type.Optional(DatasetSchema),
    hidden: Type.Optional(Type.Array(Count, { minItems: 1, maxItems: 8 })),
    activation: Type.Optional(Type.Union([Type.Literal('sigmoid'), Type.Literal('relu')])),
    batchSize: Type.Optional(Count),
  },
  { additionalProperties: false, description: 'An MLP classifier on MNIST-format images.' },
);

export const TaskSchema = Type.Union([QuadraticTaskSchema, MnistTaskSchema]);

export const ClassicOptimizerSchema = Type.Object(
  {
    name: Type.Union([
      Type.Literal('adam'),
      Type.Literal('rmsprop'),
      Type.Literal('sgd'),
      Type.Literal('nag'),
    ]),
    lr: PositiveNumber,
    betas: Type.Optional(Type.Tuple([Type.Number(), Type.Number()])),
    eps: Type.Optional(PositiveNumber),
    alpha: Type.Optional(Type.Number()),
    momentum: Type.Optional(Type.Number({ minimum: 0 })),
  },
  { additionalProperties: false, description: "PyTorch's update rules and defaults." },
);

export const LearnedOptimizerSchema = Type.Object(
  {
    hiddenSize: Type.Optional(Count),
    preprocess: Type.Optional(Type.Boolean()),
    outMul: Type.Optional(PositiveNumber),
  },
  { additionalProperties: false, description: 'The coordinatewise two-layer LSTM optimizer.' },
);

const rolloutFields = {
  task: TaskSchema,
  steps: Type.Optional(Count),
  nTests: Type.Optional(Count),
  seed: Type.Optional(Seed),
};

export const BaselineRunSchema = Type.Object(
  { kind: Type.Literal('baseline'), optimizer: ClassicOptimizerSchema, ...rolloutFields },
  { additionalProperties: false },
);

const metaTrainFields = {
  steps: Type.Optional(Count),
  nTests: Type.Optional(Count),
  seed: Type.Optional(Seed),
  learned: Type.Optional(LearnedOptimizerSchema),
  metaLr: Type.Optional(PositiveNumber),
  epochs: Type.Optional(Count),
  rolloutsPerEpoch: Type.Optional(Count),
  unroll: Type.Optional(Count),
  metaBatch: Type.Optional(Count),
  validation: Type.Optional(
    Type.Union([Type.Literal('fresh'), Type.Literal('fixed')], {
      description:
        'Problems that score each epoch: fresh ones every epoch (the reference, default) ' +
        'or the same ones every epoch, so the best epoch is not the one with the easiest draw.',
    }),
  ),
};

export const MetaTrainRunSchema = Type.Object(
  { kind: Type.Literal('meta-train'), task: TaskSchema, ...metaTrainFields },
  { additionalProperties: false },
);

/**
 * A trained optimizer: meta-trained as a dependency of the evaluation (its task defaults to
 * the evaluation's), or a stored checkpoint named by its content hash.
 */
export const TrainedSourceSchema = Type.Union([
  Type.Object(
    {
      metaTrain: Type.Object(
        {
          // Present once normalized: a normalized spec must normalize to itself.
          kind: Type.Optional(Type.Literal('meta-train')),
          task: Type.Optional(TaskSchema),
          ...metaTrainFields,
        },
        { additionalProperties: false },
      ),
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
]);

export const EvaluateRunSchema = Type.Object(
  { kind: Type.Literal('evaluate'), trained: TrainedSourceSchema, ...rolloutFields },
  { additionalProperties: false },
);

export const RunSpecSchema = Type.Union([BaselineRunSchema, MetaTrainRunSchema, EvaluateRunSchema]);

const GridSchema = Type.Record(
  Type.String({ minLength: 1, maxLength: 200 }),
  Type.Array(Type.Unknown(), {
    minItems: 1,
  }),
  { description: 'Dotted path into the run (e.g. "optimizer.lr") → the values to try.' },
);

export const SweepSpecSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 200 })),
    base: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    grid: Type.Optional(GridSchema),
    blocks: Type.Optional(
      Type.Array(
        Type.Object(
          {
            with: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
            grid: Type.Optional(GridSchema),
          },
          { additionalProperties: false },
        ),
        { minItems: 1, maxItems: 100 },
      ),
    ),
  },
  {
    additionalProperties: false,
    description:
      'Each block (or the base alone) is merged over `base` and expanded over the product ' +
      'of its grid and the sweep-wide grid.',
  },
);

export type QuadraticTaskInput = Static<typeof QuadraticTaskSchema>;
export type MnistTaskInput = Static<typeof MnistTaskSchema>;
export type TaskInput = Static<typeof TaskSchema>;
export type ClassicOptimizerInput = Static<typeof ClassicOptimizerSchema>;
export type LearnedOptimizerInput = Static<typeof LearnedOptimizerSchema>;
export type RunSpecInput = Static<typeof RunSpecSchema>;
export type SweepSpecInput = Static<typeof SweepSpecSchema>;
