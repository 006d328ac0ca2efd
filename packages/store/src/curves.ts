/**
 * Curves: per-step statistics of a series over a run's test problems, written once when the
 * run finishes and read back downsampled for plotting.
 *
 * Written with SQL rather than the Prisma client because a diverged run's curve holds NaN and
 * infinities, which PostgreSQL's float8 keeps but the client cannot send.
 */
import { endianness } from 'node:os';
import { StoreError, translated } from './errors.js';
import { sampleSteps } from './downsample.js';
import { Prisma, type PrismaClient } from './generated/client.js';
import { CURVE_STATISTICS, type CurveInput, type CurvePoints, type CurveQuery } from './types.js';

type Queryable = Pick<PrismaClient, '$executeRaw' | '$queryRaw'>;

/** A float8[] literal: String() spells NaN and ±Infinity as PostgreSQL reads them; not -0. */
function float8Array(values: readonly number[] | undefined): string {
  const literal = (value: number) => (Object.is(value, -0) ? '-0' : String(value));
  return `{${(values ?? []).map(literal).join(',')}}`;
}

/** float32 little-endian bytes, whatever this machine's byte order. */
function littleEndianBytes(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  if (endianness() === 'LE') return bytes;
  const swapped = new Uint8Array(values.byteLength);
  const view = new DataView(swapped.buffer);
  values.forEach((value, i) => view.setFloat32(i * 4, value, true));
  return swapped;
}

function fromLittleEndianBytes(bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Float32Array.from({ length: bytes.byteLength / 4 }, (_, i) =>
    view.getFloat32(i * 4, true),
  );
}

/** Refuses curves the table's shape check would, with a message that says which and why. */
export function validateCurves(curves: readonly CurveInput[]): void {
  const seen = new Set<string>();
  for (const curve of curves) {
    const problem = shapeProblem(curve) ?? (seen.has(curve.series) ? 'appears twice' : undefined);
    if (problem) {
      throw new StoreError('STORE_INVALID_INPUT', `Curve '${curve.series}' ${problem}.`);
    }
    seen.add(curve.series);
  }
}

function shapeProblem(curve: CurveInput): string | undefined {
  const { steps, problems } = curve;
  if (!Number.isInteger(steps) || steps < 0 || !Number.isInteger(problems) || problems < 0) {
    return `has steps ${steps} and problems ${problems}`;
  }
  if (curve.mean.length !== steps) return `has ${curve.mean.length} means for ${steps} steps`;
  for (const statistic of CURVE_STATISTICS) {
    const length = curve[statistic]?.length ?? 0;
    if (length !== 0 && length !== steps) return `has ${length} ${statistic} for ${steps} steps`;
  }
  if (curve.raw && curve.raw.length !== steps * problems) {
    return `has ${curve.raw.length} raw values for ${problems} problems × ${steps} steps`;
  }
  return undefined;
}

/** Writes a run's curves; call inside the transaction that finishes the run. */
export async function insertCurves(
  db: Queryable,
  runId: string,
  curves: readonly CurveInput[],
): Promise<void> {
  for (const c of curves) {
    const raw = c.raw ? littleEndianBytes(c.raw) : null;
    await db.$executeRaw`
      INSERT INTO curves
        (run_id, series, steps, problems, mean, std, p10, median, p90, min, max, raw)
      VALUES (
        ${runId}, ${c.series}, ${c.steps}, ${c.problems},
        ${float8Array(c.mean)}::float8[], ${float8Array(c.std)}::float8[],
        ${float8Array(c.p10)}::float8[], ${float8Array(c.median)}::float8[],
        ${float8Array(c.p90)}::float8[], ${float8Array(c.min)}::float8[],
        ${float8Array(c.max)}::float8[], ${raw}
      )`;
  }
}

interface CurveRow {
  series: string;
  steps: number;
  problems: number;
  mean: number[];
  std: number[];
  p10: number[];
  median: number[];
  p90: number[];
  min: number[];
  max: number[];
  has_raw: boolean;
}

function toPoints(row: CurveRow, maxPoints: number | undefined): CurvePoints {
  const step = sampleSteps(row.steps, maxPoints);
  const pick = (values: number[]) => (values.length === 0 ? null : step.map((i) => values[i]!));
  return {
    series: row.series,
    steps: row.steps,
    problems: row.problems,
    step,
    mean: step.map((i) => row.mean[i]!),
    std: pick(row.std),
    p10: pick(row.p10),
    median: pick(row.median),
    p90: pick(row.p90),
    min: pick(row.min),
    max: pick(row.max),
    hasRaw: row.has_raw,
  };
}

export function createCurveRepository(db: PrismaClient) {
  return {
    /** The run's curves by series name, each with at most `maxPoints` points. */
    get: async (runId: string, query: CurveQuery = {}): Promise<CurvePoints[]> => {
      sampleSteps(2, query.maxPoints); // refuse a bad maxPoints before any I/O
      const series =
        query.series === undefined ? Prisma.empty : Prisma.sql`AND series = ${query.series}`;
      return translated(async () => {
        const rows = await db.$queryRaw<CurveRow[]>`
          SELECT series, steps, problems, mean, std, p10, median, p90, min, max,
                 raw IS NOT NULL AS has_raw
          FROM curves WHERE run_id = ${runId} ${series}
          ORDER BY series`;
        return rows.map((row) => toPoints(row, query.maxPoints));
      });
    },

    /** The problems × steps matrix (row-major) of one series, if it was stored. */
    raw: (runId: string, series: string): Promise<Float32Array | null> =>
      translated(async () => {
        const row = await db.curve.findUnique({
          where: { runId_series: { runId, series } },
          select: { raw: true },
        });
        return row?.raw ? fromLittleEndianBytes(row.raw) : null;
      }),
  };
}

export type CurveRepository = ReturnType<typeof createCurveRepository>;
