/**
 * The records the store hands out: plain objects, detached from Prisma, so that apps depend on
 * this file and not on the generated client.
 */
import type { RunKind, RunSpec, TaskKind } from '@metaopt/spec';

export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'diverged' | 'failed' | 'cancelled';
export const RUN_STATUSES: readonly RunStatus[] = [
  'queued',
  'running',
  'succeeded',
  'diverged',
  'failed',
  'cancelled',
];

/** Where a running run is. Written at most every few seconds by the worker. */
export interface RunProgress {
  /** 0..1 of the whole run. */
  readonly fraction: number;
  readonly epoch?: number;
  readonly step?: number;
  readonly loss?: number;
}

/**
 * What a finished run reports. JSON has no NaN or infinity: a non-finite number (the score of a
 * run that diverged at once, say) is stored, and read back, as null.
 */
export interface RunSummary {
  /** Mean over test problems of the summed loss over steps: the paper's score. */
  readonly meanSumLoss?: number | null;
  /** Standard deviation over test problems of the summed loss. */
  readonly sumLossStd?: number | null;
  readonly finalLossMean?: number | null;
  /** First step at which a loss became NaN or infinite. */
  readonly divergedAtStep?: number;
  /** Meta-training: the best per-epoch test score. */
  readonly bestScore?: number | null;
  readonly epochs?: number;
}

export interface RunError {
  readonly code: string;
  readonly message: string;
}

export interface RunRecord {
  /** SHA-256 hex of the normalized spec and the numerics version. */
  readonly id: string;
  readonly kind: RunKind;
  readonly taskKind: TaskKind;
  /** As stored: JSONB reorders keys, so never hash this to recompute the id. */
  readonly spec: RunSpec;
  readonly status: RunStatus;
  readonly progress: RunProgress | null;
  readonly summary: RunSummary | null;
  /** The last failure, kept through retries and cleared when the run finishes. */
  readonly error: RunError | null;
  readonly attempts: number;
  readonly backend: string | null;
  readonly worker: string | null;
  readonly createdAt: Date;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
  readonly updatedAt: Date;
}

export interface NewRun {
  readonly id: string;
  readonly kind: RunKind;
  readonly taskKind: TaskKind;
  readonly spec: RunSpec;
}

/** The outcome of a status change: the record after it, and whether it changed anything. */
export interface Transition {
  readonly run: RunRecord;
  readonly changed: boolean;
}

/** Statistics over test problems, one entry per step (or per epoch, for 'epochScore'). */
export const CURVE_STATISTICS = ['mean', 'std', 'p10', 'median', 'p90', 'min', 'max'] as const;
export type CurveStatistic = (typeof CURVE_STATISTICS)[number];

export type CurveInput = {
  /** 'loss' for baselines and evaluations, 'epochScore' for meta-training, … */
  readonly series: string;
  /** Entries in each statistic. */
  readonly steps: number;
  /** Test problems the statistics are over. */
  readonly problems: number;
  readonly mean: readonly number[];
  /** Optional problems × steps matrix of the raw values, row-major. */
  readonly raw?: Float32Array;
} & { readonly [S in Exclude<CurveStatistic, 'mean'>]?: readonly number[] };

export type CurvePoints = {
  readonly series: string;
  /** Entries stored; `step` says which of them were returned. */
  readonly steps: number;
  readonly problems: number;
  /** Step index of each returned point, ascending, always including the first and last. */
  readonly step: readonly number[];
  readonly mean: readonly number[];
  readonly hasRaw: boolean;
} & { readonly [S in Exclude<CurveStatistic, 'mean'>]: readonly number[] | null };

export interface CurveQuery {
  /** Only this series; all of the run's when absent. */
  readonly series?: string;
  /** Most points per series (at least 2); all when absent. */
  readonly maxPoints?: number;
}

export type CheckpointRole = 'state' | 'best';

export interface CheckpointInput {
  readonly epoch: number;
  readonly score: number | null;
  readonly role: CheckpointRole;
  readonly bytes: Uint8Array;
}

/** One run's pointer at a checkpoint. */
export interface CheckpointRef {
  readonly runId: string;
  /** SHA-256 hex of the bytes. */
  readonly checkpointId: string;
  readonly role: CheckpointRole;
  readonly epoch: number;
  readonly score: number | null;
  readonly size: number;
  readonly createdAt: Date;
}

export interface CheckpointBytes {
  readonly id: string;
  readonly bytes: Uint8Array;
  readonly size: number;
}

export interface SweepRecord {
  readonly id: string;
  readonly name: string | null;
  readonly spec: JsonValue;
  readonly createdAt: Date;
}

export interface SweepRunInput {
  readonly runId: string;
  readonly position: number;
  /** e.g. 'cell' for a grid point, 'dependency' for a meta-training an evaluation needs. */
  readonly role?: string | null;
}

export interface SweepWithRuns extends SweepRecord {
  /** In position order. */
  readonly runs: readonly {
    readonly runId: string;
    readonly position: number;
    readonly role: string | null;
    readonly run: RunRecord;
  }[];
}

export interface RunListQuery {
  readonly kind?: RunKind;
  readonly status?: RunStatus;
  readonly taskKind?: TaskKind;
  /** 1..500, default 50. */
  readonly limit?: number;
  /** `nextCursor` of the previous page. */
  readonly cursor?: string;
}

export interface RunPage {
  /** Newest first. */
  readonly items: readonly RunRecord[];
  /** Absent on the last page. */
  readonly nextCursor?: string;
}

export interface SweepListQuery {
  /** 1..500, default 50. */
  readonly limit?: number;
  /** `nextCursor` of the previous page. */
  readonly cursor?: string;
}

export interface SweepSummary extends SweepRecord {
  /** The status of each of the sweep's runs, in position order. */
  readonly statuses: readonly RunStatus[];
}

export interface SweepPage {
  /** Newest first. */
  readonly items: readonly SweepSummary[];
  /** Absent on the last page. */
  readonly nextCursor?: string;
}
