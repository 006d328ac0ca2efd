/**
 * `metaopt run --local`: a sweep (or one run) executed in this process with no services at
 * all — no Redis, no PostgreSQL — for trying metaopt or for a laptop. Runs execute in plan
 * order, which puts each meta-training before the evaluations that need it; trained
 * optimizers and checkpoints live in memory for the session only. A run that throws is
 * recorded as failed, as a worker would record it, and the session carries on: the runs
 * that needed it fail in turn, the others still give their results.
 */
import {
  NUMERICS_VERSION,
  fromTorchStateDict,
  initBackend,
  type BackendChoice,
  type LstmWeights,
  type MetaTrainState,
} from '@metaopt/l2l';
import { executeRun, type RunOutcome, type RunServices } from '@metaopt/runner';
import { planRun, planSweep, runIdOf, type PlannedRun, type TrainedSource } from '@metaopt/spec';
import { readFileSync } from 'node:fs';

/** What a run that threw left: the worker's error shape, `RUN_FAILED` unless it had a code. */
export interface FailedOutcome {
  readonly kind: 'failed';
  readonly error: { readonly code: string; readonly message: string };
}

export interface LocalResult {
  readonly run: PlannedRun;
  readonly outcome: RunOutcome | FailedOutcome;
}

export interface LocalOptions {
  readonly backend: BackendChoice;
  /** Checkpoint files (PyTorch state_dict JSON) by content hash, for `trained.checkpoint`. */
  readonly checkpointFiles?: Readonly<Record<string, string>>;
  readonly onRunFinished?: (result: LocalResult, index: number, total: number) => void;
}

export async function runLocally(document: unknown, options: LocalOptions) {
  const { name: backend } = await initBackend(options.backend);
  const isRun = typeof document === 'object' && document !== null && 'kind' in document;
  const runs = isRun
    ? planRun(document, NUMERICS_VERSION)
    : planSweep(document, NUMERICS_VERSION).runs;

  const trained = new Map<string, LstmWeights>();
  const results: LocalResult[] = [];
  for (const [index, run] of runs.entries()) {
    const services = new MemoryServices(run.id, trained, options);
    const outcome = await executeRun(run.spec, services).catch(failedOutcome);
    results.push({ run, outcome });
    options.onRunFinished?.({ run, outcome }, index, runs.length);
  }
  return { backend, results };
}

export function outcomeText(outcome: LocalResult['outcome']): string {
  if (outcome.kind === 'finished') return outcome.status;
  if (outcome.kind === 'failed') return `failed: ${outcome.error.message}`;
  return outcome.kind;
}

function failedOutcome(error: unknown): FailedOutcome {
  const code = (error as { code?: unknown } | null)?.code;
  return {
    kind: 'failed',
    error: {
      code: typeof code === 'string' ? code : 'RUN_FAILED',
      message: error instanceof Error ? error.message : String(error),
    },
  };
}

class MemoryServices implements RunServices {
  constructor(
    private readonly runId: string,
    private readonly trained: Map<string, LstmWeights>,
    private readonly options: LocalOptions,
  ) {}

  async trainedWeights(source: TrainedSource): Promise<LstmWeights> {
    if ('metaTrain' in source) {
      const weights = this.trained.get(runIdOf(source.metaTrain, NUMERICS_VERSION));
      if (!weights) throw new Error('the meta-training this evaluation names left no optimizer');
      return weights;
    }
    const file = this.options.checkpointFiles?.[source.checkpoint];
    if (!file) throw new Error(`checkpoint ${source.checkpoint} is not available locally`);
    return fromTorchStateDict(JSON.parse(readFileSync(file, 'utf8')));
  }

  async latestMetaTrainState(): Promise<MetaTrainState | undefined> {
    return undefined;
  }

  async saveEpoch(state: MetaTrainState): Promise<void> {
    if (state.best) this.trained.set(this.runId, state.best);
  }

  async saveStoppedState(): Promise<void> {}

  async progress(): Promise<void> {}

  stopRequested(): boolean {
    return false;
  }
}
