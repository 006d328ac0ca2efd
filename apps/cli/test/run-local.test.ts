import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
const run = promisify(execFile);

const sweep = {
  name: 'local',
  base: { task: { kind: 'quadratic' }, steps: 20, nTests: 5 },
  blocks: [
    {
      with: { kind: 'baseline', optimizer: { name: 'sgd', lr: 0.01 } },
      grid: { 'optimizer.lr': [0.01, 1e3] },
    },
    {
      with: {
        kind: 'evaluate',
        trained: {
          metaTrain: { epochs: 1, rolloutsPerEpoch: 1, steps: 20, unroll: 10, nTests: 5 },
        },
      },
    },
  ],
};

describe('metaopt run --local', () => {
  describe('when given a sweep file', () => {
    it('runs it with no services and prints JSON with every outcome, and the figure', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'metaopt-local-'));
      const file = join(dir, 'sweep.json');
      const figure = join(dir, 'figure.svg');
      writeFileSync(file, JSON.stringify(sweep));

      const { stdout } = await run(
        process.execPath,
        ['--import', 'tsx', 'apps/cli/src/main.ts', '--json', 'run', '--local', file, '-o', figure],
        // Pointing the services nowhere proves none is needed.
        {
          cwd: root,
          env: { ...process.env, REDIS_URL: 'redis://127.0.0.1:1', METAOPT_BACKEND: 'wasm' },
        },
      );
      const result = JSON.parse(stdout);

      expect(result.backend).toBe('wasm');
      const statuses = result.runs.map((r: { outcome: { status: string } }) => r.outcome.status);
      // SGD at lr 1000 on a quadratic diverges: a result, reported as such.
      expect(statuses).toEqual(['succeeded', 'diverged', 'succeeded', 'succeeded']);
      expect(readFileSync(figure, 'utf8')).toMatch(/^<svg/);
    });
  });

  describe('when a run fails', () => {
    it('reports it as failed, with its error, and exits 1', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'metaopt-local-'));
      const file = join(dir, 'run.json');
      const figure = join(dir, 'figure.svg');
      const missing = '0'.repeat(64);
      // A checkpoint id that no file provides: the evaluation cannot load its optimizer.
      writeFileSync(
        file,
        JSON.stringify({
          kind: 'evaluate',
          task: { kind: 'quadratic' },
          steps: 5,
          nTests: 2,
          trained: { checkpoint: missing },
        }),
      );

      const failure = await run(
        process.execPath,
        ['--import', 'tsx', 'apps/cli/src/main.ts', '--json', 'run', '--local', file, '-o', figure],
        { cwd: root, env: { ...process.env, METAOPT_BACKEND: 'wasm' } },
      ).then(
        () => undefined,
        (error: { code: number; stdout: string }) => error,
      );

      expect(failure?.code).toBe(1);
      const result = JSON.parse(failure?.stdout ?? '');
      expect(result.runs[0].outcome).toEqual({
        kind: 'failed',
        error: { code: 'RUN_FAILED', message: `checkpoint ${missing} is not available locally` },
      });
      // Nothing finished, so there is no curve to draw and no figure is written.
      expect(result.figure).toBeNull();
      expect(existsSync(figure)).toBe(false);
    });
  });
});
