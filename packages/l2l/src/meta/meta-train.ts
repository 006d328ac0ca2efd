/**
 * Meta-training of the LSTM optimizer (Andrychowicz et al. 2016; the reference notebook's
 * loop): per epoch, `rolloutsPerEpoch` training roll-outs on fresh `train` problems, each
 * updating φ after every truncation (rollout.ts), then an evaluation of φ on `nTests` fresh
 * `test` problems, batched. The best-scoring weights win. The random stream draws, in order:
 * φ's initial weights, then per roll-out one seed of its problems, per evaluation one seed.
 */
import type { DatasetSplit } from '@metaopt/datasets';

import { evaluateOnTask } from '../eval/evaluate.js';
import { meanSumLoss } from '../eval/summarize.js';
import { lstmInputSize } from '../learned/config.js';
import {
  type LstmWeights,
  initLstmWeights,
  lstmWeightCount,
  packLstmWeights,
  unpackLstmWeights,
} from '../learned/weights.js';
import { NUMERICS_VERSION } from '../numerics-version.js';
import { Random, problemSeeds } from '../random.js';
import { prepareTask } from '../tasks/task.js';
import type { Task } from '../tasks/types.js';
import {
  type MetaTrainConfig,
  type ResolvedMetaTrainConfig,
  resolveMetaTrainConfig,
} from './config.js';
import type { Learner } from './meta-adam.js';
import { type RolloutResult, trainRollout } from './rollout.js';
import { checkResumable } from './resume.js';
import type { EpochMetrics, MetaTrainState } from './state.js';

export interface MetaTrainHooks {
  /** A state from an earlier run of the same config: continue it. */
  readonly resume?: MetaTrainState;
  /** After each epoch's evaluation, with a snapshot to checkpoint. */
  onEpoch?(state: MetaTrainState, metrics: EpochMetrics): Promise<void>;
  /** After each training roll-out; `fraction` of all training roll-outs done. */
  onProgress?(progress: { epoch: number; rollout: number; fraction: number }): void | Promise<void>;
  /** Asked after each roll-out and epoch: true ends the run there, `stopped` in the result. */
  shouldStop?(): Promise<boolean>;
}

export interface MetaTrainResult {
  /** The best weights; the current ones while no evaluation has had a finite score. */
  readonly best: LstmWeights;
  readonly bestScore: number | null;
  readonly epochs: readonly EpochMetrics[];
  readonly stopped: boolean;
  /** Set when a meta-loss or meta-gradient turned NaN/∞; training ended there. */
  readonly diverged?: { readonly epoch: number; readonly rollout: number; readonly step: number };
  /** Where the run ended, to checkpoint and resume (the last roll-out boundary). */
  readonly state: MetaTrainState;
}

export async function metaTrain(
  config: MetaTrainConfig,
  data: DatasetSplit | undefined,
  hooks: MetaTrainHooks = {},
): Promise<MetaTrainResult> {
  const cfg = resolveMetaTrainConfig(config);
  let state = hooks.resume ? checkResumable(hooks.resume, cfg) : initialState(cfg);
  const task = prepareTask(cfg.task, data);
  const random = Random.fromState(state.rngState);
  const learner = upload(state);
  const R = cfg.rolloutsPerEpoch;
  try {
    while (state.epochsDone < cfg.epochs) {
      const epoch = state.epochsDone;
      while (state.rolloutsDone < R) {
        const rollout = state.rolloutsDone;
        const done = runRollout(task, cfg, learner, random);
        if (done.divergedAtStep !== null) {
          const diverged = { epoch, rollout, step: done.divergedAtStep };
          return result(state, { stopped: false, diverged });
        }
        state = snapshot(state, learner, random, {
          rolloutsDone: rollout + 1,
          epochMetaLossSum: state.epochMetaLossSum + done.metaLossSum,
          epochTruncations: state.epochTruncations + done.truncations,
        });
        const fraction = (epoch * R + rollout + 1) / (cfg.epochs * R);
        await hooks.onProgress?.({ epoch, rollout, fraction });
        if ((await hooks.shouldStop?.()) === true) return result(state, { stopped: true });
      }

      const metrics = await evaluateEpoch(task, cfg, state, random);
      state = endEpoch(state, random, metrics);
      await hooks.onEpoch?.(state, metrics);
      if (state.epochsDone < cfg.epochs && (await hooks.shouldStop?.()) === true) {
        return result(state, { stopped: true });
      }
    }
    return result(state, { stopped: false });
  } finally {
    task.dispose();
  }
}

