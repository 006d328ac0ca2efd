/**
 * `submit --follow`: a progress bar per running run, fed by the sweep's server-sent events,
 * and one for the sweep as a whole. EventSource reconnects by itself and sends
 * Last-Event-ID, so a dropped connection loses nothing; the sweep's record decides when it
 * is over, since a `failed` event may be an attempt that will be retried.
 */
import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import { EventSource } from 'eventsource';
import type { MetaoptClient, SweepView } from './client.js';

const SETTLING_EVENTS = ['finished', 'diverged', 'failed', 'cancelled'];

interface RunEventData {
  readonly runId: string;
  readonly fraction?: number;
  readonly epoch?: number;
  readonly step?: number;
  readonly loss?: number;
}

export async function followWithBars(
  client: MetaoptClient,
  sweepId: string,
  runKinds: ReadonlyMap<string, string>,
): Promise<SweepView> {
  const bars = new MultiBar(
    { format: '{label} |{bar}| {percentage}% {detail}', hideCursor: true, clearOnComplete: false },
    Presets.shades_classic,
  );
  const overall = bars.create(runKinds.size, 0, { label: 'sweep'.padEnd(22), detail: '' });
  const perRun = new Map<string, SingleBar>();

  const source = new EventSource(client.urlOf(`/v1/sweeps/${sweepId}/events`), {
    fetch: (url, init) =>
      fetch(url, { ...init, headers: { ...init.headers, ...client.authHeaders() } }),
  });

  const barOf = (runId: string) => {
    let bar = perRun.get(runId);
    if (!bar) {
      const label = `${runKinds.get(runId) ?? 'run'} ${runId.slice(0, 8)}`.padEnd(22);
      bar = bars.create(100, 0, { label, detail: '' });
      perRun.set(runId, bar);
    }
    return bar;
  };

  try {
    return await new Promise<SweepView>((resolve, reject) => {
      source.addEventListener('progress', (message) => {
        const data = JSON.parse(message.data) as RunEventData;
        barOf(data.runId).update(Math.round((data.fraction ?? 0) * 100), {
          detail: detailOf(data),
        });
      });
      for (const type of SETTLING_EVENTS) {
        source.addEventListener(type, async (message) => {
          const { runId } = JSON.parse(message.data) as RunEventData;
          if (perRun.has(runId)) barOf(runId).update(100, { detail: type });
          try {
            const sweep = await client.sweep(sweepId, true);
            const settled =
              runKinds.size - (sweep.counts.queued ?? 0) - (sweep.counts.running ?? 0);
            overall.update(settled, { detail: sweep.status });
            if (sweep.status === 'succeeded' || sweep.status === 'failed') resolve(sweep);
          } catch (error) {
            reject(error);
          }
        });
      }
      // Everything may have settled before we connected: the record says so at once.
      client.sweep(sweepId, true).then((sweep) => {
        if (sweep.status === 'succeeded' || sweep.status === 'failed') resolve(sweep);
      }, reject);
    });
  } finally {
    source.close();
    bars.stop();
  }
}

function detailOf(data: RunEventData): string {
  const parts = [];
  if (data.epoch !== undefined) parts.push(`epoch ${data.epoch}`);
  if (data.step !== undefined) parts.push(`step ${data.step}`);
  if (typeof data.loss === 'number') parts.push(`loss ${data.loss.toPrecision(4)}`);
  return parts.join(' ');
}
