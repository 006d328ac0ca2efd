/**
 * Live progress as server-sent events, over a real HTTP server, Redis and PostgreSQL, with
 * the scripted in-process worker: what a client sees live, what one that reconnects with
 * Last-Event-ID gets, and that an open stream does not keep the server from closing.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { testServices, type TestServices } from '../helpers/services.js';
import {
  SCRIPTED_LR,
  startScriptedWorker,
  type ScriptedWorker,
} from '../helpers/scripted-worker.js';
import { parseSse, readSse, type SseMessage } from '../helpers/sse.js';

const baseline = (lr: number) => ({
  kind: 'baseline',
  task: { kind: 'quadratic' },
  optimizer: { name: 'sgd', lr },
  steps: 3,
  nTests: 1,
});

const ended = (messages: readonly SseMessage[]) => messages.some((m) => m.event === 'end');
const events = (messages: readonly SseMessage[]) => messages.map((m) => m.event);

describe('event streams', () => {
  let services: TestServices;
  let api: TestApi;
  let baseUrl: string;
  let worker: ScriptedWorker | undefined;

  beforeAll(async () => {
    services = await testServices('events');
    api = await startTestApi(services);
    await api.app.listen({ host: '127.0.0.1', port: 0 });
    baseUrl = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
  });

  const submit = async (url: string, payload: object) =>
    (await api.app.inject({ method: 'POST', url, payload })).json();

  /** Opens the stream, and starts the worker only once the client holds the snapshot. */
  async function followLive(path: string): Promise<SseMessage[]> {
    let connected!: () => void;
    const snapshot = new Promise<void>((resolve) => (connected = resolve));
    const reading = readSse(`${baseUrl}${path}`, {
      done: (messages) => {
        if (messages.length > 0) connected();
        return ended(messages);
      },
    });
    await snapshot;
    worker ??= startScriptedWorker(services, api.store);
    return reading;
  }

  describe('GET /v1/runs/:id/events', () => {
    let runId: string;
    let live: SseMessage[];

    it('says where the run stands, then every step of it live, then end', async () => {
      runId = (await submit('/v1/runs', baseline(0.1))).id;
      live = await followLive(`/v1/runs/${runId}/events`);

      expect(events(live)).toEqual([
        'queued',
        'started',
        'progress',
        'checkpoint',
        'finished',
        'end',
      ]);
      expect(live[2]!.data).toEqual({ runId, fraction: 0.5, step: 5, loss: 1.5 });
      expect(live[3]!.data).toEqual({ runId, epoch: 1, score: 1.25, best: true });
      expect(live[4]!.data).toMatchObject({ runId, status: 'succeeded' });

      // Ids are the queue's stream positions: increasing, the snapshot's the oldest.
      const ids = live.slice(0, -1).map((m) => m.id!);
      expect(ids.every((id) => /^\d+-\d+$/.test(id))).toBe(true);
      expect([...ids].sort(compareIds)).toEqual(ids);
    });

    describe('when the client reconnects with Last-Event-ID', () => {
      it('replays exactly what came after that event, then ends', async () => {
        const started = live.find((m) => m.event === 'started')!;
        const response = await api.app.inject({
          method: 'GET',
          url: `/v1/runs/${runId}/events`,
          headers: { 'last-event-id': started.id! },
        });
        const { messages } = parseSse(response.body);
        expect(events(messages)).toEqual(['progress', 'checkpoint', 'finished', 'end']);
        expect(messages.map((m) => m.id)).toEqual(live.slice(2).map((m) => m.id));
      });
    });

    describe('when a new client asks about a finished run', () => {
      it('sends how it ended, with its summary, then ends', async () => {
        const response = await api.app.inject({ method: 'GET', url: `/v1/runs/${runId}/events` });
        expect(response.headers['content-type']).toMatch(/^text\/event-stream/);
        const { messages } = parseSse(response.body);
        expect(events(messages)).toEqual(['finished', 'end']);
        expect(messages[0]!.data).toMatchObject({
          status: 'succeeded',
          summary: { meanSumLoss: 4.5 },
        });
      });
    });

    describe('when Last-Event-ID is not a stream id, or older than anything kept', () => {
      it('sends a snapshot instead of a replay', async () => {
        for (const lastEventId of ['not-an-id', '1-0']) {
          const response = await api.app.inject({
            method: 'GET',
            url: `/v1/runs/${runId}/events`,
            headers: { 'last-event-id': lastEventId },
          });
          expect(events(parseSse(response.body).messages), lastEventId).toEqual([
            'finished',
            'end',
          ]);
        }
      });
    });

    describe('when the run does not exist', () => {
      it('answers 404 RUN_NOT_FOUND, not a stream', async () => {
        const response = await api.app.inject({
          method: 'GET',
          url: `/v1/runs/${'0'.repeat(64)}/events`,
        });
        expect(response.statusCode).toBe(404);
        expect(response.json()).toMatchObject({ code: 'RUN_NOT_FOUND' });
      });
    });
  });

  describe('GET /v1/sweeps/:id/events', () => {
    describe('when one run diverges and another fails', () => {
      it('says so for each, and ends once both have settled', async () => {
        const sweep = await submit('/v1/sweeps', {
          base: baseline(SCRIPTED_LR.diverges),
          grid: { 'optimizer.lr': [SCRIPTED_LR.diverges, SCRIPTED_LR.fails] },
        });
        const [diverging, failing] = sweep.runs.map((run: { id: string }) => run.id);

        const messages = await followLive(`/v1/sweeps/${sweep.id}/events`);
        const of = (runId: string) => events(messages.filter((m) => m.data.runId === runId));
        expect(of(diverging).at(-1)).toBe('diverged');
        expect(of(failing).at(-1)).toBe('failed');
        expect(messages.find((m) => m.event === 'failed')!.data).toMatchObject({
          reason: expect.stringContaining('scripted failure'),
        });
        expect(events(messages).at(-1)).toBe('end');
      });
    });
  });

  describe('when the server closes with a stream open', () => {
    it('ends the stream instead of waiting for it', async () => {
      const own = await startTestApi(await testServices('events-close'));
      await own.app.listen({ host: '127.0.0.1', port: 0 });
      const url = `http://127.0.0.1:${(own.app.server.address() as AddressInfo).port}`;
      const runId = (
        await own.app.inject({ method: 'POST', url: '/v1/runs', payload: baseline(0.5) })
      ).json().id;

      let connected!: () => void;
      const open = new Promise<void>((resolve) => (connected = resolve));
      const reading = readSse(`${url}/v1/runs/${runId}/events`, {
        done: (messages) => {
          if (messages.length > 0) connected();
          return false;
        },
        timeoutMs: 20_000,
      });
      await open;
      await own.close();
      expect(events(await reading)).toEqual(['queued']);
    });
  });
});

function compareIds(a: string, b: string): number {
  const [aMs, aSeq] = a.split('-').map(BigInt);
  const [bMs, bSeq] = b.split('-').map(BigInt);
  return aMs !== bMs ? (aMs! < bMs! ? -1 : 1) : aSeq === bSeq ? 0 : aSeq! < bSeq! ? -1 : 1;
}
