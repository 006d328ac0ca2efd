/** How records look on the wire: dates as ISO strings, nothing internal. */
import { contenderOf, type RunSpec } from '@metaopt/spec';
import type { RunRecord } from '@metaopt/store';

export function presentRun(run: RunRecord) {
  return {
    id: run.id,
    kind: run.kind,
    task: run.taskKind,
    contender: contenderOf(run.spec as RunSpec),
    status: run.status,
    spec: run.spec,
    progress: run.progress ?? null,
    summary: run.summary ?? null,
    error: run.error ?? null,
    attempts: run.attempts,
    backend: run.backend ?? null,
    worker: run.worker ?? null,
    createdAt: run.createdAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
  };
}

const FINAL = new Set(['succeeded', 'diverged', 'failed', 'cancelled']);

/** A sweep's status, derived from its runs' so it can never disagree with them. */
export function sweepStatus(runs: readonly RunRecord[]): string {
  if (runs.every((run) => FINAL.has(run.status))) {
    return runs.some((run) => run.status === 'failed' || run.status === 'cancelled')
      ? 'failed'
      : 'succeeded';
  }
  return runs.some((run) => run.status === 'running') ? 'running' : 'queued';
}

/**
 * The best run of each contender by mean sum of losses over the test problems, as the paper
 * scores a learning rate. A diverged run scores as the worst: it stays in the table but
 * never wins.
 */
export function bestByContender(runs: readonly RunRecord[]) {
  const best = new Map<string, { run: RunRecord; score: number }>();
  for (const run of runs) {
    const contender = contenderOf(run.spec as RunSpec);
    if (!contender || (run.status !== 'succeeded' && run.status !== 'diverged')) continue;
    const meanSumLoss = (run.summary as { meanSumLoss?: number } | null)?.meanSumLoss;
    const score =
      run.status === 'succeeded' && Number.isFinite(meanSumLoss) ? Number(meanSumLoss) : Infinity;
    const current = best.get(contender);
    if (!current || score < current.score) best.set(contender, { run, score });
  }
  return Object.fromEntries(
    [...best].map(([contender, { run, score }]) => [
      contender,
      {
        runId: run.id,
        meanSumLoss: Number.isFinite(score) ? score : null,
        lr: (run.spec as { optimizer?: { lr?: number } }).optimizer?.lr ?? null,
      },
    ]),
  );
}
