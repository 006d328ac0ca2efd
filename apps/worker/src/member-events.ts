/**
 * The live events of a learning-rate grid's runs. A grid is one BullMQ job computing several
 * runs, so BullMQ's own events name the grid, which no reader follows; this publishes on the
 * same events stream what each run would have said as a job of its own (`member-active`,
 * `member-progress`, …, with the run's id as `jobId`), and the API's event hub reads them as
 * that run's (apps/api/src/events/hub.ts).
 */
import { QueueEventsProducer } from 'bullmq';
import {
  EVENTS_MAX_LEN,
  MEMBER_EVENT_PREFIX,
  RUNS_QUEUE,
  createRedis,
  type RunJobResult,
} from '@metaopt/queue';
import type { RunError, Store, Transition } from '@metaopt/store';
import type { WorkerConfig } from './config.js';
import type { ProgressSink, RunProgress } from './progress.js';

type MemberEvent = 'active' | 'waiting' | 'delayed' | 'progress' | 'completed' | 'failed';

/**
 * Fails the runs whose records allow it (queued or running), and says so for those alone:
 * a run settled or cancelled meanwhile keeps its record and its last event. `events` null:
 * the runs are not a grid's, and their job's own events speak for them.
 */
export async function failRuns(
  store: Store,
  events: MemberEvents | null,
  runIds: readonly string[],
  error: RunError,
  attempts: number,
): Promise<void> {
  const failed = await changed(runIds, (runId) => store.runs.fail(runId, error, attempts));
  await events?.failed(failed, error.message);
}

/** Puts this worker's running runs back to queued, and says so for those it moved. */
export async function releaseRuns(
  store: Store,
  events: MemberEvents | null,
  runIds: readonly string[],
  worker: string,
  reason: 'waiting' | 'delayed',
): Promise<void> {
  const released = await changed(runIds, (runId) => store.runs.release(runId, worker));
  await events?.requeued(released, reason);
}

async function changed(
  runIds: readonly string[],
  move: (runId: string) => Promise<Transition>,
): Promise<string[]> {
  const moved: string[] = [];
  for (const runId of runIds) if ((await move(runId)).changed) moved.push(runId);
  return moved;
}

export class MemberEvents {
  constructor(private readonly producer: QueueEventsProducer) {}

  static open(config: Pick<WorkerConfig, 'redisUrl' | 'queuePrefix'>): MemberEvents {
    // A worker connection waits out a Redis outage instead of failing the grid's runs.
    const connection = createRedis(config.redisUrl, 'worker');
    return new MemberEvents(
      new QueueEventsProducer(RUNS_QUEUE, { connection, prefix: config.queuePrefix }),
    );
  }

  async started(runIds: readonly string[]): Promise<void> {
    for (const runId of runIds) await this.publish('active', runId, {});
  }

  /** Where a run's progress reports go: its own `progress` events. */
  progressSink(runId: string): ProgressSink {
    return { updateProgress: (progress) => this.progress(runId, progress) };
  }

  async completed(runId: string, result: RunJobResult): Promise<void> {
    await this.publish('completed', runId, { returnvalue: JSON.stringify(result) });
  }

  /** The grid was handed back (shutdown) or will be retried: its runs wait again. */
  async requeued(runIds: readonly string[], reason: 'waiting' | 'delayed'): Promise<void> {
    for (const runId of runIds) await this.publish(reason, runId, {});
  }

  async failed(runIds: readonly string[], failedReason: string): Promise<void> {
    for (const runId of runIds) await this.publish('failed', runId, { failedReason });
  }

  async close(): Promise<void> {
    await this.producer.close();
  }

  private progress(runId: string, progress: RunProgress | object): Promise<void> {
    return this.publish('progress', runId, { data: JSON.stringify(progress) });
  }

  private async publish(
    event: MemberEvent,
    runId: string,
    fields: Record<string, string>,
  ): Promise<void> {
    await this.producer.publishEvent(
      { eventName: `${MEMBER_EVENT_PREFIX}${event}`, jobId: runId, ...fields },
      EVENTS_MAX_LEN,
    );
  }
}
