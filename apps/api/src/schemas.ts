/** Shapes of requests and responses that are the API's own (specs come from @metaopt/spec). */
import { Type, type TSchema } from '@sinclair/typebox';

export const ContentId = Type.String({
  pattern: '^[0-9a-f]{64}$',
  description: 'A content address: 64 lowercase hex digits of SHA-256.',
});

export const IdParams = Type.Object({ id: ContentId });

export const ErrorResponse = Type.Object(
  {
    code: Type.String(),
    message: Type.String(),
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    requestId: Type.Optional(Type.String()),
  },
  { $id: 'Error' },
);

/**
 * A string from a fixed list, as a JSON-schema `enum`: Ajv then says "must be equal to one
 * of the allowed values" and lists them, where a union of literals yields one complaint
 * per literal.
 */
function StringEnum<T extends string>(values: readonly T[], options: object = {}) {
  return Type.Unsafe<T>({ type: 'string', enum: [...values], ...options });
}

export const RunStatus = StringEnum([
  'queued',
  'running',
  'succeeded',
  'diverged',
  'failed',
  'cancelled',
] as const);

export const SubmittedRun = Type.Object({
  id: ContentId,
  kind: Type.String(),
  role: StringEnum(['cell', 'dependency'] as const),
  status: RunStatus,
});

export const RunListQuery = Type.Object({
  kind: Type.Optional(StringEnum(['baseline', 'meta-train', 'evaluate'] as const)),
  status: Type.Optional(RunStatus),
  task: Type.Optional(StringEnum(['quadratic', 'mnist'] as const)),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
});

export const CurveQuery = Type.Object({
  maxPoints: Type.Optional(Type.Integer({ minimum: 2, maximum: 100_000 })),
  series: Type.Optional(Type.String({ maxLength: 100, pattern: '^[A-Za-z0-9_-]+$' })),
});

export const SweepQuery = Type.Object({
  best: Type.Boolean({ default: false, description: 'Add the best run of each contender.' }),
});

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Timestamp = Type.String({ format: 'date-time' });
/** JSON has no NaN or infinity: such a value of a result goes out as null. */
const ResultNumber = Nullable(Type.Number());

export const RunProgress = Type.Object(
  {
    fraction: Type.Number({ minimum: 0, maximum: 1, description: 'Share of the run done.' }),
    epoch: Type.Optional(Type.Integer()),
    step: Type.Optional(Type.Integer()),
    loss: Type.Optional(ResultNumber),
  },
  { additionalProperties: true },
);

export const RunView = Type.Object({
  id: ContentId,
  kind: Type.String({ examples: ['baseline'] }),
  task: Type.String({ examples: ['quadratic'] }),
  contender: Nullable(Type.String({ description: "The optimizer compared: 'adam', 'lstm', …" })),
  status: RunStatus,
  spec: Type.Object({}, { additionalProperties: true, description: 'The normalized spec.' }),
  progress: Nullable(RunProgress),
  summary: Nullable(
    Type.Object(
      {
        meanSumLoss: Type.Optional(ResultNumber),
        finalLossMean: Type.Optional(ResultNumber),
        divergedAtStep: Type.Optional(Type.Integer()),
        bestScore: Type.Optional(ResultNumber),
        epochs: Type.Optional(Type.Integer()),
      },
      { additionalProperties: true },
    ),
  ),
  error: Nullable(Type.Object({ code: Type.String(), message: Type.String() })),
  attempts: Type.Integer(),
  backend: Nullable(Type.String()),
  worker: Nullable(Type.String()),
  createdAt: Timestamp,
  startedAt: Nullable(Timestamp),
  finishedAt: Nullable(Timestamp),
});

export const RunPage = Type.Object({
  items: Type.Array(RunView),
  nextCursor: Nullable(Type.String({ description: 'Pass as `cursor` for the next page.' })),
});

export const Submission = Type.Object({
  id: Type.String({ description: 'The run id (POST /v1/runs) or the sweep id.' }),
  cached: Type.Boolean({ description: 'True when every run was settled already.' }),
  runs: Type.Array(SubmittedRun),
});

/** Values that were NaN or infinite (a diverged run's) come back as null. */
const CurveValues = Type.Unsafe<readonly (number | null)[]>({
  type: 'array',
  items: {},
  description: 'One value per returned step; null where the value was NaN or infinite.',
});

export const Curve = Type.Object({
  series: Type.String({ description: "'loss' (baselines, evaluations) or 'epochScore'." }),
  steps: Type.Integer({ description: 'Entries stored; `step` says which were returned.' }),
  problems: Type.Integer(),
  step: Type.Unsafe<readonly number[]>({
    type: 'array',
    items: { type: 'integer' },
    description: 'The step index of each returned point.',
  }),
  mean: CurveValues,
  std: Nullable(CurveValues),
  p10: Nullable(CurveValues),
  median: Nullable(CurveValues),
  p90: Nullable(CurveValues),
  min: Nullable(CurveValues),
  max: Nullable(CurveValues),
  hasRaw: Type.Boolean(),
});

export const CurvesView = Type.Object({
  runId: ContentId,
  status: RunStatus,
  curves: Type.Array(Curve),
});

const StatusCounts = Type.Record(Type.String(), Type.Integer(), {
  description: 'Runs per status.',
  examples: [{ succeeded: 4, running: 1 }],
});

export const SweepStatus = Type.Union(
  [
    Type.Literal('queued'),
    Type.Literal('running'),
    Type.Literal('succeeded'),
    Type.Literal('failed'),
  ],
  { description: "Derived from the runs': failed if any failed or was cancelled." },
);

export const BestPick = Type.Object({
  runId: ContentId,
  meanSumLoss: ResultNumber,
  lr: Nullable(Type.Number()),
});

export const SweepView = Type.Object({
  id: ContentId,
  name: Nullable(Type.String()),
  createdAt: Timestamp,
  status: SweepStatus,
  counts: StatusCounts,
  runs: Type.Array(
    Type.Object({
      role: Nullable(Type.String({ description: "'cell' or 'dependency'." })),
      ...RunView.properties,
    }),
  ),
  best: Type.Optional(
    Type.Record(Type.String(), BestPick, {
      description: 'With `best=true`: the best finished run of each contender.',
    }),
  ),
});

export const SweepSummary = Type.Object({
  id: ContentId,
  name: Nullable(Type.String()),
  createdAt: Timestamp,
  status: SweepStatus,
  counts: StatusCounts,
  runs: Type.Integer({ description: 'How many runs the sweep expanded into.' }),
});

export const SweepPage = Type.Object({
  items: Type.Array(SweepSummary),
  nextCursor: Nullable(Type.String({ description: 'Pass as `cursor` for the next page.' })),
});

export const SweepListQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
});

/**
 * A success response that is not JSON (an SVG, an event stream, metrics text), as OpenAPI
 * describes one: under its media type. Error responses of the same route stay JSON.
 */
export function nonJsonResponse(mediaType: string, description: string) {
  return {
    description,
    content: { [mediaType]: { schema: Type.String({ description }) } },
  };
}
