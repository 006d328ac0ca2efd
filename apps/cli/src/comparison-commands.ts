/**
 * The CLI's comparison and checkpoint commands:
 *
 *   metaopt compare FILE [--follow] [-o DIR]   submit a comparison; with --follow, wait for
 *                                              its report, print its tables, write its figures
 *   metaopt import-torch FILE                  a PyTorch state_dict (JSON) → checkpoint id
 *   metaopt export-torch RUN_ID [-o FILE]      a meta-training's best weights → state_dict
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { MetaoptApiError, type ComparisonView, type MetaoptClient } from './client.js';

export interface CommandContext {
  readonly client: () => MetaoptClient;
  readonly print: (value: unknown, text: string) => void;
  readonly asJson: () => boolean;
  /** Sets the exit code for a comparison that ended badly. */
  readonly failed: () => void;
}

const POLL_INTERVAL_MS = 2000;

export function registerComparisonCommands(program: Command, ctx: CommandContext): void {
  program
    .command('compare')
    .description('submit a comparison file: baselines over a learning-rate grid and the LSTM')
    .argument('<file>', 'JSON file (see examples/*.comparison.json)')
    .option('--follow', 'wait for its report, print its tables and write its figures')
    .option('-o, --output <dir>', 'where --follow writes the figures', '.')
    .action(async (file: string, options: { follow?: boolean; output: string }) => {
      const submission = await ctx.client().submitComparison(readJson(file));
      ctx.print(
        submission,
        `${submission.id} (${submission.runs.length} runs, ${submission.queued} queued, ` +
          `${submission.joined} joined${submission.cached ? ', cached' : ''})`,
      );
      if (!options.follow) return;
      const done = await followComparison(ctx, submission.id);
      const written = await writeFigures(ctx.client(), done, options.output);
      ctx.print(done, reportText(done, written));
      if (done.status !== 'succeeded') ctx.failed();
    });

  program
    .command('import-torch')
    .description('import a trained LSTM optimizer, a PyTorch state_dict saved as JSON')
    .argument('<file>', '{"recurs.weight_ih": {"shape": [80, 2], "value": [[…]]}, …}')
    .action(async (file: string) => {
      const imported = await ctx.client().importCheckpoint(readJson(file));
      const { hiddenSize, preprocess } = imported.learned;
      ctx.print(
        imported,
        `${imported.id}${imported.created ? '' : ' (already stored)'}\n` +
          `evaluate it as "trained": {"checkpoint": "${imported.id}", ` +
          `"learned": {"hiddenSize": ${hiddenSize}, "preprocess": ${preprocess}, "outMul": …}}`,
      );
    });

  program
    .command('export-torch')
    .description("write a meta-training's best weights as a PyTorch state_dict (JSON)")
    .argument('<runId>', 'a meta-train run (or a checkpoint id, with --checkpoint)')
    .option('--checkpoint', 'the id is a checkpoint id')
    .option('-o, --output <file>', 'where to write it (default: stdout)')
    .action(async (id: string, options: { checkpoint?: boolean; output?: string }) => {
      const checkpointId = options.checkpoint ? id : await bestCheckpointOf(ctx.client(), id);
      const stateDict = await ctx.client().checkpoint(checkpointId);
      const text = `${JSON.stringify(stateDict)}\n`;
      if (!options.output) return void process.stdout.write(text);
      writeFileSync(options.output, text);
      ctx.print({ checkpointId, output: options.output }, `${checkpointId} → ${options.output}`);
    });
}

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8'));
}

async function bestCheckpointOf(client: MetaoptClient, runId: string): Promise<string> {
  const best = (await client.runCheckpoints(runId))
    .filter((ref) => ref.role === 'best')
    .sort((a, b) => b.epoch - a.epoch)[0];
  if (!best) {
    throw new MetaoptApiError(404, 'CHECKPOINT_NOT_FOUND', `run ${runId} has no best weights yet`);
  }
  return best.checkpointId;
}

async function followComparison(ctx: CommandContext, id: string): Promise<ComparisonView> {
  let last = '';
  for (;;) {
    const view = await ctx.client().comparison(id);
    const counts = Object.entries(view.runs.counts).map(([status, n]) => `${n} ${status}`);
    const line = `${view.status}: runs ${counts.join(', ')}`;
    if (line !== last && !ctx.asJson()) console.error(line);
    last = line;
    if (view.status !== 'running') return view;
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

async function writeFigures(
  client: MetaoptClient,
  view: ComparisonView,
  dir: string,
): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (let panel = 0; panel < view.figures.length; panel += 1) {
    const path = join(dir, `${view.name ?? view.id.slice(0, 12)}-${panel}.svg`);
    writeFileSync(path, await client.comparisonFigure(view.id, panel));
    written.push(path);
  }
  return written;
}

function reportText(view: ComparisonView, figures: readonly string[]): string {
  if (view.status !== 'succeeded') return `${view.id} ${view.status}: ${view.error?.message ?? ''}`;
  const panels = view.result?.panels ?? [];
  const metaLr = view.result?.metaLr === undefined ? '' : ` (meta-lr ${view.result.metaLr})`;
  return panels
    .map((panel, i) => `${panel.title}${metaLr}\n${view.tables[i]}figure: ${figures[i]}\n`)
    .join('\n');
}
