/** Shapes of requests and responses that are the API's own (specs come from @metaopt/spec). */
import { Type } from '@sinclair/typebox';

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

export const RunStatus = Type.Union([
  Type.Literal('queued'),
  Type.Literal('running'),
  Type.Literal('succeeded'),
  Type.Literal('diverged'),
  Type.Literal('failed'),
  Type.Literal('cancelled'),
]);

export const SubmittedRun = Type.Object({
  id: ContentId,
  kind: Type.String(),
  role: Type.Union([Type.Literal('cell'), Type.Literal('dependency')]),
  status: RunStatus,
});

export const RunListQuery = Type.Object({
  kind: Type.Optional(
    Type.Union([Type.Literal('baseline'), Type.Literal('meta-train'), Type.Literal('evaluate')]),
  ),
  status: Type.Optional(RunStatus),
  task: Type.Optional(Type.Union([Type.Literal('quadratic'), Type.Literal('mnist')])),
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
