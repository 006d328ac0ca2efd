/**
 * Run records and their life cycle. Every status change is one conditional UPDATE, so two
 * workers (or a worker and a cancelling user) racing on the same run cannot both win:
 *
 *   change        from                          to
 *   markRunning   queued, running, failed       running
 *   finish        queued, running, failed       succeeded | diverged (with its curves)
 *   fail          queued, running               failed
 *   cancel        queued, running, failed       cancelled
 *   requeue       running, failed, cancelled    queued
 *   release       running (of one worker)       queued
 *
 * A change asked of a run in a status it does not apply to leaves the run alone and reports
 * `changed: false` with the record as it is.
 */
import type { RunSpec } from '@metaopt/spec';
import { decodeCursor, encodeCursor } from './cursor.js';
import { StoreError, translated } from './errors.js';
import { Prisma, type PrismaClient, type Run } from './generated/client.js';
import { toJson } from './json.js';
import { insertCurves, validateCurves } from './curves.js';
import type {
  CurveInput,
  NewRun,
  RunError,
  RunListQuery,
  RunPage,
  RunProgress,
  RunRecord,
  RunStatus,
  RunSummary,
  Transition,
} from './types.js';

const STARTABLE: RunStatus[] = ['queued', 'running', 'failed'];
const FINISHABLE: RunStatus[] = ['queued', 'running', 'failed'];
const FAILABLE: RunStatus[] = ['queued', 'running'];
const CANCELLABLE: RunStatus[] = ['queued', 'running', 'failed'];
const REQUEUEABLE: RunStatus[] = ['running', 'failed', 'cancelled'];
const RELEASABLE: RunStatus[] = ['running'];

const DEFAULT_PAGE = 50;
/** Rows per statement when writing many: well under PostgreSQL's 65,535 bind parameters. */
const BATCH = 1000;
const MAX_PAGE = 500;

export interface FinishInput {
  readonly status: 'succeeded' | 'diverged';
  readonly summary: RunSummary;
  readonly curves: readonly CurveInput[];
}

export function toRunRecord(row: Run): RunRecord {
  return {
    id: row.id,
    kind: row.kind as RunRecord['kind'],
    taskKind: row.taskKind as RunRecord['taskKind'],
    spec: row.spec as unknown as RunSpec,
    status: row.status,
    progress: row.progress as RunProgress | null,
    summary: row.summary as RunSummary | null,
    error: row.error as RunError | null,
    attempts: row.attempts,
    backend: row.backend,
    worker: row.worker,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    updatedAt: row.updatedAt,
  };
}

function notFound(id: string): StoreError {
  return new StoreError('STORE_NOT_FOUND', `No run ${id}.`);
}

