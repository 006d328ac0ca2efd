/**
 * Meta-training interrupted three ways, each on real worker processes against real Redis and
 * PostgreSQL, and each compared with the same spec computed without interruption:
 *
 * - SIGKILL in the middle of an epoch: another worker takes the job over once its lock
 *   expires and resumes from the last checkpoint (issue 5, fault 1);
 * - SIGTERM: the worker stops taking jobs, checkpoints at the next roll-out, hands the job
 *   back and exits 0 within its grace period (fault 2);
 * - a crash between computing the result and storing it (fault 9): PostgreSQL is made to hold
 *   the storing transaction open, and the worker is killed while it waits.
 *
 * Same spec and seed on the same backend give the same bits, so "the same numbers" is checked
 * as equality: scores, curves, and the best checkpoint's content hash.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '@metaopt/store';
import { startTestApi, type TestApi } from '../helpers/api.js';
import {
  linesOf,
  linesOnceLogged,
  processAlive,
  runReaches,
  stateEpochs,
  tail,
} from '../helpers/faults.js';
import { pollUntil } from '../helpers/poll.js';
import { testServices, type TestServices } from '../helpers/services.js';
import { spawnWorker, type TestWorker } from '../helpers/worker.js';

/** Eight roll-outs of 100 steps an epoch, then 8 test problems: a second or two here. */
const metaTrain = {
  kind: 'meta-train',
  task: { kind: 'quadratic' },
  epochs: 5,
  rolloutsPerEpoch: 8,
  steps: 100,
  unroll: 20,
  nTests: 8,
  seed: 11,
};

/** Short locks, so a dead worker's job is taken over within seconds. */
const FAST_RECOVERY = { WORKER_LOCK_DURATION_MS: '2000', WORKER_STALLED_INTERVAL_MS: '1000' };

interface Numbers {
  readonly bestScore: unknown;
  readonly epochScores: readonly number[];
  readonly bestCheckpoint: string | undefined;
}

async function numbersOf(store: Store, runId: string): Promise<Numbers> {
  const record = await store.runs.get(runId);
  const curves = await store.curves.get(runId);
  const best = await store.checkpoints.latest(runId, 'best');
  expect(curves.map((curve) => curve.series)).toEqual(['epochScore']);
  return {
    bestScore: record?.summary?.bestScore,
    epochScores: curves[0]!.mean,
    bestCheckpoint: best?.checkpointId,
  };
}

interface Scenario {
  readonly services: TestServices;
  readonly api: TestApi;
  readonly workers: TestWorker[];
}

async function scenario(label: string): Promise<Scenario> {
  const services = await testServices(label);
  return { services, api: await startTestApi(services), workers: [] };
}

async function submit(api: TestApi, spec: object = metaTrain): Promise<string> {
  const response = await api.app.inject({ method: 'POST', url: '/v1/runs', payload: spec });
  expect(response.statusCode).toBe(202);
  return response.json().id;
}

async function close(scenarios: (Scenario | undefined)[]): Promise<void> {
  for (const s of scenarios) {
    await Promise.all(s?.workers.map((worker) => worker.stop('SIGKILL')) ?? []);
    await s?.api.close();
  }
}

