/**
 * A comparison as a person reads it: for each panel, each contender's best learning rate as a
 * table row (a diverged or failed cell scores as the worst, so it never wins while anything
 * finished), and the contenders' loss curves as one figure. The learned optimizer's
 * meta-learning rate, when several were tried, is the one whose meta-training scored best on
 * its own validation problems: it is chosen once, on the training task, for every panel.
 *
 * Its inputs are plain data in the shapes @metaopt/spec and the store use, so the worker that
 * writes a comparison's report and anything that re-reads it draw the same thing.
 */
import { renderLossFigure } from './figure.js';
import { formatNumber } from './format.js';
import type { LossCurvePoints } from './sweep.js';
import type { LossSeries } from './types.js';

const LEARNED = 'lstm';

/** A cell as the comparison's layout names it. */
export interface LayoutCell {
  readonly runId: string;
  readonly contender: string;
  readonly lr?: number;
  readonly metaLr?: number;
}

export interface LayoutPanel {
  readonly title: string;
  readonly steps: number;
  readonly nTests: number;
  readonly seed: number;
  readonly cells: readonly LayoutCell[];
}

export interface Layout {
  readonly panels: readonly LayoutPanel[];
  readonly trainers: readonly { readonly runId: string; readonly metaLr: number }[];
}

/** A run of the comparison, as much as the report reads. */
export interface ComparisonRun {
  readonly status: string;
  readonly summary: {
    readonly meanSumLoss?: number | null;
    readonly sumLossStd?: number | null;
    readonly finalLossMean?: number | null;
    readonly bestScore?: number | null;
  } | null;
}

/** One cell's outcome; `meanSumLoss` null when it diverged, failed or did not finish. */
export interface CellResult extends LayoutCell {
  readonly status: string;
  readonly meanSumLoss: number | null;
  /** Standard deviation over test problems of their summed losses. */
  readonly spread: number | null;
  readonly finalLoss: number | null;
}

export interface PanelResult {
  readonly title: string;
  readonly steps: number;
  readonly nTests: number;
  readonly seed: number;
  /** Each contender's best cell, best first; contenders with no finite score last. */
  readonly rows: readonly CellResult[];
  /** Every cell, in layout order: the learning-rate sweeps in full. */
  readonly cells: readonly CellResult[];
}

export interface ComparisonResult {
  readonly panels: readonly PanelResult[];
  /** The meta-learning rate chosen, when several were meta-trained. */
  readonly metaLr?: number;
  /** The chosen meta-training run and its best validation score. */
  readonly trainer?: { readonly runId: string; readonly bestScore: number | null };
}

export function comparisonResult(
  layout: Layout,
  runs: ReadonlyMap<string, ComparisonRun>,
): ComparisonResult {
  const trainer = chosenTrainer(layout, runs);
  const panels = layout.panels.map((panel): PanelResult => {
    const cells = panel.cells.map((cell) => cellResult(cell, runs.get(cell.runId)));
    const eligible = cells.filter(
      (cell) =>
        cell.contender !== LEARNED ||
        trainer === undefined ||
        cell.metaLr === undefined ||
        cell.metaLr === trainer.metaLr,
    );
    const { title, steps, nTests, seed } = panel;
    return { title, steps, nTests, seed, rows: bestPerContender(eligible), cells };
  });
  return {
    panels,
    ...(trainer && layout.trainers.length > 1 ? { metaLr: trainer.metaLr } : {}),
    ...(trainer ? { trainer: { runId: trainer.runId, bestScore: trainer.bestScore } } : {}),
  };
}

function chosenTrainer(
  layout: Layout,
  runs: ReadonlyMap<string, ComparisonRun>,
): { runId: string; metaLr: number; bestScore: number | null } | undefined {
  let chosen: { runId: string; metaLr: number; bestScore: number | null } | undefined;
  for (const { runId, metaLr } of layout.trainers) {
    const score = finite(runs.get(runId)?.summary?.bestScore);
    if (!chosen || rank(score) < rank(chosen.bestScore))
      chosen = { runId, metaLr, bestScore: score };
  }
  return chosen;
}

