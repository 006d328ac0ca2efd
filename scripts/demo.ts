/**
 * `npm run demo`: the whole path once, on this machine's PostgreSQL and Redis.
 *
 * 1. apply the migrations;  2. start the API and one worker;  3. POST a sweep (default
 * examples/quadratic-paper.json);  4. follow it to the end;  5. print each contender's best
 * run and write the loss-vs-step figure;  6. stop what it started.
 *
 * Usage: npm run demo [-- path/to/sweep.json]. Settings come from the environment or .env.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename, resolve } from 'node:path';
import { MetaoptClient, type SweepView } from '../apps/cli/src/client.js';
import { sweepReport } from '../apps/cli/src/report.js';

const root = resolve(import.meta.dirname, '..');
const outDir = resolve(root, 'out');
const POLL_INTERVAL_MS = 2000;

async function main(): Promise<void> {
  const sweepFile = resolve(process.argv[2] ?? resolve(root, 'examples/quadratic-paper.json'));
  const sweep = JSON.parse(readFileSync(sweepFile, 'utf8'));
  const name = basename(sweepFile, '.json');
  mkdirSync(outDir, { recursive: true });

  console.log('1/5 applying migrations');
  await runToEnd(['--import', 'tsx', 'scripts/migrate.ts']);

  const port = await freePort();
  console.log(`2/5 starting the API on port ${port} and one worker (logs in out/)`);
  const env = { ...process.env, PORT: String(port), HOST: '127.0.0.1' };
  const children = [
    startLogged('api', ['--import', 'tsx', 'apps/api/src/main.ts'], env),
    startLogged('worker', ['--import', 'tsx', 'apps/worker/src/main.ts'], env),
  ];
  const stopAll = () => children.forEach((child) => child.kill('SIGTERM'));
  process.on('SIGINT', () => {
    stopAll();
    process.exit(130);
  });

  try {
    const client = new MetaoptClient(`http://127.0.0.1:${port}`);
    await waitUntilReady(client);

    console.log(`3/5 submitting ${sweepFile}`);
    const submission = await client.submitSweep(sweep);
    const queued = submission.runs.filter((run) => run.status === 'queued').length;
    console.log(
      `    sweep ${submission.id}: ${submission.runs.length} runs, ${queued} to compute` +
        (submission.cached ? ' (all answered from the store)' : ''),
    );

    console.log('4/5 following it');
    const done = await follow(client, submission.id);

    console.log('5/5 results');
    const report = await sweepReport(client, done);
    console.log(report.table);
    const figurePath = resolve(outDir, `${name}.svg`);
    writeFileSync(figurePath, report.figureSvg);
    console.log(`figure written to ${figurePath}`);
    if (done.status !== 'succeeded') process.exitCode = 1;
  } finally {
    stopAll();
  }
}

async function follow(client: MetaoptClient, sweepId: string): Promise<SweepView> {
  let lastLine = '';
  for (;;) {
    const sweep = await client.sweep(sweepId, true);
    const line = progressLine(sweep);
    if (line !== lastLine) console.log(`    ${line}`);
    lastLine = line;
    if (sweep.status === 'succeeded' || sweep.status === 'failed') return sweep;
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

function progressLine(sweep: SweepView): string {
  const counts = Object.entries(sweep.counts)
    .map(([status, n]) => `${n} ${status}`)
    .join(', ');
  const training = sweep.runs.find((run) => run.kind === 'meta-train' && run.status === 'running');
  const epoch = training?.progress?.epoch;
  return (
    `${sweep.status}: ${counts}` + (epoch !== undefined ? ` (meta-training epoch ${epoch})` : '')
  );
}

function runToEnd(args: string[]): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit' });
    child.on('exit', (code) =>
      code === 0 ? resolvePromise() : reject(new Error(`node ${args.join(' ')} exited ${code}`)),
    );
  });
}

function startLogged(name: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  // The child writes straight to its log file, so nothing is lost if the demo exits first.
  const log = openSync(resolve(outDir, `demo-${name}.log`), 'w');
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', log, log] });
  child.on('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGTERM' && code !== null) {
      console.error(`${name} exited with ${code}; see out/demo-${name}.log`);
      process.exit(1);
    }
  });
  return child;
}

async function waitUntilReady(client: MetaoptClient): Promise<void> {
  for (let tries = 0; tries < 120; tries++) {
    if (await client.ready()) return;
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 500));
  }
  throw new Error('the API did not become ready within 60 s; see out/demo-api.log');
}

function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolvePromise(address.port) : reject(),
      );
    });
  });
}

await main();
