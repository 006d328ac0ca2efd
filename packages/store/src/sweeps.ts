/** Sweeps: a definition and the runs it expanded into, in order. */
import { decodeCursor, encodeCursor } from './cursor.js';
import { translated } from './errors.js';
import type { PrismaClient } from './generated/client.js';
import { toJson } from './json.js';
import { toRunRecord } from './runs.js';
import type {
  JsonValue,
  SweepListQuery,
  SweepPage,
  SweepRecord,
  SweepRunInput,
  SweepWithRuns,
} from './types.js';

const DEFAULT_PAGE = 50;
const MAX_PAGE = 500;

export interface NewSweep {
  /** Content hash of the sweep definition. */
  readonly id: string;
  readonly name?: string | null;
  readonly spec: object;
}

export function createSweepRepository(db: PrismaClient) {
  return {
    /**
     * Records the sweep and its runs (which must already be recorded) unless they are there;
     * safe under concurrent calls. Links already present are left as they are.
     */
    ensure: (
      sweep: NewSweep,
      runs: readonly SweepRunInput[],
    ): Promise<{ sweep: SweepRecord; created: boolean }> =>
      translated(async () => {
        // A sweep's id hashes its runs, and links are never removed: one that is there with
        // all its links needs no transaction (the common case of a sweep submitted again).
        const known = await db.sweep.findUnique({
          where: { id: sweep.id },
          include: { _count: { select: { runs: true } } },
        });
        if (known && known._count.runs >= runs.length) {
          const { id, name, spec, createdAt } = known;
          return { sweep: { id, name, spec: spec as JsonValue, createdAt }, created: false };
        }
        return db.$transaction(async (tx) => {
          const { count } = await tx.sweep.createMany({
            data: [{ id: sweep.id, name: sweep.name ?? null, spec: toJson(sweep.spec) }],
            skipDuplicates: true,
          });
          await tx.sweepRun.createMany({
            data: runs.map((run) => ({
              sweepId: sweep.id,
              runId: run.runId,
              position: run.position,
              role: run.role ?? null,
            })),
            skipDuplicates: true,
          });
          const row = await tx.sweep.findUniqueOrThrow({ where: { id: sweep.id } });
          return { sweep: { ...row, spec: row.spec as JsonValue }, created: count === 1 };
        });
      }),

    get: (id: string): Promise<SweepWithRuns | null> =>
      translated(async () => {
        const row = await db.sweep.findUnique({
          where: { id },
          include: { runs: { include: { run: true }, orderBy: { position: 'asc' } } },
        });
        if (!row) return null;
        return {
          id: row.id,
          name: row.name,
          spec: row.spec as JsonValue,
          createdAt: row.createdAt,
          runs: row.runs.map((entry) => ({
            runId: entry.runId,
            position: entry.position,
            role: entry.role,
            run: toRunRecord(entry.run),
          })),
        };
      }),

    /**
     * Newest first, with the status of each run (in position order) so a listing can say how
     * far each sweep has got without reading every run record; pages follow `nextCursor`.
     */
    list: (query: SweepListQuery = {}): Promise<SweepPage> =>
      translated(async () => {
        const limit = Math.min(Math.max(Math.trunc(query.limit ?? DEFAULT_PAGE), 1), MAX_PAGE);
        const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
        const rows = await db.sweep.findMany({
          where: after && {
            OR: [
              { createdAt: { lt: after.createdAt } },
              { createdAt: after.createdAt, id: { lt: after.id } },
            ],
          },
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
          take: limit + 1,
          include: {
            runs: { select: { run: { select: { status: true } } }, orderBy: { position: 'asc' } },
          },
        });
        const items = rows.slice(0, limit).map((row) => ({
          id: row.id,
          name: row.name,
          spec: row.spec as JsonValue,
          createdAt: row.createdAt,
          statuses: row.runs.map((entry) => entry.run.status),
        }));
        const last = items.at(-1);
        return rows.length > limit && last ? { items, nextCursor: encodeCursor(last) } : { items };
      }),
  };
}

export type SweepRepository = ReturnType<typeof createSweepRepository>;