function cellResult(cell: LayoutCell, run: ComparisonRun | undefined): CellResult {
  const settled = run?.status === 'succeeded';
  return {
    ...cell,
    status: run?.status ?? 'missing',
    meanSumLoss: settled ? finite(run.summary?.meanSumLoss) : null,
    spread: settled ? finite(run.summary?.sumLossStd) : null,
    finalLoss: settled ? finite(run.summary?.finalLossMean) : null,
  };
}

function bestPerContender(cells: readonly CellResult[]): CellResult[] {
  const best = new Map<string, CellResult>();
  for (const cell of cells) {
    const current = best.get(cell.contender);
    if (!current || rank(cell.meanSumLoss) < rank(current.meanSumLoss)) {
      best.set(cell.contender, cell);
    }
  }
  return [...best.values()].sort((a, b) => rank(a.meanSumLoss) - rank(b.meanSumLoss));
}

/** Lower is better; anything without a finite score ranks after every number. */
function rank(score: number | null): number {
  return score ?? Infinity;
}

function finite(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** A panel's table in Markdown: contender, learning rate, mean Σ loss, final loss, spread. */
export function panelMarkdown(panel: PanelResult): string {
  const show = (value: number | null | undefined) =>
    value === null || value === undefined ? '–' : formatNumber(value);
  const lines = [
    `| optimizer | lr | mean Σ loss | final loss | spread (std of Σ loss) | status |`,
    '| --- | --- | --- | --- | --- | --- |',
    ...panel.rows
      .map((row) =>
        [
          row.contender === LEARNED ? 'LSTM' : row.contender,
          row.contender === LEARNED
            ? row.metaLr === undefined
              ? ''
              : `meta ${row.metaLr}`
            : row.lr,
          show(row.meanSumLoss),
          show(row.finalLoss),
          show(row.spread),
          row.status,
        ].join(' | '),
      )
      .map((line) => `| ${line} |`),
  ];
  return `${lines.join('\n')}\n`;
}

/** Reads a run's `loss` curve at most `maxPoints` points, or undefined when it has none. */
export type CurveReader = (
  runId: string,
  maxPoints: number,
) => Promise<LossCurvePoints | undefined>;

/** Points per curve drawn: a figure 480 px wide shows no more. */
const FIGURE_POINTS = 200;

/**
 * One SVG per panel: loss against step on a log scale, each row's mean over the test problems
 * with its 10–90% band, the LSTM solid and the classic optimizers dashed.
 */
export async function renderComparisonFigures(
  name: string,
  result: ComparisonResult,
  readCurve: CurveReader,
): Promise<string[]> {
  const figures: string[] = [];
  for (const panel of result.panels) {
    const series: LossSeries[] = [];
    for (const row of panel.rows) {
      const curve = await readCurve(row.runId, FIGURE_POINTS);
      if (!curve) continue;
      const learned = row.contender === LEARNED;
      const label = learned ? 'LSTM (learned)' : `${row.contender} (lr ${row.lr})`;
      const band = curve.p10 && curve.p90 ? { lower: [...curve.p10], upper: [...curve.p90] } : {};
      series.push({ label, learned, steps: [...curve.step], mean: [...curve.mean], ...band });
    }
    const title = `${name}: ${panel.title}, ${panel.nTests} problems`;
    figures.push(
      series.length > 0
        ? await renderLossFigure({ title, series })
        : await renderLossFigure({ title, series: [emptySeries()] }),
    );
  }
  return figures;
}

/** Keeps a figure drawable (an empty frame) when no contender finished with a curve. */
function emptySeries(): LossSeries {
  return { label: 'no finished run', learned: false, steps: [], mean: [] };
}
