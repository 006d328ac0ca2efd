/**
 * `metaopt`: submit sweeps and runs, follow them, and read results from a metaopt API.
 * Exit codes: 0 success, 1 a run or sweep ended badly, 2 a usage or API error. A diverged
 * run is a result (its loss became NaN), so it ends well; a failed or cancelled one does not.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { BackendChoice } from '@metaopt/l2l';
import { Command, CommanderError, Option } from 'commander';
import Table from 'cli-table3';
import { MetaoptApiError, MetaoptClient, type RunFilter, type RunView } from './client.js';
import { registerComparisonCommands } from './comparison-commands.js';
import { followWithBars } from './follow.js';
import { sweepReport } from './report.js';
import { waitForRun, waitForSweep } from './wait.js';
import { toCsv } from '@metaopt/report';

const EXIT_FAILED = 1;
const EXIT_USAGE = 2;
const FAILED_RUN = new Set(['failed', 'cancelled']);

const { version } = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
) as { version: string };

const program = new Command('metaopt')
  .description('Learned-optimizer experiments as jobs: submit, follow, inspect.')
  .version(version)
  // Commander exits 1 on a usage error, which here means "a run ended badly"; it throws
  // instead, and the catch at the end turns that into 2. Subcommands inherit this.
  .exitOverride()
  .addOption(
    new Option('--api <url>', 'metaopt API base URL')
      .env('METAOPT_API_URL')
      // The API listens on PORT; a CLI started beside it in the same shell finds it there.
      .default(`http://127.0.0.1:${process.env.PORT ?? 3000}`),
  )
  .addOption(
    new Option('--api-key <key>', 'API key for servers that require one').env('METAOPT_API_KEY'),
  )
  .option('--json', 'print machine-readable JSON');

const client = () => {
  const { api, apiKey } = program.opts<{ api: string; apiKey?: string }>();
  return new MetaoptClient(api, apiKey);
};
const asJson = () => program.opts<{ json?: boolean }>().json === true;
const print = (value: unknown, text: string) =>
  console.log(asJson() ? JSON.stringify(value, null, 2) : text);

program
  .command('submit')
  .description('submit a sweep file (or, with --run, a single run)')
  .argument('<file>', 'JSON file')
  .option('--run', 'the file holds one run, not a sweep')
  .option(
    '--follow',
    'wait until it ends: progress bars on a terminal, then the table ' +
      '(with --json, the finished sweep or run instead of the submission)',
  )
  .action(async (file: string, options: { run?: boolean; follow?: boolean }) => {
    const body = JSON.parse(readFileSync(file, 'utf8'));
    const submission = options.run
      ? await client().submitRun(body)
      : await client().submitSweep(body);
    const cached = submission.cached ? ', cached' : '';
    const line = `${submission.id} (${submission.runs.length} runs${cached})`;
    // With --json the output stays one document: the submission, or what it ended as.
    if (!options.follow) return print(submission, line);
    if (!asJson()) console.log(line);

    if (options.run) {
      const run = await waitForRun(client(), submission.id, progressLine);
      print(run, runText(run));
      if (FAILED_RUN.has(run.status)) process.exitCode = EXIT_FAILED;
      return;
    }
    const kinds = new Map(submission.runs.map((run) => [run.id, run.kind]));
    const done =
      process.stderr.isTTY && !asJson()
        ? await followWithBars(client(), submission.id, kinds)
        : await waitForSweep(client(), submission.id, progressLine);
    print(done, asJson() ? '' : (await sweepReport(client(), done)).table);
    if (done.status !== 'succeeded') process.exitCode = EXIT_FAILED;
  });

program
  .command('show')
  .description('show a sweep (with its best runs) or a run')
  .argument('<id>')
  .action(async (id: string) => {
    try {
      const sweep = await client().sweep(id, true);
      if (asJson()) return print(sweep, '');
      const report = await sweepReport(client(), sweep);
      console.log(`${sweep.name ?? sweep.id}: ${sweep.status}\n${report.table}`);
    } catch (error) {
      if (!(error instanceof MetaoptApiError) || error.code !== 'SWEEP_NOT_FOUND') throw error;
      const run = await client().run(id);
      print(run, runText(run));
    }
  });

program
  .command('ls')
  .description('list runs, newest first')
  .option('--kind <kind>', 'baseline, meta-train or evaluate')
  .option('--status <status>', 'queued, running, succeeded, diverged, failed or cancelled')
  .option('--task <task>', 'quadratic or mnist')
  .option('--limit <n>', 'how many', Number, 20)
  .option('--cursor <cursor>', 'continue a previous listing')
  .action(async (filter: RunFilter) => {
    const page = await client().listRuns(filter);
    const table = new Table({
      head: ['id', 'kind', 'task', 'contender', 'status', 'mean Σ loss'],
      style: { head: [], border: [] },
    });
    for (const run of page.items) {
      const score = run.summary?.meanSumLoss ?? run.summary?.bestScore;
      table.push([
        run.id.slice(0, 12),
        run.kind,
        run.task,
        run.contender ?? '',
        run.status,
        score === undefined || score === null ? '' : score.toPrecision(4),
      ]);
    }
    const more = page.nextCursor ? `\nmore: --cursor ${page.nextCursor}` : '';
    print(page, `${table.toString()}${more}`);
  });

program
  .command('curves')
  .description("print a run's curves")
  .argument('<runId>')
  .addOption(
    new Option('--format <format>', 'output format').choices(['csv', 'json']).default('csv'),
  )
  .option('--max-points <n>', 'downsample to at most n points', Number)
  .action(async (runId: string, options: { format: string; maxPoints?: number }) => {
    const curves = await client().curves(runId, options.maxPoints);
    if (options.format === 'json' || asJson()) return console.log(JSON.stringify(curves, null, 2));
    const series = curves.map((curve) => ({
      label: curve.series,
      learned: false,
      steps: [...curve.step],
      mean: [...curve.mean],
      ...(curve.p10 && curve.p90 ? { lower: [...curve.p10], upper: [...curve.p90] } : {}),
    }));
    process.stdout.write(toCsv(series));
  });

program
  .command('figure')
  .description("write a sweep's loss-vs-step figure as SVG")
  .argument('<sweepId>')
  .requiredOption('-o, --output <file>', 'SVG file to write')
  .action(async (sweepId: string, options: { output: string }) => {
    const report = await sweepReport(client(), await client().sweep(sweepId, true));
    writeFileSync(options.output, report.figureSvg);
    print({ output: options.output }, `figure written to ${options.output}`);
  });

program
  .command('run')
  .description('run a sweep or run file in this process, with no services at all')
  .argument('<file>', 'JSON file: a sweep, or one run (it has a "kind")')
  .requiredOption('--local', 'run here, in-process (the only mode for now)')
  .option('-o, --output <file>', 'where to write the figure', 'metaopt-local.svg')
  .addOption(
    new Option('--backend <name>', 'numerics backend')
      .choices(['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'])
      .env('METAOPT_BACKEND')
      .default('auto'),
  )
  .action(async (file: string, options: { output: string; backend: BackendChoice }) => {
    const document = JSON.parse(readFileSync(file, 'utf8'));
    // Loaded here: the numerics bring TensorFlow.js, which the API commands never need.
    const { runLocally, outcomeText } = await import('./local.js');
    const { localReport } = await import('./local-report.js');
    const session = await runLocally(document, {
      backend: options.backend,
      onRunFinished: ({ run, outcome }, index, total) => {
        if (asJson()) return;
        console.error(`[${index + 1}/${total}] ${run.spec.kind} ${outcomeText(outcome)}`);
      },
    });
    const report = await localReport(basename(file, '.json'), session.results);
    if (report.figureSvg !== null) writeFileSync(options.output, report.figureSvg);
    const figure = report.figureSvg === null ? null : options.output;
    print(
      { backend: session.backend, runs: session.results, figure },
      `${report.table}\nbackend ${session.backend}; ` +
        (figure ? `figure written to ${figure}` : 'no loss curve, so no figure'),
    );
    // As with `submit --follow`: diverged is a result, a run that did not finish is not.
    if (session.results.some(({ outcome }) => outcome.kind !== 'finished')) {
      process.exitCode = EXIT_FAILED;
    }
  });

function progressLine(line: string): void {
  if (!asJson()) console.error(line);
}

function runText(run: RunView): string {
  const error = run.error ? `\n${run.error.code}: ${run.error.message}` : '';
  return `${run.id} ${run.kind} ${run.status}\n${JSON.stringify(run.summary)}${error}`;
}

registerComparisonCommands(program, {
  client,
  print,
  asJson,
  failed: () => (process.exitCode = EXIT_FAILED),
});

try {
  await program.parseAsync();
} catch (error) {
  process.exitCode = exitCodeOf(error);
}

function exitCodeOf(error: unknown): number {
  // Commander has written its message (or the help or version) already; only --help,
  // --version and `help` end well.
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_USAGE;
  if (error instanceof MetaoptApiError) {
    console.error(`error ${error.code}: ${error.message}`);
  } else {
    console.error(error instanceof Error ? error.message : String(error));
  }
  return EXIT_USAGE;
}
