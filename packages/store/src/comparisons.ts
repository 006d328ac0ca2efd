/**
 * Comparisons: the report that ends a comparison sweep. The sweep row holds the name, the
 * spec and the runs; this row holds the layout (which run is which cell) and, once the
 * worker has written it, the result and the figures.
 */
import { translated } from './errors.js';
import { Prisma, type PrismaClient } from './generated/client.js';
import { toJson } from './json.js';
import type { JsonValue } from './types.js';

export type ComparisonStatus = 'running' | 'succeeded' | 'failed';

export interface ComparisonRecord {
  readonly id: string;
  readonly layout: JsonValue;
  readonly status: ComparisonStatus;
  readonly result: JsonValue | null;
  /** Per panel, an SVG document. */
  readonly figures: readonly string[] | null;
  readonly error: { readonly code: string; readonly message: string } | null;
  readonly createdAt: Date;
  readonly finishedAt: Date | null;
}

interface Row {
  id: string;
  layout: unknown;
  status: string;
  result: unknown;
  figures: unknown;
  error: unknown;
  createdAt: Date;
  finishedAt: Date | null;
}

function toRecord(row: Row): ComparisonRecord {
  return {
    id: row.id,
    layout: row.layout as JsonValue,
    status: row.status as ComparisonStatus,
    result: (row.result ?? null) as JsonValue | null,
    figures: (row.figures ?? null) as string[] | null,
    error: (row.error ?? null) as ComparisonRecord['error'],
    createdAt: row.createdAt,
    finishedAt: row.finishedAt,
  };
}

export function createComparisonRepository(db: PrismaClient) {
  return {
    /** Records the comparison of a recorded sweep unless it is there; safe when concurrent. */
    ensure: (id: string, layout: object): Promise<ComparisonRecord> =>
      translated(async () => {
        await db.comparison.createMany({
          data: [{ id, layout: toJson(layout) }],
          skipDuplicates: true,
        });
        return toRecord(await db.comparison.findUniqueOrThrow({ where: { id } }));
      }),

    get: (id: string): Promise<ComparisonRecord | null> =>
      translated(async () => {
        const row = await db.comparison.findUnique({ where: { id } });
        return row ? toRecord(row) : null;
      }),

    /** Back to `running`, its old report dropped: some of its runs are to be computed again. */
    reopen: (id: string): Promise<void> =>
      translated(async () => {
        await db.comparison.update({
          where: { id },
          data: {
            status: 'running',
            result: Prisma.DbNull,
            figures: Prisma.DbNull,
            error: Prisma.DbNull,
            finishedAt: null,
          },
        });
      }),

    finish: (id: string, report: { result: object; figures: readonly string[] }): Promise<void> =>
      translated(async () => {
        await db.comparison.update({
          where: { id },
          data: {
            status: 'succeeded',
            result: toJson(report.result),
            figures: toJson([...report.figures]),
            error: Prisma.DbNull,
            finishedAt: new Date(),
          },
        });
      }),

    fail: (id: string, error: { code: string; message: string }): Promise<void> =>
      translated(async () => {
        await db.comparison.update({
          where: { id },
          data: { status: 'failed', error: toJson(error), finishedAt: new Date() },
        });
      }),
  };
}

export type ComparisonRepository = ReturnType<typeof createComparisonRepository>;
