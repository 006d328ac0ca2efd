/**
 * Live progress end to end: a real worker process computes a small sweep (a baseline and an
 * LSTM meta-trained, then evaluated) while a client follows the sweep's event stream, and
 * the request id of the submission is found in both the API's and the worker's log lines.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { testServices } from '../helpers/services.js';
import { readSse, type SseMessage } from '../helpers/sse.js';
import { spawnWorker, type TestWorker } from '../helpers/worker.js';

const sweep = {
  name: 'live-e2e',
  base: { task: { kind: 'quadratic' }, steps: 10, nTests: 2, seed: 11 },
  blocks: [
    { with: { kind: 'baseline', optimizer: { name: 'adam', lr: 0.1 } } },
    {
      with: {
        kind: 'evaluate',
        trained: {
          metaTrain: { epochs: 2, rolloutsPerEpoch: 1, steps: 10, unroll: 5, nTests: 2 },
        },
      },
    },
  ],
};

/** The JSON log lines in `text` (pino writes one object per line). */
function logLines(text: string): Record<string, unknown>[] {
  return text.split('\n').flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

describe('a sweep followed live', () => {
  let api: TestApi;
  let worker: TestWorker;
  let baseUrl: string;
  let apiLog = '';
  const requestId = `live-e2e-${randomUUID()}`;
  let submitted: { id: string; runs: { id: string; kind: string }[] };
  let messages: SseMessage[];

  beforeAll(async () => {
    const services = await testServices('live');
    const stream = { write: (line: string) => void (apiLog += line) };
    api = await startTestApi(services, {}, { logger: { level: 'info', stream } });
    await api.app.listen({ host: '127.0.0.1', port: 0 });
    baseUrl = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
    worker = spawnWorker(services);

    const response = await fetch(`${baseUrl}/v1/sweeps`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': requestId },
      body: JSON.stringify(sweep),
    });
    expect(response.status).toBe(202);
    submitted = (await response.json()) as typeof submitted;
    messages = await readSse(`${baseUrl}/v1/sweeps/${submitted.id}/events`, {
      done: (received) => received.some((m) => m.event === 'end'),
      timeoutMs: 240_000,
    }).catch((error: Error) => {
      throw new Error(`${error.message}\n${worker.output().slice(-3000)}`);
    });
  });
  afterAll(async () => {
    await worker?.stop();
    await api?.close();
  });

  const runOf = (kind: string) => submitted.runs.find((run) => run.kind === kind)!.id;
  const eventsOf = (runId: string) => messages.filter((m) => m.data.runId === runId);

  it('reports every run finished, then ends', () => {
    for (const run of submitted.runs) {
      expect(eventsOf(run.id).at(-1)?.event, run.kind).toBe('finished');
    }
    expect(messages.at(-1)?.event).toBe('end');
  });

  it('reports the meta-training epoch by epoch, with a checkpoint after each', () => {
    const training = eventsOf(runOf('meta-train'));
    const checkpoints = training.filter((m) => m.event === 'checkpoint');
    expect(checkpoints.map((m) => m.data.epoch)).toEqual([1, 2]);
    expect(checkpoints[0]!.data).toMatchObject({ best: true, score: expect.any(Number) });
    const epochs = training.filter((m) => m.event === 'progress' && m.data.epoch !== undefined);
    expect(epochs.length).toBeGreaterThan(0);
  });

  it('reports an evaluation step by step with its current loss', () => {
    const steps = eventsOf(runOf('baseline')).filter((m) => m.event === 'progress');
    expect(steps.length).toBeGreaterThan(0);
    expect(steps.at(-1)!.data).toMatchObject({
      step: 10,
      fraction: 1,
      loss: expect.any(Number),
    });
  });

  describe('when reading the logs', () => {
    it("finds the submission's request id in the API's lines and the worker's", () => {
      const apiLines = logLines(apiLog).filter((line) => line.requestId === requestId);
      expect(apiLines.map((line) => line.msg)).toContain('sweep submitted');

      const workerLines = logLines(worker.output()).filter((line) => line.requestId === requestId);
      const started = workerLines.filter((line) => line.msg === 'run started');
      expect(started.map((line) => line.runId).sort()).toEqual(
        submitted.runs.map((run) => run.id).sort(),
      );
    });
  });
});
