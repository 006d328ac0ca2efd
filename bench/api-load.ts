/**
 * `node --import tsx bench/api-load.ts`: the API under load on loopback, with autocannon.
 *
 * Two routes, each for DURATION_S after a short warm-up, with CONNECTIONS connections:
 * - `GET /v1/runs/:id` of a finished run (one PostgreSQL read);
 * - `POST /v1/sweeps` of a sweep whose runs have all finished (the cached path: every run
 *   record and the sweep are written idempotently, nothing is queued).
 * The API is a real process with rate limiting off; the load generator runs in this process,
 * on the same machine. Figures go to stdout and bench/results/api-load.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import autocannon from 'autocannon';
import { NUMERICS_VERSION } from '@metaopt/l2l/version';
import { planSweep } from '@metaopt/spec';
import { createStore } from '@metaopt/store';
import { benchServices, startApi } from './services.js';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 15);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);

const sweep = {
  name: 'bench-cached',
  base: { kind: 'baseline', task: { kind: 'quadratic' }, steps: 100, nTests: 10 },
  grid: { 'optimizer.lr': [0.3, 0.1, 0.03, 0.01] },
  blocks: [{ with: { optimizer: { name: 'adam', lr: 0.1 } } }],
};

interface Figures {
  readonly route: string;
  readonly requestsPerSecond: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly requests: number;
  readonly errors: number;
  readonly non2xx: number;
}

async function main(): Promise<void> {
  const services = await benchServices('api');
  const store = createStore({ databaseUrl: services.databaseUrl });
  const api = await startApi(services, { API_RATE_LIMIT_MAX: '0', LOG_LEVEL: 'warn' });
  try {
    // 1. A finished run to read, and a sweep whose runs are all finished.
    const plan = planSweep(sweep, NUMERICS_VERSION);
    for (const run of plan.runs) {
      await store.runs.ensure({
        id: run.id,
        kind: run.spec.kind,
        taskKind: run.spec.task.kind,
        spec: run.spec,
      });
      await store.runs.finish(run.id, {
        status: 'succeeded',
        summary: { meanSumLoss: 1, finalLossMean: 0.01 },
        curves: [],
      });
    }
    const first = await fetch(`${api.url}/v1/sweeps`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(sweep),
    });
    const answer = (await first.json()) as { cached?: boolean };
    if (!answer.cached) throw new Error('the sweep was not answered from the store');

    // 2. Load each route.
    const results = [
      await load('GET /v1/runs/:id', { url: `${api.url}/v1/runs/${plan.runs[0]!.id}` }),
      await load('POST /v1/sweeps (cached)', {
        url: `${api.url}/v1/sweeps`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(sweep),
      }),
    ];

    // 3. Report.
    console.table(results);
    const out = resolve(import.meta.dirname, 'results');
    mkdirSync(out, { recursive: true });
    writeFileSync(
      resolve(out, 'api-load.json'),
      JSON.stringify(
        {
          when: new Date().toISOString(),
          durationS: DURATION_S,
          connections: CONNECTIONS,
          results,
        },
        null,
        2,
      ) + '\n',
    );
  } finally {
    await api.stop();
    await store.close();
    await services.drop();
  }
}

async function load(route: string, options: autocannon.Options): Promise<Figures> {
  await autocannon({ ...options, connections: CONNECTIONS, duration: 2 });
  const result = await autocannon({ ...options, connections: CONNECTIONS, duration: DURATION_S });
  return {
    route,
    requestsPerSecond: Math.round(result.requests.average),
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

await main();