describe('meta-training interrupted', () => {
  let reference: Scenario;
  let referenceRun: string;
  let expected: Promise<Numbers>;

  // The uninterrupted run, computed alongside the faults below.
  beforeAll(async () => {
    reference = await scenario('reference');
    reference.workers.push(spawnWorker(reference.services, { WORKER_NAME: 'reference' }));
    referenceRun = await submit(reference.api);
    expected = runReaches(reference.api.store, referenceRun, ['succeeded'], 240_000).then(() =>
      numbersOf(reference.api.store, referenceRun),
    );
    expected.catch(() => undefined);
  });
  afterAll(() => close([reference]));

  describe('when its worker is SIGKILLed in the middle of an epoch', () => {
    let s: Scenario;
    afterAll(() => close([s]));

    it('is resumed by another worker from the last checkpoint, to the same numbers', async () => {
      s = await scenario('sigkill');
      const [first, second] = ['first', 'second'].map((name) =>
        spawnWorker(s.services, { ...FAST_RECOVERY, WORKER_NAME: name }),
      ) as [TestWorker, TestWorker];
      s.workers.push(first, second);
      const runId = await submit(s.api);
      expect(runId).toBe(referenceRun);

      // 1. Let two epochs be checkpointed, then kill whichever worker holds the run, hard,
      //    partway into the third.
      await pollUntil(
        () => stateEpochs(s.api.store, runId),
        (epochs) => epochs.includes(2),
        { timeoutMs: 120_000, intervalMs: 50 },
      );
      const holder = (await s.api.store.runs.get(runId))!.worker;
      const [victim, survivor] = holder === 'first' ? [first, second] : [second, first];
      const child = linesOf([victim], 'run started', runId)[0]!.pid!;
      victim.process.kill('SIGKILL');
      const killedAt = Date.now();

      // 2. Its orphaned processor stops, and the survivor takes the job within the lock
      //    duration and a stalled-job interval or two (plus slack for a loaded machine),
      //    then the record, once its processor has started.
      await pollUntil(
        async () => processAlive(child),
        (alive) => !alive,
        { timeoutMs: 10_000, intervalMs: 50 },
      );
      expect(processAlive(child)).toBe(false);
      const picked = await pollUntil(
        async () => (await s.api.producer.queue.getJob(runId))?.processedOn ?? 0,
        (processedOn) => processedOn > killedAt,
        { timeoutMs: 30_000, intervalMs: 50 },
      );
      expect(picked - killedAt, tail(survivor)).toBeLessThan(8000);
      const takenOver = await pollUntil(
        () => s.api.store.runs.get(runId),
        (run) => run?.worker !== holder,
        { timeoutMs: 60_000, intervalMs: 50 },
      );
      expect(takenOver?.worker, tail(survivor)).not.toBe(holder);

      // 3. It finishes once, having recomputed no epoch before the checkpoint.
      const done = await runReaches(s.api.store, runId, ['succeeded'], 240_000);
      expect(done).toMatchObject({ attempts: 1, worker: survivor === first ? 'first' : 'second' });
      const resumed = linesOf([survivor], 'resuming meta-training', runId);
      expect(resumed).toHaveLength(1);
      const resumedAt = resumed[0]!.epochsDone as number;
      expect(resumedAt).toBeGreaterThanOrEqual(2);
      const survivorEpochs = linesOf([survivor], 'epoch finished', runId).map((l) => l.epoch);
      expect(survivorEpochs).toEqual(
        Array.from({ length: metaTrain.epochs - resumedAt }, (_, i) => resumedAt + i + 1),
      );
      expect(await linesOnceLogged(s.workers, 'run finished', runId)).toHaveLength(1);
      expect((await s.api.store.runs.list()).items).toHaveLength(1);

      expect(await numbersOf(s.api.store, runId)).toEqual(await expected);
    });
  });

  describe('when its worker gets SIGTERM', () => {
    let s: Scenario;
    afterAll(() => close([s]));

    it('checkpoints, hands the job back, exits 0, and another worker finishes it', async () => {
      s = await scenario('sigterm');
      const first = spawnWorker(s.services, {
        WORKER_NAME: 'first',
        WORKER_SHUTDOWN_GRACE_MS: '20000',
      });
      s.workers.push(first);
      const runId = await submit(s.api);
      await pollUntil(
        () => stateEpochs(s.api.store, runId),
        (epochs) => epochs.includes(1),
        { timeoutMs: 120_000, intervalMs: 50 },
      );
      // A second job waits behind the first; the stopping worker must not take it.
      const waiting = await submit(s.api, {
        kind: 'baseline',
        task: { kind: 'quadratic' },
        optimizer: { name: 'adam', lr: 0.1 },
        steps: 20,
        nTests: 4,
      });
      // Partway into the second epoch (progress is written after every roll-out), so that
      // the stop lands between two of its roll-outs.
      const R = metaTrain.rolloutsPerEpoch;
      await pollUntil(
        async () => {
          const fraction = (await s.api.store.runs.get(runId))?.progress?.fraction ?? 0;
          return Math.round(fraction * metaTrain.epochs * R);
        },
        (rollouts) => rollouts > R && rollouts % R >= 1 && rollouts % R <= R - 4,
        { timeoutMs: 120_000, intervalMs: 10 },
      );

      // 1. SIGTERM: out within the grace period, with exit code 0.
      const termAt = Date.now();
      const code = await first.stop('SIGTERM');
      expect(code, tail(first)).toBe(0);
      expect(Date.now() - termAt).toBeLessThan(20_000);

      // 2. The job is back in the queue, its record queued, and the other never started.
      expect(linesOf([first], 'run handed back', runId)).toHaveLength(1);
      expect((await s.api.store.runs.get(runId))?.status).toBe('queued');
      expect(await s.api.producer.queue.getJobState(runId)).toBe('waiting');
      expect(linesOf([first], 'run started', waiting)).toHaveLength(0);
      expect(await s.api.producer.queue.getJobState(waiting)).toBe('waiting');

      // 3. The next worker resumes where the stop left off, inside the epoch.
      const second = spawnWorker(s.services, { WORKER_NAME: 'second' });
      s.workers.push(second);
      const done = await runReaches(s.api.store, runId, ['succeeded'], 240_000);
      expect(done.attempts).toBe(1);
      const resumed = linesOf([second], 'resuming meta-training', runId)[0];
      expect(resumed?.epochsDone).toBeGreaterThanOrEqual(1);
      expect(resumed?.rolloutsDone, tail(first, 3000) + tail(second, 3000)).toBeGreaterThan(0);
      await runReaches(s.api.store, waiting, ['succeeded']);

      expect(await numbersOf(s.api.store, runId)).toEqual(await expected);
    });
  });

  describe('when its worker dies between computing the result and storing it', () => {
    let s: Scenario;
    let locker: pg.Client | undefined;
    afterAll(async () => {
      await locker?.end().catch(() => undefined);
      await close([s]);
    });

    it('loses nothing, recomputes no epoch, and stores the result once', async () => {
      s = await scenario('unstored');
      // 1. Hold the curves table, so the transaction storing the result waits on it.
      locker = new pg.Client({ connectionString: s.services.databaseUrl });
      await locker.connect();
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE curves IN ACCESS EXCLUSIVE MODE');

      const first = spawnWorker(s.services, { ...FAST_RECOVERY, WORKER_NAME: 'first' });
      s.workers.push(first);
      const runId = await submit(s.api);

      // 2. Every epoch is computed and checkpointed, and the result is being stored.
      await pollUntil(
        async () => {
          const { rows } = await locker!.query(
            `SELECT count(*)::int AS waiting FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
             WHERE c.relname = 'curves' AND NOT l.granted`,
          );
          return rows[0].waiting as number;
        },
        (waiting) => waiting > 0,
        { timeoutMs: 240_000, intervalMs: 100 },
      );
      expect(await stateEpochs(s.api.store, runId)).toContain(metaTrain.epochs);

      // 3. Kill the worker while it waits, then let PostgreSQL go: the store never finished.
      first.process.kill('SIGKILL');
      await first.stop('SIGKILL');
      await locker.query('ROLLBACK');
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect((await s.api.store.runs.get(runId))?.status).toBe('running');
      expect(await s.api.store.curves.get(runId)).toEqual([]);

      // 4. The next worker resumes past the last epoch and only stores.
      const second = spawnWorker(s.services, { ...FAST_RECOVERY, WORKER_NAME: 'second' });
      s.workers.push(second);
      await runReaches(s.api.store, runId, ['succeeded'], 120_000);
      const resumed = linesOf([second], 'resuming meta-training', runId)[0];
      expect(resumed?.epochsDone).toBe(metaTrain.epochs);
      expect(linesOf([second], 'epoch finished', runId)).toHaveLength(0);
      expect(await linesOnceLogged(s.workers, 'run finished', runId)).toHaveLength(1);

      expect(await numbersOf(s.api.store, runId)).toEqual(await expected);
    });
  });
});
