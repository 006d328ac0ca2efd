/**
 * `metaopt run --local`: a sweep (or one run) executed in this process with no services at
 * all — no Redis, no PostgreSQL — for trying metaopt or for a laptop. Runs execute in plan
 * order, which puts each meta-training before the evaluations that need it; trained
 * optimizers and checkpoints live in memory for the session only.
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

export interface LocalResult {
  readonly run: PlannedRun;
  readonly outcome: RunOutcome;
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
    const outcome = await executeRun(run.spec, new MemoryServices(run.id, trained, options));
    results.push({ run, outcome });
    options.onRunFinished?.({ run, outcome }, index, runs.length);
  }
  return { backend, results };
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
