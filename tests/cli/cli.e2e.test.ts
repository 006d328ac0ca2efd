/**
 * The `metaopt` command as a person or a script runs it: a child process talking over HTTP to
 * a real API, whose runs a spawned worker computes on the wasm backend. Every assertion reads
 * what the command printed or wrote, and its exit code: 0 done, 1 a run or sweep ended badly,
 * 2 a usage or API error (README, "Running the services yourself").
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { testServices } from '../helpers/services.js';
import { spawnWorker, type TestWorker } from '../helpers/worker.js';

const root = resolve(import.meta.dirname, '../..');
const STEPS = 10;

/** Two baseline cells: Adam at two learning rates, on two small quadratics each. */
const sweep = {
  name: 'cli-e2e',
  base: { task: { kind: 'quadratic' }, steps: STEPS, nTests: 2, seed: 5 },
  blocks: [
    {
      with: { kind: 'baseline', optimizer: { name: 'adam', lr: 0.1 } },
      grid: { 'optimizer.lr': [0.1, 0.03] },
    },
  ],
};

/** The smallest meta-training that leaves best weights: one epoch of one roll-out. */
const metaTrain = {
  kind: 'meta-train',
  task: { kind: 'quadratic' },
  learned: { hiddenSize: 4 },
  epochs: 1,
  rolloutsPerEpoch: 1,
  steps: STEPS,
  unroll: 5,
  nTests: 2,
};

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function spawnCli(args: readonly string[]): Promise<Outcome> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'apps/cli/src/main.ts', ...args],
      { cwd: root, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

describe('the metaopt CLI, end to end', () => {
  let api: TestApi;
  let worker: TestWorker;
  let baseUrl: string;
  const dir = mkdtempSync(join(tmpdir(), 'metaopt-cli-'));
  const write = (name: string, value: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(value));
    return path;
  };
  /** The CLI against this file's API; a failure message carries what it and the worker said. */
  const metaopt = async (...args: string[]) => {
    const outcome = await spawnCli(['--api', baseUrl, ...args]);
    return { ...outcome, why: `${outcome.stderr}\n${worker.output().slice(-3000)}` };
  };

  beforeAll(async () => {
    const services = await testServices('cli');
    api = await startTestApi(services);
    await api.app.listen({ host: '127.0.0.1', port: 0 });
    baseUrl = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
    worker = spawnWorker(services);
  });
  afterAll(async () => {
    await worker?.stop();
    await api?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('when a sweep is submitted and followed', () => {
    let sweepId: string;
    let runIds: string[];

    it('prints the finished sweep as one JSON document and exits 0', async () => {
      const { code, stdout, why } = await metaopt(
        '--json',
        'submit',
        write('s.json', sweep),
        '--follow',
      );

      expect(code, why).toBe(0);
      const done = JSON.parse(stdout);
      expect(done).toMatchObject({
        name: 'cli-e2e',
        status: 'succeeded',
        counts: { succeeded: 2 },
      });
      expect(done.runs.map((run: { kind: string }) => run.kind)).toEqual(['baseline', 'baseline']);
      expect(Object.keys(done.best)).toEqual(['adam']);
      sweepId = done.id;
      runIds = done.runs.map((run: { id: string }) => run.id);
    });

    it('says so when submitted again, and prints the table', async () => {
      const { code, stdout, why } = await metaopt('submit', write('s.json', sweep), '--follow');

      expect(code, why).toBe(0);
      expect(stdout).toContain(`${sweepId} (2 runs, cached)`);
      expect(stdout).toMatch(/adam/);
    });

    it('lists its runs with ls --json', async () => {
      const { code, stdout, why } = await metaopt('--json', 'ls', '--kind', 'baseline');

      expect(code, why).toBe(0);
      const page = JSON.parse(stdout);
      expect(page.items.map((run: { id: string }) => run.id).sort()).toEqual([...runIds].sort());
      expect(page.items.every((run: { status: string }) => run.status === 'succeeded')).toBe(true);
    });

    it('shows the sweep, with its best run, with show --json', async () => {
      const { code, stdout, why } = await metaopt('--json', 'show', sweepId);

      expect(code, why).toBe(0);
      const shown = JSON.parse(stdout);
      expect(shown).toMatchObject({ id: sweepId, status: 'succeeded' });
      expect(runIds).toContain(shown.best.adam.runId);
      expect([0.1, 0.03]).toContain(shown.best.adam.lr);
    });

    it("prints a run's curves as CSV, one row per step, matching --json", async () => {
      const csv = await metaopt('curves', runIds[0]!);
      const json = await metaopt('--json', 'curves', runIds[0]!);

      expect(csv.code, csv.why).toBe(0);
      expect(json.code, json.why).toBe(0);
      const [header, ...rows] = csv.stdout.trimEnd().split('\n');
      expect(header).toBe('label,learned,step,mean,lower,upper');
      const loss = JSON.parse(json.stdout).find((c: { series: string }) => c.series === 'loss');
      expect(loss.mean).toHaveLength(STEPS);
      const lossRows = rows.filter((row) => row.startsWith('loss,false,'));
      expect(lossRows.map((row) => Number(row.split(',')[2]))).toEqual(loss.step);
      expect(lossRows.map((row) => Number(row.split(',')[3]))).toEqual(loss.mean);
    });

    it('writes its figure as SVG', async () => {
      const output = join(dir, 'figure.svg');
      const { code, stdout, why } = await metaopt('figure', sweepId, '-o', output);

      expect(code, why).toBe(0);
      expect(stdout).toContain(`figure written to ${output}`);
      expect(readFileSync(output, 'utf8')).toMatch(/^<svg/);
    });
  });

  describe('when a meta-training is submitted with --run --follow', () => {
    let runId: string;

    it('waits for the run and prints its final record', async () => {
      const file = write('mt.json', metaTrain);
      const { code, stdout, why } = await metaopt('--json', 'submit', file, '--run', '--follow');

      expect(code, why).toBe(0);
      const run = JSON.parse(stdout);
      expect(run).toMatchObject({ kind: 'meta-train', status: 'succeeded' });
      expect(run.summary.epochs).toBe(1);
      runId = run.id;
    });

    it('exports its best weights as a state_dict that imports back as the same', async () => {
      const output = join(dir, 'torch.json');
      const exported = await metaopt('--json', 'export-torch', runId, '-o', output);
      expect(exported.code, exported.why).toBe(0);
      const { checkpointId } = JSON.parse(exported.stdout);
      const stateDict = JSON.parse(readFileSync(output, 'utf8'));
      // PyTorch's LSTMCell stacks the four gates' rows: [4 × hiddenSize, inputs].
      expect(stateDict['recurs.weight_ih'].shape[0]).toBe(16);

      const imported = await metaopt('import-torch', output);

      expect(imported.code, imported.why).toBe(0);
      expect(imported.stdout).toContain(`${checkpointId} (already stored)`);
      expect(imported.stdout).toContain('"hiddenSize": 4');
    });
  });

  describe('when a run submitted with --run --follow fails', () => {
    it('prints its error and exits 1', async () => {
      const missing = 'f'.repeat(64);
      const evaluation = {
        kind: 'evaluate',
        task: { kind: 'quadratic' },
        steps: STEPS,
        nTests: 2,
        trained: { checkpoint: missing },
      };
      const file = write('evaluate.json', evaluation);
      const { code, stdout, why } = await metaopt('submit', file, '--run', '--follow');

      expect(code, why).toBe(1);
      expect(stdout).toMatch(/ evaluate failed\n/);
      expect(stdout).toContain(`CHECKPOINT_NOT_FOUND: No checkpoint ${missing}.`);
    });
  });

  describe('when the command line is wrong', () => {
    it('exits 2 and names the unknown option', async () => {
      const { code, stdout, stderr } = await metaopt('ls', '--bogus');

      expect(code).toBe(2);
      expect(stderr).toContain("unknown option '--bogus'");
      expect(stdout).toBe('');
    });

    it('exits 2 for an unknown command and for a missing argument', async () => {
      const unknown = await metaopt('frobnicate');
      const missing = await metaopt('show');

      expect([unknown.code, missing.code]).toEqual([2, 2]);
      expect(unknown.stderr).toContain("unknown command 'frobnicate'");
      expect(missing.stderr).toContain("missing required argument 'id'");
    });

    it('still exits 0 for --help and --version', async () => {
      const help = await metaopt('submit', '--help');
      const version = await metaopt('--version');

      expect([help.code, version.code]).toEqual([0, 0]);
      expect(help.stdout).toContain('Usage: metaopt submit');
      expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    });
  });

  describe('when the API refuses or cannot be reached', () => {
    it('exits 2 with the code and pointer of an invalid submission', async () => {
      const invalid = { ...sweep, base: { ...sweep.base, steps: -1 } };
      const { code, stdout, stderr } = await metaopt('submit', write('bad.json', invalid));

      expect(code).toBe(2);
      expect(stderr).toMatch(/^error SPEC_INVALID: .*Invalid spec at \/steps: /);
      expect(stdout).toBe('');
    });

    it('exits 2 and says where it looked when nothing listens', async () => {
      const { code, stderr } = await spawnCli(['--api', 'http://127.0.0.1:9', 'ls']);

      expect(code).toBe(2);
      expect(stderr).toContain('error API_UNREACHABLE: cannot reach the metaopt API');
      expect(stderr).toContain('http://127.0.0.1:9');
    });
  });
});
