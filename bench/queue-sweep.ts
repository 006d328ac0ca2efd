/**
 * `node --import tsx bench/queue-sweep.ts`: the quadratic baseline sweep (4 optimizers × 11
 * learning rates × 100 problems × 100 steps) through the whole service: the API in this
 * process, one worker process, PostgreSQL and Redis (DATABASE_URL / REDIS_URL, else the
 * local default ports), on a fresh database and queue prefix of its own.
 *
 * Two ways in, each timed from the POST to the last run settled, REPS times with a new seed
 * each (a repeated seed would be answered from the store):
 * - `sweep`: POST /v1/sweeps, one job per run (44 jobs);
 * - `comparison`: POST /v1/comparisons with baselines only, one job per learning-rate grid
 *   (4 jobs) and the report job with its table and figure.
 * Where the time goes is read from the run records: the time inside jobs (started →
 * finished, numerics and writes) against the wall time (the rest is queueing and dispatch).
 * A first, untimed submission warms the worker's sandboxed process (backend start-up).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import pg from 'pg';
import { buildApp } from '../apps/api/src/app.js';
import { loadApiConfig } from '../apps/api/src/config.js';
import { RunProducer, createRedis } from '@metaopt/queue';
import { createStore } from '@metaopt/store';
import { migrate } from '../scripts/migrate.js';
import { LR_GRID } from './workloads.js';

const REPS = Number(process.env.BENCH_REPS ?? 3);
const POLL_MS = 50;
const root = resolve(import.meta.dirname, '..');

const base = { task: { kind: 'quadratic', dim: 10 }, steps: 100, nTests: 100 };
const OPTIMIZERS = ['adam', 'rmsprop', 'sgd', 'nag'] as const;

const sweepOf = (seed: number) => ({
  name: `bench-sweep-${seed}`,
  base: { ...base, seed },
  blocks: OPTIMIZERS.map((name) => ({
    with: { kind: 'baseline', optimizer: { name, lr: 0.1 } },
    grid: { 'optimizer.lr': LR_GRID },
  })),
});
const comparisonOf = (seed: number) => ({
  name: `bench-comparison-${seed}`,
  task: base.task,
  steps: base.steps,
  nTests: base.nTests,
  seed,
  baselines: { optimizers: OPTIMIZERS, lrs: LR_GRID },
});

interface Timing {
  readonly mode: 'sweep' | 'comparison';
  readonly wallS: number;
  /** Σ over runs of started → finished; overlapping runs of one grid job count once. */
  readonly inJobsS: number;
  readonly jobs: number;
}

async function main(): Promise<void> {
  // 1. A database and a queue prefix of its own.
  const server = new URL(process.env.DATABASE_URL ?? 'postgresql://root@127.0.0.1:5432/postgres');
  const name = `metaopt_queue_sweep_${randomBytes(3).toString('hex')}`;
  const databaseUrl = Object.assign(new URL(server), { pathname: `/${name}` }).toString();
  await migrate({ databaseUrl, quiet: true });
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const queuePrefix = `bench-${randomBytes(3).toString('hex')}`;

  // 2. The API in this process, one worker process.
  const config = loadApiConfig({
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    METAOPT_QUEUE_PREFIX: queuePrefix,
  });
  const store = createStore({ databaseUrl });
  const redis = createRedis(redisUrl, 'producer');
  const producer = new RunProducer({ connection: redis, prefix: queuePrefix });
  const app = await buildApp({ config, store, redis, producer, logger: false });
  const worker = spawn(process.execPath, ['--import', 'tsx', 'apps/worker/src/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      METAOPT_QUEUE_PREFIX: queuePrefix,
      METAOPT_BACKEND: 'wasm',
      LOG_LEVEL: 'warn',
      WORKER_NAME: 'bench-queue-sweep',
      WORKER_DEPENDENCY_POLL_MS: '100',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });

  try {
    const post = async (url: string, payload: object) =>
      (await app.inject({ method: 'POST', url, payload })).json() as { id: string };
    const settled = async (sweepId: string, comparison: boolean) => {
      for (;;) {
        const sweep = await store.sweeps.get(sweepId);
        const runsDone = sweep?.runs.every((e) => ['succeeded', 'diverged'].includes(e.run.status));
        const reportDone =
          !comparison || (await store.comparisons.get(sweepId))?.status !== 'running';
        if (runsDone && reportDone) return sweep!;
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    };
    const timed = async (mode: Timing['mode'], seed: number): Promise<Timing> => {
      const start = performance.now();
      const { id } = await post(
        mode === 'sweep' ? '/v1/sweeps' : '/v1/comparisons',
        mode === 'sweep' ? sweepOf(seed) : comparisonOf(seed),
      );
      const sweep = await settled(id, mode === 'comparison');
      const wallS = (performance.now() - start) / 1000;
      const spans = sweep.runs.map((e) => [
        e.run.startedAt!.getTime(),
        e.run.finishedAt!.getTime(),
      ]);
      return { mode, wallS, inJobsS: unionMs(spans) / 1000, jobs: mode === 'sweep' ? 44 : 5 };
    };

    // 3. Warm the worker, then the timed submissions, alternating the two ways in.
    await timed('comparison', 1000);
    const timings: Timing[] = [];
    for (let rep = 0; rep < REPS; rep += 1) {
      for (const mode of ['sweep', 'comparison'] as const) {
        const timing = await timed(mode, 2000 + rep * 10 + (mode === 'sweep' ? 0 : 1));
        process.stderr.write(`${mode}: ${timing.wallS.toFixed(2)} s wall\n`);
        timings.push(timing);
      }
    }

    // 4. Medians.
    const summary = (['sweep', 'comparison'] as const).map((mode) => {
      const mine = timings.filter((t) => t.mode === mode);
      return {
        mode,
        jobs: mine[0]!.jobs,
        medianWallS: median(mine.map((t) => t.wallS)),
        medianInJobsS: median(mine.map((t) => t.inJobsS)),
        wallS: mine.map((t) => t.wallS),
      };
    });
    mkdirSync(resolve(root, 'bench/results'), { recursive: true });
    writeFileSync(
      resolve(root, 'bench/results/queue-sweep.json'),
      `${JSON.stringify({ measuredAt: new Date().toISOString(), summary }, null, 2)}\n`,
    );
    for (const row of summary) {
      process.stdout.write(
        `${row.mode}: ${row.jobs} jobs, median ${row.medianWallS.toFixed(2)} s wall, ` +
          `${row.medianInJobsS.toFixed(2)} s inside jobs\n`,
      );
    }
  } finally {
    worker.kill('SIGTERM');
    await new Promise((r) => worker.once('exit', r));
    await app.close();
    await producer.queue.obliterate({ force: true }).catch(() => undefined);
    await producer.close();
    await redis.quit();
    await store.close();
    const admin = new pg.Client({ connectionString: server.toString() });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}

/** Total length of the union of [start, end] intervals, in ms. */
function unionMs(spans: readonly number[][]): number {
  const sorted = [...spans].sort((a, b) => a[0]! - b[0]!);
  let total = 0;
  let [from, to] = [-Infinity, -Infinity];
  for (const [start, end] of sorted as [number, number][]) {
    if (start > to) {
      if (to > from) total += to - from;
      [from, to] = [start, end];
    } else {
      to = Math.max(to, end);
    }
  }
  return total + (to > from ? to - from : 0);
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

await main();
