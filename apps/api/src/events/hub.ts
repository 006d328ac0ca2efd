/**
 * One reader of the runs queue's events for the whole API process: BullMQ's QueueEvents on a
 * connection of its own, fanned out to every open event stream (and to the metrics), plus
 * replay of the same Redis stream by id for readers who reconnect with Last-Event-ID.
 *
 * The live reader starts at the stream's last id when the hub starts (not at `$`, which
 * would mean "whenever its first XREAD runs"), so every entry after start is delivered, and
 * a reader that replays up to some id and then follows live misses nothing in between.
 */
import { QueueEvents, type QueueEventsListener } from 'bullmq';
import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import { MEMBER_EVENT_PREFIX, RUNS_QUEUE, createRedis } from '@metaopt/queue';
import type { QueueEventEntry } from './run-event.js';

/** The queue events a run event can come from (see run-event.ts). */
const FOLLOWED = [
  'waiting',
  'waiting-children',
  'delayed',
  'stalled',
  'active',
  'progress',
  'completed',
  'failed',
] as const;

/** The same events of a run computed inside another job, a learning-rate grid's. */
const MEMBER_EVENTS = ['waiting', 'delayed', 'active', 'progress', 'completed', 'failed'].map(
  (event) => `${MEMBER_EVENT_PREFIX}${event}`,
);

/** Entries per XRANGE call when replaying. */
const REPLAY_PAGE = 500;

export type QueueEventListener = (entry: QueueEventEntry) => void;

type RawListeners = Record<string, (args: Record<string, unknown>, id: string) => void>;

export interface EventHubOptions {
  readonly redisUrl: string;
  readonly prefix: string;
  /** A non-blocking connection for replay reads (the API's producer connection). */
  readonly redis: Redis;
  readonly log: Pick<FastifyBaseLogger, 'info' | 'warn'>;
}

export class EventHub {
  private readonly listeners = new Set<QueueEventListener>();
  private readonly streams = new Set<() => void>();
  private readonly streamKey: string;
  private queueEvents: QueueEvents | undefined;
  private started: Promise<void> | undefined;
  private closing = false;

  constructor(private readonly options: EventHubOptions) {
    this.streamKey = `${options.prefix}:${RUNS_QUEUE}:events`;
  }

  /**
   * Starts reading in the background, as soon as Redis answers: the API starts (and says it
   * is not ready) while Redis is down, and event streams wait for {@link whenReady}.
   */
  start(): void {
    this.started = this.connect();
    this.started.catch(() => undefined);
  }

