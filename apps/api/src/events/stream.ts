/**
 * One client's server-sent event stream over a set of runs (one run, or a sweep's).
 *
 * Steps: subscribe to the hub, buffering; note the events stream's last id (the "head");
 * read the runs' records; then either replay the entries after the client's Last-Event-ID up
 * to the head, or, for a new client (or one whose id was trimmed away), send a snapshot of
 * each run built from its record and stamped with the head's id; then send what the hub
 * buffered after the head and follow live. Every entry after the head reaches the client,
 * and so does every entry before it that still matters: the snapshot is read after the head
 * was noted. When every run has settled the stream says `end` and closes, so that a browser's
 * EventSource does not reconnect forever.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RunRecord, Store } from '@metaopt/store';
import { ApiError } from '../errors.js';
import { compareStreamIds, isStreamId, type EventHub } from './hub.js';
import {
  FINAL_STATUSES,
  runEventOf,
  snapshotEvents,
  statusAfter,
  terminalEvent,
  type QueueEventEntry,
  type RunEvent,
} from './run-event.js';

export interface StreamOptions {
  readonly hub: EventHub;
  readonly store: Store;
  /** The runs followed, as they stand now. */
  readonly runs: readonly RunRecord[];
  readonly heartbeatMs: number;
  /** How long a browser waits before reconnecting after a dropped connection. */
  readonly retryMs: number;
}

/** How long a new stream waits for the hub to be reading before answering 503. */
const HUB_WAIT_MS = 5000;

/** The id a snapshot carries when the events stream is still empty. */
const EMPTY_STREAM_ID = '0-0';

export async function streamRunEvents(
  request: FastifyRequest,
  reply: FastifyReply,
  options: StreamOptions,
): Promise<void> {
  const { hub, store } = options;
  const runIds = new Set(options.runs.map((run) => run.id));
  if (!(await hub.whenReady(HUB_WAIT_MS))) {
    throw new ApiError(
      'SERVICE_UNAVAILABLE',
      "Redis is unreachable: the queue's events cannot be followed; try again shortly.",
    );
  }

  // 1. Subscribe first, so nothing that happens from here on is lost.
  const buffered: QueueEventEntry[] = [];
  let deliver: (entry: QueueEventEntry) => void = (entry) => void buffered.push(entry);
  const unsubscribe = hub.subscribe((entry) => {
    if (entry.jobId !== undefined && runIds.has(entry.jobId)) deliver(entry);
  });

  try {
    // 2. The head, then the records: a snapshot is never older than its id says.
    const head = (await hub.lastId()) ?? EMPTY_STREAM_ID;
    const records = await Promise.all(options.runs.map((run) => store.runs.get(run.id)));
    const status = new Map<string, string>(
      records.flatMap((run) => (run ? [[run.id, run.status]] : [])),
    );
    const lastEventId = lastEventIdOf(request);
    const resume = lastEventId !== undefined && !(await hub.trimmedAfter(lastEventId));

    // 3. Open the stream.
    const sse = new SseWriter(request, reply, options);
    const untrack = hub.track(() => sse.close());
    void sse.closed.then(untrack);
    let lastSent = head;
    const send = (event: RunEvent, id: string) => {
      sse.event(event.type, event.data, id);
      const after = statusAfter(event);
      if (after !== undefined && compareStreamIds(id, head) > 0)
        status.set(event.data.runId, after);
    };
    request.log.info({ runs: runIds.size, resume, lastEventId }, 'event stream opened');

    // 4. Catch up: replay what the client missed, or tell it where every run stands.
    if (resume && lastEventId !== undefined) {
      for await (const entry of hub.replay(lastEventId, head, runIds)) {
        for (const event of await runEventsOf(entry, store)) send(event, entry.id);
      }
    } else {
      for (const run of records)
        for (const event of run ? snapshotEvents(run) : []) {
          send(event, head);
        }
    }

    // 5. Follow live: first what arrived meanwhile, then each entry as it comes.
    const settled = () => [...runIds].every((id) => FINAL_STATUSES.has(status.get(id) ?? ''));
    const forward = async (entry: QueueEventEntry) => {
      if (compareStreamIds(entry.id, lastSent) <= 0) return;
      lastSent = entry.id;
      for (const event of await runEventsOf(entry, store)) send(event, entry.id);
      if (settled()) sse.end();
    };
    if (settled()) return sse.end();
    let chain = Promise.resolve();
    deliver = (entry) => {
      // In order, one at a time: a `cached` completion reads the store before it is sent.
      chain = chain.then(() => forward(entry)).catch((err) => sse.fail(err));
    };
    for (const entry of buffered.splice(0)) deliver(entry);
    await sse.closed;
  } finally {
    unsubscribe();
  }
}

/** The run events of one queue entry; a `cached` completion is resolved from the record. */
async function runEventsOf(entry: QueueEventEntry, store: Store): Promise<RunEvent[]> {
  const event = runEventOf(entry);
  if (event) return [event];
  const cached = (entry.fields.returnvalue as { status?: unknown } | undefined)?.status;
  if (entry.event !== 'completed' || cached !== 'cached' || !entry.jobId) return [];
  const run = await store.runs.get(entry.jobId);
  const terminal = run && terminalEvent(run);
  return terminal ? [terminal] : [];
}

function lastEventIdOf(request: FastifyRequest): string | undefined {
  const header = request.headers['last-event-id'];
  const id = Array.isArray(header) ? header[0] : header;
  return id !== undefined && isStreamId(id) ? id : undefined;
}

/**
 * The wire side of server-sent events: the response is taken over from Fastify (it is never
 * serialized), kept alive with comments, and ended either by us (`end`) or by the client.
 */
class SseWriter {
  readonly closed: Promise<void>;
  private readonly raw: FastifyReply['raw'];
  private readonly heartbeat: NodeJS.Timeout;
  private ended = false;

  constructor(
    private readonly request: FastifyRequest,
    reply: FastifyReply,
    options: StreamOptions,
  ) {
    reply.hijack();
    this.raw = reply.raw;
    this.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // Proxies such as nginx would otherwise hold events back in their buffers.
      'x-accel-buffering': 'no',
      'x-request-id': request.id,
    });
    this.raw.write(`retry: ${options.retryMs}\n\n`);
    this.heartbeat = setInterval(() => this.write(': keep-alive\n\n'), options.heartbeatMs);
    this.closed = new Promise((resolve) => {
      this.raw.on('close', () => {
        clearInterval(this.heartbeat);
        this.ended = true;
        resolve();
      });
    });
  }

  event(type: string, data: object, id?: string): void {
    const idLine = id === undefined ? '' : `id: ${id}\n`;
    this.write(`${idLine}event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /** Says that nothing more will come, and closes. */
  end(): void {
    if (this.ended) return;
    this.event('end', {});
    this.close();
  }

  fail(err: unknown): void {
    this.request.log.error({ err }, 'event stream failed');
    this.close();
  }

  close(): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.heartbeat);
    this.raw.end();
  }

  private write(text: string): void {
    if (!this.ended) this.raw.write(text);
  }
}
