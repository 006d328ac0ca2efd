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
import type { WorkerConfig } from './config.js';
import type { ProgressSink, RunProgress } from './progress.js';

type MemberEvent = 'active' | 'waiting' | 'delayed' | 'progress' | 'completed' | 'failed';

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
