/**
 * Checkpoints in and out, in the reference implementation's form: a PyTorch state_dict of the
 * LSTM optimizer as JSON (`{"recurs.weight_ih": {"shape": [80, 2], "value": [[…]]}, …}`).
 * An imported optimizer is stored under the SHA-256 of its normalized state_dict, the same
 * form in which workers keep the best weights of a meta-training, so equal weights get equal
 * ids whichever side they came from; evaluations name it as `trained: {checkpoint: id}`.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import {
  L2lError,
  decodeMetaTrainState,
  fromTorchStateDict,
  toTorchStateDict,
  type LstmWeights,
} from '@metaopt/l2l/checkpoints';
import { QUERY_ERRORS, errorResponses } from '../../error-docs.js';
import { ApiError } from '../../errors.js';
import { ContentId, IdParams } from '../../schemas.js';
import type { ApiDeps } from '../../app.js';

/** The first bytes of a meta-training state (meta/codec.ts in @metaopt/l2l). */
const STATE_MAGIC = 'L2LS';

const CheckpointCreated = Type.Object({
  id: ContentId,
  size: Type.Integer({ description: 'Bytes stored.' }),
  created: Type.Boolean({ description: 'False when the same weights were already stored.' }),
  learned: Type.Object(
    {
      hiddenSize: Type.Integer(),
      preprocess: Type.Boolean(),
    },
    { description: 'What an evaluation of it must name as `learned` (with its outMul).' },
  ),
});

const StateDict = Type.Record(
  Type.String(),
  Type.Object({ shape: Type.Array(Type.Integer()), value: Type.Unknown() }),
  { description: "A PyTorch state_dict of the LSTM optimizer, each tensor's `tolist()`." },
);

const CheckpointRef = Type.Object({
  checkpointId: ContentId,
  role: Type.String({ description: "'best' weights (a state_dict) or a resumable 'state'." }),
  epoch: Type.Integer(),
  score: Type.Union([Type.Number(), Type.Null()]),
  size: Type.Integer(),
  createdAt: Type.String(),
  url: Type.String({ description: 'Where its weights are, as a PyTorch state_dict.' }),
});

export function checkpointRoutes(deps: ApiDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/checkpoints',
      {
        schema: {
          summary: 'Import a trained LSTM optimizer (PyTorch state_dict as JSON)',
          description:
            'Checks names, shapes and numbers, rounds the values to float32 and stores the ' +
            'normalized state_dict under its SHA-256, which is returned.',
          tags: ['checkpoints'],
          body: StateDict,
          response: {
            201: CheckpointCreated,
            ...errorResponses('REQUEST_INVALID', 'BODY_NOT_JSON', 'CHECKPOINT_INVALID'),
          },
        },
      },
      async (request, reply) => {
        const weights = parseStateDict(request.body);
        const bytes = stateDictBytes(weights);
        const stored = await deps.store.checkpoints.putDetached(bytes);
        request.log.info(
          { checkpointId: stored.id, created: stored.created },
          'checkpoint imported',
        );
        return reply.status(201).send({
          ...stored,
          learned: { hiddenSize: weights.hiddenSize, preprocess: weights.inputSize === 2 },
        });
      },
    );

    app.get(
      '/checkpoints/:id',
      {
        schema: {
          summary: 'A checkpoint’s LSTM weights as a PyTorch state_dict (JSON)',
          description:
            'For a resumable meta-training state, the weights it holds now. Load in PyTorch ' +
            'with `{k: torch.tensor(v["value"]) for k, v in json.load(f).items()}`.',
          tags: ['checkpoints'],
          params: IdParams,
          response: { 200: StateDict, ...errorResponses(...QUERY_ERRORS, 'CHECKPOINT_NOT_FOUND') },
        },
      },
      async (request, reply) => {
        const checkpoint = await deps.store.checkpoints.get(request.params.id);
        if (!checkpoint) {
          throw new ApiError('CHECKPOINT_NOT_FOUND', `No checkpoint ${request.params.id}.`);
        }
        return reply.type('application/json').send(stateDictOf(checkpoint.bytes));
      },
    );

    app.get(
      '/runs/:id/checkpoints',
      {
        schema: {
          summary: "A run's checkpoints: each epoch's resumable state and best weights",
          tags: ['checkpoints'],
          params: IdParams,
          response: {
            200: Type.Object({ items: Type.Array(CheckpointRef) }),
            ...errorResponses(...QUERY_ERRORS, 'RUN_NOT_FOUND'),
          },
        },
      },
      async (request) => {
        const { id } = request.params;
        if (!(await deps.store.runs.get(id))) throw new ApiError('RUN_NOT_FOUND', `No run ${id}.`);
        const refs = await deps.store.checkpoints.listForRun(id);
        return {
          items: refs.map((ref) => ({
            checkpointId: ref.checkpointId,
            role: ref.role,
            epoch: ref.epoch,
            score: ref.score,
            size: ref.size,
            createdAt: ref.createdAt.toISOString(),
            url: `/v1/checkpoints/${ref.checkpointId}`,
          })),
        };
      },
    );
  };
}

function parseStateDict(body: unknown): LstmWeights {
  try {
    return fromTorchStateDict(body);
  } catch (error) {
    if (!(error instanceof L2lError)) throw error;
    throw new ApiError('CHECKPOINT_INVALID', error.message);
  }
}

/** The bytes workers store for best weights: the state_dict of float32 values, as JSON. */
function stateDictBytes(weights: LstmWeights): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(toTorchStateDict(weights)));
}

function stateDictOf(bytes: Uint8Array): Static<typeof StateDict> {
  const magic = new TextDecoder().decode(bytes.subarray(0, STATE_MAGIC.length));
  if (magic === STATE_MAGIC) {
    return toTorchStateDict(decodeMetaTrainState(bytes).weights) as unknown as Static<
      typeof StateDict
    >;
  }
  return JSON.parse(new TextDecoder().decode(bytes)) as Static<typeof StateDict>;
}
