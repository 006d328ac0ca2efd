/**
 * `node --import tsx bench/queue-10k.ts`: 10,000 runs through the queue with no-op work.
 *
 * One POST /v1/sweeps of a 10,000-cell grid to the API (a real process, its grid limit raised
 * for this) records and queues the runs; a BullMQ worker in this process, 50 jobs at a time,
 * does what the real processor does around the numerics (mark the run running, store its
 * result) and nothing else. Meanwhile the keys under the queue's prefix and their memory are
 * sampled: completed jobs are removed (results live in PostgreSQL), so Redis stays bounded
 * however many runs go through. At the end PostgreSQL must hold exactly 10,000 finished runs.
 * Figures go to stdout and bench/results/queue-10k.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Queue, Worker } from 'bullmq';
import { RUNS_QUEUE, createRedis, type RunJobData } from '@metaopt/queue';
import { createStore } from '@metaopt/store';
import { benchServices, startApi } from './services.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 10_000);
const CONCURRENCY = 50;

interface Sample {
  readonly atS: number;
  readonly keys: number;
  readonly bytes: number;
  readonly finished: number;
}

async function main(): Promise<void> {
  const services = await benchServices('queue');
  const store = createStore({ databaseUrl: services.databaseUrl });
  const redis = createRedis(services.redisUrl, 'worker');
  const api = await startApi(services, {
    API_RATE_LIMIT_MAX: '0',
    LOG_LEVEL: 'warn',
    LIMIT_MAX_GRID_CELLS: String(RUNS),
  });
  const samples: Sample[] = [];
  let finished = 0;
  const t0 = Date.now();
  const sample = async () => {
    const { keys, bytes } = await prefixUsage(redis, services.queuePrefix);
    samples.push({ atS: (Date.now() - t0) / 1000, keys, bytes, finished });
  };

  try {
    // 1. Submit: one sweep, RUNS distinct baselines.
    const submitStart = Date.now();
    const response = await fetch(`${api.url}/v1/sweeps`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'bench-10k',
        base: {
          kind: 'baseline',
          task: { kind: 'quadratic' },
          optimizer: { name: 'sgd', lr: 0.01 },
          steps: 10,
          nTests: 1,
        },
        grid: { seed: Array.from({ length: RUNS }, (_, i) => i) },
      }),
    });
    if (response.status !== 202) throw new Error(`submission: ${await response.text()}`);
    const submitS = (Date.now() - submitStart) / 1000;
    await sample();

    // 2. Work through them, sampling Redis as the queue drains.
    const workStart = Date.now();
    const worker = new Worker<RunJobData>(
      RUNS_QUEUE,
      async (job) => {
        const runId = job.data.runId;
        await store.runs.markRunning(runId, { worker: 'bench', backend: 'none', attempt: 1 });
        await store.runs.finish(runId, {
          status: 'succeeded',
          summary: { meanSumLoss: 0, finalLossMean: 0 },
          curves: [],
        });
        finished++;
        return { runId, status: 'succeeded' as const };
      },
      {
        connection: createRedis(services.redisUrl, 'worker'),
        prefix: services.queuePrefix,
        concurrency: CONCURRENCY,
      },
    );
    let sampling = Promise.resolve();
    const sampler = setInterval(() => (sampling = sampling.then(sample)), 1000);
    while (finished < RUNS) await new Promise((resolveWait) => setTimeout(resolveWait, 200));
    const workS = (Date.now() - workStart) / 1000;
    clearInterval(sampler);
    await sampling;
    await worker.close();
    await sample();

    // 3. What is left: in Redis, and in PostgreSQL.
    const succeeded = await countRuns(store, 'succeeded');
    const total = await countRuns(store);
    const final = samples.at(-1)!;
    const peak = samples.reduce((a, b) => (b.bytes > a.bytes ? b : a));
    const figures = {
      runs: RUNS,
      submitSeconds: submitS,
      workSeconds: workS,
      runsPerSecond: Math.round(RUNS / workS),
      redisPeak: { keys: peak.keys, bytes: peak.bytes, atFinished: peak.finished },
      redisAfter: { keys: final.keys, bytes: final.bytes },
      postgres: { runs: total, succeeded },
    };
    console.log(JSON.stringify(figures, null, 2));
    if (total !== RUNS || succeeded !== RUNS) throw new Error('PostgreSQL does not hold every run');
    const out = resolve(import.meta.dirname, 'results');
    mkdirSync(out, { recursive: true });
    writeFileSync(
      resolve(out, 'queue-10k.json'),
      JSON.stringify({ when: new Date().toISOString(), ...figures, samples }, null, 2) + '\n',
    );
  } finally {
    // Redis is shared: leave nothing of this run behind.
    const queue = new Queue(RUNS_QUEUE, { connection: redis, prefix: services.queuePrefix });
    await queue.obliterate({ force: true });
    await queue.close();
    await api.stop();
    await redis.quit();
    await store.close();
    await services.drop();
  }
}

/** Keys under the prefix, and the memory Redis reports for them. */
async function prefixUsage(
  redis: ReturnType<typeof createRedis>,
  prefix: string,
): Promise<{ keys: number; bytes: number }> {
  let cursor = '0';
  let keys = 0;
  let bytes = 0;
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    keys += batch.length;
    for (const key of batch) bytes += (await redis.memory('USAGE', key)) ?? 0;
  } while (cursor !== '0');
  return { keys, bytes };
}

async function countRuns(
  store: ReturnType<typeof createStore>,
  status?: 'succeeded',
): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await store.runs.list({ limit: 500, cursor, ...(status ? { status } : {}) });
    count += page.items.length;
    cursor = page.nextCursor;
  } while (cursor);
  return count;
}

await main();