export function createRunRepository(db: PrismaClient) {
  /** Moves run `id` from one of `from` to what `data` says, atomically. */
  async function transition(
    id: string,
    from: RunStatus[],
    data: Prisma.RunUpdateManyMutationInput,
    also: Prisma.RunWhereInput = {},
  ): Promise<Transition> {
    const [changed] = await db.run.updateManyAndReturn({
      where: { ...also, id, status: { in: from } },
      data,
    });
    if (changed) return { run: toRunRecord(changed), changed: true };

    const current = await db.run.findUnique({ where: { id } });
    if (!current) throw notFound(id);
    return { run: toRunRecord(current), changed: false };
  }

  return {
    /**
     * Records a run unless its id is already there; safe under concurrent calls for the same
     * id, of which exactly one reports `created`.
     */
    ensure: (run: NewRun): Promise<{ run: RunRecord; created: boolean }> =>
      translated(async () => {
        const { count } = await db.run.createMany({
          data: [{ id: run.id, kind: run.kind, taskKind: run.taskKind, spec: toJson(run.spec) }],
          skipDuplicates: true,
        });
        const row = await db.run.findUniqueOrThrow({ where: { id: run.id } });
        return { run: toRunRecord(row), created: count === 1 };
      }),

    /**
     * `ensure` for many runs in a few statements instead of two per run (a 1000-cell sweep
     * took seconds to submit): records those not there, returns every one's record, in no
     * particular order. Safe under concurrent calls, like `ensure`.
     */
    ensureMany: (runs: readonly NewRun[]): Promise<RunRecord[]> =>
      translated(async () => {
        const records: RunRecord[] = [];
        for (let start = 0; start < runs.length; start += BATCH) {
          const batch = runs.slice(start, start + BATCH);
          await db.run.createMany({
            data: batch.map((run) => ({
              id: run.id,
              kind: run.kind,
              taskKind: run.taskKind,
              spec: toJson(run.spec),
            })),
            skipDuplicates: true,
          });
          const rows = await db.run.findMany({
            where: { id: { in: batch.map((run) => run.id) } },
          });
          records.push(...rows.map(toRunRecord));
        }
        return records;
      }),

    get: (id: string): Promise<RunRecord | null> =>
      translated(async () => {
        const row = await db.run.findUnique({ where: { id } });
        return row ? toRunRecord(row) : null;
      }),

    /** Newest first, optionally filtered; pages follow `nextCursor`. */
    list: (query: RunListQuery = {}): Promise<RunPage> =>
      translated(async () => {
        const limit = Math.min(Math.max(Math.trunc(query.limit ?? DEFAULT_PAGE), 1), MAX_PAGE);
        const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
        const rows = await db.run.findMany({
          where: {
            kind: query.kind,
            status: query.status,
            taskKind: query.taskKind,
            ...(after && {
              OR: [
                { createdAt: { lt: after.createdAt } },
                { createdAt: after.createdAt, id: { lt: after.id } },
              ],
            }),
          },
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
          take: limit + 1,
        });
        const items = rows.slice(0, limit).map(toRunRecord);
        const last = items.at(-1);
        return rows.length > limit && last ? { items, nextCursor: encodeCursor(last) } : { items };
      }),

    /** A worker takes the run (again): `attempt` counts from 1. */
    markRunning: (
      id: string,
      by: { readonly worker: string; readonly backend: string; readonly attempt: number },
    ): Promise<Transition> =>
      translated(() =>
        transition(id, STARTABLE, {
          status: 'running',
          worker: by.worker,
          backend: by.backend,
          attempts: by.attempt,
          startedAt: new Date(),
          finishedAt: null,
        }),
      ),

    /** Written only while the run is running; false otherwise (or if there is no such run). */
    updateProgress: (id: string, progress: RunProgress): Promise<boolean> =>
      translated(async () => {
        const { count } = await db.run.updateMany({
          where: { id, status: 'running' },
          data: { progress: toJson(progress) },
        });
        return count === 1;
      }),

    /**
     * Stores the result and the curves in one transaction. Finishing a run that is already
     * settled (or cancelled) changes nothing and reports `changed: false`.
     */
    finish: async (id: string, result: FinishInput): Promise<Transition> => {
      validateCurves(result.curves);
      return translated(() =>
        db.$transaction(async (tx) => {
          const [finished] = await tx.run.updateManyAndReturn({
            where: { id, status: { in: FINISHABLE } },
            data: {
              status: result.status,
              summary: toJson(result.summary),
              // Progress reports are throttled, so the last one may predate the end.
              progress: toJson({ fraction: 1 }),
              error: Prisma.DbNull,
              finishedAt: new Date(),
            },
          });
          if (!finished) {
            const current = await tx.run.findUnique({ where: { id } });
            if (!current) throw notFound(id);
            return { run: toRunRecord(current), changed: false };
          }
          await insertCurves(tx, id, result.curves);
          return { run: toRunRecord(finished), changed: true };
        }),
      );
    },

    /** The last attempt failed: the run stops here until requeued. */
    fail: (id: string, error: RunError, attempts: number): Promise<Transition> =>
      translated(() =>
        transition(id, FAILABLE, {
          status: 'failed',
          error: toJson({ code: error.code, message: error.message }),
          attempts,
          finishedAt: new Date(),
        }),
      ),

    /**
     * Back to queued, for a retry or a resubmission: failed, cancelled and running runs (a
     * worker handing its job back). Returns the ids that moved.
     */
    requeue: (ids: readonly string[]): Promise<string[]> =>
      translated(async () => {
        const moved = await db.run.updateManyAndReturn({
          where: { id: { in: [...ids] }, status: { in: REQUEUEABLE } },
          data: { status: 'queued', progress: Prisma.DbNull, finishedAt: null },
          select: { id: true },
        });
        return moved.map((row) => row.id);
      }),

    /**
     * A worker gives a run back (to wait for a retry, or for another worker after a shutdown):
     * running → queued only, so a run cancelled meanwhile stays cancelled. With `worker`, only
     * if that worker holds it, so a worker cleaning up late cannot take a run from its
     * successor.
     */
    release: (id: string, worker?: string): Promise<Transition> =>
      translated(() =>
        transition(
          id,
          RELEASABLE,
          { status: 'queued', progress: Prisma.DbNull, finishedAt: null },
          worker === undefined ? {} : { worker },
        ),
      ),

    cancel: (id: string): Promise<Transition> =>
      translated(() =>
        transition(id, CANCELLABLE, { status: 'cancelled', finishedAt: new Date() }),
      ),
  };
}

export type RunRepository = ReturnType<typeof createRunRepository>;
