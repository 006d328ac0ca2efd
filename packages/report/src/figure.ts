/**
 * The paper's loss figure: loss against step on a log y axis, one line per optimizer, the
 * learned optimizer solid and the classic ones dashed, with an optional spread band. Built as
 * a Vega-Lite spec, compiled to Vega, and rendered by Vega's headless view straight to SVG,
 * which needs no canvas and no browser.
 */
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

import { ReportError, ReportErrorCode } from './errors.js';
import { assertSeries } from './series.js';
import type { LossFigureInput, LossSeries } from './types.js';

const WIDTH_PX = 480;
const HEIGHT_PX = 300;
const SOLID: readonly number[] = [1, 0];
const DASHED: readonly number[] = [6, 4];
/** Shown when no value of any series can sit on a log axis, so the frame still renders. */
const EMPTY_Y_DOMAIN = [0.1, 10];

interface LinePoint {
  readonly label: string;
  readonly step: number;
  readonly mean: number;
}

interface BandPoint {
  readonly label: string;
  readonly step: number;
  readonly lower: number;
  readonly upper: number;
}

/** Whether a value has a place on a log axis. */
function onLogAxis(value: number): boolean {
  return Number.isFinite(value) && value > 0;
}

function linePoints(series: readonly LossSeries[]): LinePoint[] {
  return series.flatMap(({ label, steps, mean }) =>
    steps.flatMap((step, i) => {
      const value = mean[i]!;
      return Number.isFinite(step) && onLogAxis(value) ? [{ label, step, mean: value }] : [];
    }),
  );
}

/**
 * Band points, with a bottom at or below zero clipped to `floor` (the smallest value drawn):
 * a mean minus a standard deviation often goes negative, and the band should then run to the
 * foot of the plot rather than vanish. A top that cannot be drawn drops the point.
 */
function bandPoints(series: readonly LossSeries[], floor: number | undefined): BandPoint[] {
  return series.flatMap(({ label, steps, lower, upper }) => {
    if (lower === undefined || upper === undefined) return [];
    return steps.flatMap((step, i) => {
      const top = upper[i]!;
      let bottom = lower[i]!;
      if (floor !== undefined && !Number.isNaN(bottom) && !onLogAxis(bottom)) bottom = floor;
      const drawable = Number.isFinite(step) && onLogAxis(top) && onLogAxis(bottom);
      return drawable ? [{ label, step, lower: Math.min(bottom, top), upper: top }] : [];
    });
  });
}

function smallestDrawn(lines: readonly LinePoint[], series: readonly LossSeries[]): number {
  let smallest = Infinity;
  for (const point of lines) smallest = Math.min(smallest, point.mean);
  for (const { lower } of series) {
    for (const value of lower ?? []) if (onLogAxis(value)) smallest = Math.min(smallest, value);
  }
  return smallest;
}

/**
 * The Vega-Lite spec behind {@link renderLossFigure}, for callers that render in a browser.
 *
 * Values a log axis cannot show are handled so one diverged run cannot break the figure: a
 * mean that is NaN, infinite, zero or negative is dropped (the line joins the points around
 * it, and a run that diverged simply ends where it did); a band bottom at or below zero is
 * clipped to the smallest value drawn; a band point whose bottom is NaN or whose top cannot
 * be drawn is dropped. Every series keeps its legend entry even with nothing left to draw.
 */
export function lossFigureSpec(input: LossFigureInput): TopLevelSpec {
  const { series } = input;
  if (series.length === 0) {
    throw new ReportError(ReportErrorCode.INVALID_SERIES, 'a loss figure needs a series');
  }
  assertSeries(series);

  const lines = linePoints(series);
  const smallest = smallestDrawn(lines, series);
  const bands = bandPoints(series, Number.isFinite(smallest) ? smallest : undefined);

  // Fixed domains keep colours, dashes and legend entries stable whatever was dropped.
  const labels = series.map((s) => s.label);
  const color = { field: 'label', type: 'nominal', scale: { domain: labels } } as const;
  const yScale = {
    type: 'log',
    ...(lines.length + bands.length === 0 ? { domain: EMPTY_Y_DOMAIN } : {}),
  } as const;
  const x = { field: 'step', type: 'quantitative', title: 'step', scale: { nice: false } } as const;

  return {
    ...(input.title === undefined ? {} : { title: input.title }),
    width: WIDTH_PX,
    height: HEIGHT_PX,
    layer: [
      {
        data: { values: bands },
        mark: { type: 'area', opacity: 0.18 },
        encoding: {
          x,
          y: { field: 'lower', type: 'quantitative', scale: yScale, title: input.yLabel ?? 'loss' },
          y2: { field: 'upper' },
          // `fill`, not `color`: a legend setting on a shared colour scale would apply to the
          // lines too. The same domain and scheme give the band its line's colour.
          fill: { ...color, legend: null },
        },
      },
      {
        data: { values: lines },
        mark: { type: 'line', strokeWidth: 2 },
        encoding: {
          x,
          y: { field: 'mean', type: 'quantitative', scale: yScale },
          color: { ...color, legend: { title: null } },
          strokeDash: {
            ...color,
            legend: { title: null },
            scale: { domain: labels, range: series.map((s) => (s.learned ? SOLID : DASHED)) },
          },
        },
      },
    ],
    // Vega-Lite merges the fill and colour legends by default; the band's must stay hidden.
    resolve: { legend: { fill: 'independent' } },
    config: {
      legend: { symbolType: 'stroke', symbolStrokeWidth: 2, symbolSize: 400, labelLimit: 240 },
    },
  } as TopLevelSpec;
}

/**
 * Vega's logger, minus the console: a library that prints would bypass the callers' logs.
 * Warnings are dropped (they flag cosmetic fallbacks); errors are kept and fail the render.
 */
class RenderLog {
  readonly errors: string[] = [];
  #level = 0;

  level(): number;
  level(value: number): this;
  level(value?: number): number | this {
    if (value === undefined) return this.#level;
    this.#level = value;
    return this;
  }

  error(...args: readonly unknown[]): this {
    this.errors.push(args.map(String).join(' '));
    return this;
  }

  warn(): this {
    return this;
  }

  info(): this {
    return this;
  }

  debug(): this {
    return this;
  }
}

/** Renders the loss figure as a standalone SVG document (see {@link lossFigureSpec}). */
export async function renderLossFigure(input: LossFigureInput): Promise<string> {
  const log = new RenderLog();
  const { spec } = compile(lossFigureSpec(input), { logger: log });
  const view = new View(parse(spec), { renderer: 'none', logger: log });
  let svg: string;
  try {
    svg = await view.toSVG();
  } finally {
    view.finalize();
  }
  if (log.errors.length > 0) {
    const message = `the loss figure failed to render: ${log.errors.join('; ')}`;
    throw new ReportError(ReportErrorCode.RENDER_FAILED, message);
  }
  return svg;
}
