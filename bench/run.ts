/**
 * `npm run bench`: the speed targets, measured. Each workload runs in its own fresh process
 * (bench/child.ts) for a few repetitions; the first repetition of a process is cold (module
 * and wasm warm-up, heap growth) and reported apart, the median of the others is the figure
 * compared with the reference. Results go to stdout as a markdown table and to
 * bench/results/last.json.
 *
 * Usage: npm run bench -- [--only name,name] [--reps n] [--backend wasm|cpu|auto]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { WORKLOADS } from './workloads.js';

/** Repetitions per workload unless --reps says otherwise: the long ones fewer. */
const DEFAULT_REPS: Readonly<Record<string, number>> = {
  'quadratic-epoch': 5,
  'mnist-train-rollout': 3,
  'mnist-eval-rollout': 3,
  'mnist-eval-100': 1,
  'quadratic-baseline-sweep': 5,
};

interface ChildReport {
  readonly name: string;
  readonly backend: string;
  readonly seconds: readonly number[];
  readonly cpuSeconds: readonly number[];
  readonly peakRssMb: number;
}

interface Row {
  readonly name: string;
  readonly backend: string;
  readonly coldS: number;
  /** Median of the warm repetitions, or the cold one when there was only one. */
  readonly medianS: number;
  /** The same median in CPU seconds of this process (all its threads). */
  readonly medianCpuS: number;
  readonly seconds: readonly number[];
  readonly cpuSeconds: readonly number[];
  readonly peakRssMb: number;
  readonly referenceS: number;
  readonly targetS: number;
  readonly targetRssMb?: number;
}

const root = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    reps: { type: 'string' },
    backend: { type: 'string', default: 'wasm' },
  },
});
const names = values.only ? values.only.split(',') : Object.keys(WORKLOADS);

const rows: Row[] = [];
for (const name of names) {
  const workload = WORKLOADS[name];
  if (!workload) throw new Error(`unknown workload ${name}; known: ${Object.keys(WORKLOADS)}`);
  const reps = Number(values.reps ?? DEFAULT_REPS[name] ?? 3);
  const output = execFileSync(
    process.execPath,
    ['--import', 'tsx', 'bench/child.ts', name, String(reps), values.backend!],
    { cwd: root, encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  const report = JSON.parse(output.trim().split('\n').pop()!) as ChildReport;
  const warm = report.seconds.slice(1);
  const warmCpu = report.cpuSeconds.slice(1);
  rows.push({
    name,
    backend: report.backend,
    coldS: report.seconds[0]!,
    medianS: median(warm.length > 0 ? warm : report.seconds),
    medianCpuS: median(warmCpu.length > 0 ? warmCpu : report.cpuSeconds),
    seconds: report.seconds,
    cpuSeconds: report.cpuSeconds,
    peakRssMb: report.peakRssMb,
    referenceS: workload.referenceS,
    targetS: workload.targetS,
    ...(workload.targetRssMb === undefined ? {} : { targetRssMb: workload.targetRssMb }),
  });
  const list = (xs: readonly number[]) => xs.map((x) => x.toFixed(2)).join(' ');
  process.stderr.write(
    `${name}: wall ${list(report.seconds)} s, cpu ${list(report.cpuSeconds)} s\n`,
  );
}

mkdirSync(resolve(root, 'bench/results'), { recursive: true });
writeFileSync(
  resolve(root, 'bench/results/last.json'),
  `${JSON.stringify({ measuredAt: new Date().toISOString(), rows }, null, 2)}\n`,
);
process.stdout.write(table(rows));

function table(measured: readonly Row[]): string {
  const lines = [
    '| workload | reference | target | median wall | median CPU | cold wall | peak RSS | ' +
      'reference ÷ median wall | met |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const row of measured) {
    const workload = WORKLOADS[row.name]!;
    const rssOk = row.targetRssMb === undefined || row.peakRssMb <= row.targetRssMb;
    const met = row.medianS <= row.targetS && rssOk ? 'yes' : 'no';
    const target = `≤ ${row.targetS} s${row.targetRssMb ? `, ≤ ${row.targetRssMb} MB` : ''}`;
    const cells = [
      row.name,
      workload.reference,
      target,
      `${row.medianS.toFixed(2)} s`,
      `${row.medianCpuS.toFixed(2)} s`,
      `${row.coldS.toFixed(2)} s`,
      `${Math.round(row.peakRssMb)} MB`,
      (row.referenceS / row.medianS).toFixed(1),
      met,
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