/** One training roll-out on `metaBatch` fresh problems; updates `learner` in place. */
function runRollout(
  task: Task,
  cfg: ResolvedMetaTrainConfig,
  learner: Learner,
  random: Random,
): RolloutResult {
  const instance = task.instance(problemSeeds(random.uint32(), cfg.metaBatch), 'train');
  try {
    return trainRollout(learner, cfg.metaLr, cfg.learned, instance, cfg.steps, cfg.unroll);
  } finally {
    instance.dispose();
  }
}

function initialState(cfg: ResolvedMetaTrainConfig): MetaTrainState {
  const random = Random.fromSeed(cfg.seed);
  const inputSize = lstmInputSize(cfg.learned);
  const weights = initLstmWeights(inputSize, cfg.learned.hiddenSize, random);
  const n = lstmWeightCount(inputSize, cfg.learned.hiddenSize);
  return {
    numericsVersion: NUMERICS_VERSION,
    epochsDone: 0,
    rolloutsDone: 0,
    epochMetaLossSum: 0,
    epochTruncations: 0,
    weights,
    metaAdam: { t: 0, m: new Float32Array(n), v: new Float32Array(n) },
    best: null,
    bestScore: null,
    rngState: random.state(),
    epochs: [],
  };
}

/** Scores the current φ on fresh test problems (one batch). */
async function evaluateEpoch(
  task: Task,
  cfg: ResolvedMetaTrainConfig,
  state: MetaTrainState,
  random: Random,
): Promise<EpochMetrics> {
  // Drawn either way, so that both kinds of validation see the same training problems.
  const drawn = random.uint32();
  const evalSeed = cfg.validation === 'fixed' ? fixedValidationSeed(cfg.seed) : drawn;
  const matrix = await evaluateOnTask(
    task,
    { learned: cfg.learned, weights: state.weights },
    problemSeeds(evalSeed, cfg.nTests),
    cfg.steps,
  );
  const score = meanSumLoss(matrix);
  // NaN compares false, so a diverged evaluation can never become the best.
  const best = Number.isFinite(score) && (state.bestScore === null || score < state.bestScore);
  return {
    epoch: state.epochsDone,
    score,
    metaLoss: state.epochTruncations ? state.epochMetaLossSum / state.epochTruncations : NaN,
    best,
    bestScore: best ? score : state.bestScore,
    evalSeed,
    evalDivergedAtStep: matrix.divergedAtStep,
  };
}

/** The seed of the problems every epoch of a `fixed` validation is scored on. */
function fixedValidationSeed(seed: number): number {
  // A stream of its own, apart from the training stream that Random.fromSeed(seed) starts.
  return Random.fromSeed(seed).uint32() ^ 0x5a17d5e7;
}

function endEpoch(state: MetaTrainState, random: Random, metrics: EpochMetrics): MetaTrainState {
  return {
    ...state,
    epochsDone: state.epochsDone + 1,
    rolloutsDone: 0,
    epochMetaLossSum: 0,
    epochTruncations: 0,
    best: metrics.best ? state.weights : state.best,
    bestScore: metrics.bestScore,
    rngState: random.state(),
    epochs: [...state.epochs, metrics],
  };
}

function snapshot(
  state: MetaTrainState,
  learner: Learner,
  random: Random,
  progress: Pick<MetaTrainState, 'rolloutsDone' | 'epochMetaLossSum' | 'epochTruncations'>,
): MetaTrainState {
  return {
    ...state,
    ...progress,
    weights: unpackLstmWeights(
      learner.phi.slice(),
      state.weights.inputSize,
      state.weights.hiddenSize,
    ),
    metaAdam: { t: learner.t, m: learner.m.slice(), v: learner.v.slice() },
    rngState: random.state(),
  };
}

/** A private copy of φ and Adam's state, which training updates in place. */
function upload(state: MetaTrainState): Learner {
  const { t, m, v } = state.metaAdam;
  return { phi: packLstmWeights(state.weights), t, m: m.slice(), v: v.slice() };
}

function result(
  state: MetaTrainState,
  extra: { stopped: boolean; diverged?: MetaTrainResult['diverged'] },
): MetaTrainResult {
  return {
    best: state.best ?? state.weights,
    bestScore: state.bestScore,
    epochs: state.epochs,
    state,
    ...extra,
  };
}