  /** Whether the hub is reading within `timeoutMs`; false if Redis does not answer by then. */
  async whenReady(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([(this.started ?? timeout).then(() => true), timeout]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  private async connect(): Promise<void> {
    await connected(this.options.redis);
    const lastEventId = (await this.lastId()) ?? '0-0';
    if (this.closing) return;
    const connection = createRedis(this.options.redisUrl, 'worker');
    this.queueEvents = new QueueEvents(RUNS_QUEUE, {
      connection,
      prefix: this.options.prefix,
      lastEventId,
    });
    this.reportOutages(connection, this.queueEvents);
    for (const event of [...FOLLOWED, ...MEMBER_EVENTS]) {
      // Typed as BullMQ's listeners plus the custom events a grid's worker publishes.
      this.queueEvents.on<QueueEventsListener & RawListeners>(event, (args, id) =>
        this.emit(asRunEntry({ id, event, jobId: args.jobId as string | undefined, fields: args })),
      );
    }
    await this.queueEvents.waitUntilReady();
  }

  /** Calls `listener` with every followed entry from now on; returns the unsubscribe. */
  subscribe(listener: QueueEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Keeps `close` to end an open client stream when the server shuts down: an event stream
   * never ends by itself, and the server waits for open responses before it closes.
   */
  track(close: () => void): () => void {
    this.streams.add(close);
    return () => this.streams.delete(close);
  }

  /** Ends every open client stream; their clients reconnect (elsewhere) with Last-Event-ID. */
  endStreams(): void {
    for (const close of [...this.streams]) close();
  }

  /** The id of the newest entry in the stream, or undefined while it is empty. */
  async lastId(): Promise<string | undefined> {
    const [entry] = await this.options.redis.xrevrange(this.streamKey, '+', '-', 'COUNT', 1);
    return entry?.[0];
  }

  /**
   * Whether entries after `id` may have been trimmed away (BullMQ caps the stream's length):
   * true when the oldest entry kept is newer than `id`, or nothing is kept at all.
   */
  async trimmedAfter(id: string): Promise<boolean> {
    const [entry] = await this.options.redis.xrange(this.streamKey, '-', '+', 'COUNT', 1);
    return entry === undefined || compareStreamIds(entry[0], id) > 0;
  }

  /** The entries after `afterId` up to and including `toId`, of the given jobs, in order. */
  async *replay(
    afterId: string,
    toId: string,
    jobIds: ReadonlySet<string>,
  ): AsyncGenerator<QueueEventEntry> {
    let start = `(${afterId}`;
    for (;;) {
      const page = await this.options.redis.xrange(
        this.streamKey,
        start,
        toId,
        'COUNT',
        REPLAY_PAGE,
      );
      for (const [id, flat] of page) {
        const entry = parseEntry(id, flat);
        if (entry.jobId !== undefined && jobIds.has(entry.jobId)) yield entry;
      }
      if (page.length < REPLAY_PAGE) return;
      start = `(${page[page.length - 1]![0]}`;
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    this.listeners.clear();
    await this.queueEvents?.close();
  }

  /**
   * Logs once when the reader loses Redis and once when it is back; the connection retries
   * on its own meanwhile, and QueueEvents resumes from the last id it read.
   */
  private reportOutages(connection: Redis, queueEvents: QueueEvents): void {
    let down = false;
    const onError = (err: Error) => {
      if (down || this.closing) return;
      down = true;
      this.options.log.warn({ err }, 'queue events unreachable; retrying');
    };
    connection.on('error', onError);
    queueEvents.on('error', onError);
    connection.on('ready', () => {
      if (!down) return;
      down = false;
      this.options.log.info({}, 'queue events reachable again');
    });
  }

  private emit(entry: QueueEventEntry): void {
    for (const listener of this.listeners) listener(entry);
  }
}

/** Resolves once `redis` is ready; a connection without an offline queue refuses before. */
function connected(redis: Redis): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => redis.once('ready', () => resolve()));
}

/** A raw stream entry as QueueEvents would emit it: JSON fields parsed the same way. */
export function parseEntry(id: string, flat: readonly string[]): QueueEventEntry {
  const fields: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1];
  const { event, ...rest } = withJsonParsed(fields);
  return asRunEntry({
    id,
    event: String(event),
    jobId: rest.jobId as string | undefined,
    fields: rest,
  });
}

/**
 * A grid member's event (`member-progress`, …: see MEMBER_EVENT_PREFIX) as the event of a job
 * of its own, with its JSON fields parsed as QueueEvents parses a job's; others as they are.
 */
function asRunEntry(entry: QueueEventEntry): QueueEventEntry {
  if (!entry.event.startsWith(MEMBER_EVENT_PREFIX)) return entry;
  const event = entry.event.slice(MEMBER_EVENT_PREFIX.length);
  return { ...entry, event, fields: withJsonParsed(entry.fields) };
}

/** The fields with the JSON ones (`data`, `returnvalue`) parsed where still text. */
function withJsonParsed(fields: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const parsed: Record<string, unknown> = { ...fields };
  for (const key of ['data', 'returnvalue']) {
    if (typeof parsed[key] === 'string') parsed[key] = parseJson(parsed[key]);
  }
  return parsed;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Orders Redis stream ids (`<ms>-<seq>`); a malformed id sorts first. */
export function compareStreamIds(a: string, b: string): number {
  const [aMs, aSeq] = splitId(a);
  const [bMs, bSeq] = splitId(b);
  if (aMs !== bMs) return aMs < bMs ? -1 : 1;
  return aSeq === bSeq ? 0 : aSeq < bSeq ? -1 : 1;
}

/** Whether `id` is a Redis stream id, as a Last-Event-ID header must be to be replayed. */
export function isStreamId(id: string): boolean {
  return /^\d{1,20}-\d{1,20}$/.test(id);
}

function splitId(id: string): [bigint, bigint] {
  if (!isStreamId(id)) return [-1n, -1n];
  const [ms, seq] = id.split('-');
  return [BigInt(ms!), BigInt(seq!)];
}
