import { DOMParser, type Element } from '@xmldom/xmldom';
import { describe, expect, it } from 'vitest';

import type { LossSeries } from '../src/index.js';
import { lossFigureSpec, renderLossFigure, ReportError } from '../src/index.js';

const steps = Array.from({ length: 50 }, (_, i) => i + 1);

/** A curve falling from about 2 to `floor`, with a ±20% band when `spread` is set. */
function curve(label: string, learned: boolean, floor: number, spread = true): LossSeries {
  const mean = steps.map((step) => floor + 2 * Math.exp(-step / 10));
  if (!spread) return { label, learned, steps, mean };
  return {
    label,
    learned,
    steps,
    mean,
    lower: mean.map((m) => m * 0.8),
    upper: mean.map((m) => m * 1.2),
  };
}

/** Parses strictly: any XML warning or error fails the test. */
function parseSvg(svg: string): Element {
  const fail = (message: string) => {
    throw new Error(`SVG is not well-formed XML: ${message}`);
  };
  const doc = new DOMParser({ onError: (_level, message) => fail(message) }).parseFromString(
    svg,
    'image/svg+xml',
  );
  const root = doc.documentElement;
  if (!root) throw new Error('SVG has no root element');
  expect(root.tagName).toBe('svg');
  return root;
}

function groupsOfClass(root: Element, className: string): Element[] {
  return Array.from(root.getElementsByTagName('g')).filter((g) =>
    (g.getAttribute('class') ?? '').split(' ').includes(className),
  );
}

function pathsIn(groups: readonly Element[]): Element[] {
  return groups.flatMap((g) => Array.from(g.getElementsByTagName('path')));
}

/** The drawn line of each series, found by the label Vega writes into its aria-label. */
function linesByLabel(root: Element): Map<string, Element> {
  const lines = new Map<string, Element>();
  for (const path of pathsIn(groupsOfClass(root, 'mark-line'))) {
    const label = /label: ([^;]+)$/.exec(path.getAttribute('aria-label') ?? '')?.[1];
    if (label !== undefined) lines.set(label, path);
  }
  return lines;
}

/** The y axis's tick labels and their vertical positions, in pixels from the top. */
function yTickPositions(root: Element): Map<string, number> {
  const axes = groupsOfClass(root, 'role-axis-label');
  const yAxis = axes.find(
    (g) => g.getElementsByTagName('text')[0]?.getAttribute('text-anchor') === 'end',
  );
  const ticks = new Map<string, number>();
  for (const text of Array.from(yAxis?.getElementsByTagName('text') ?? [])) {
    const y = /translate\([^,]+,([^)]+)\)/.exec(text.getAttribute('transform') ?? '')?.[1];
    if (text.textContent && y !== undefined) ticks.set(text.textContent, Number(y));
  }
  return ticks;
}

describe('renderLossFigure', () => {
  describe('when given a learned optimizer and three classic ones', () => {
    const series = [
      curve('ADAM', false, 0.2),
      curve('RMSprop', false, 0.3),
      curve('SGD', false, 0.5, false),
      curve('LSTM', true, 0.02),
    ];

    it('renders well-formed SVG with one line per series', async () => {
      const root = parseSvg(await renderLossFigure({ title: 'MNIST', series }));

      expect(pathsIn(groupsOfClass(root, 'mark-line'))).toHaveLength(4);
      expect([...linesByLabel(root).keys()].sort()).toEqual(['ADAM', 'LSTM', 'RMSprop', 'SGD']);
    });

    it('draws a band only for the series that have a spread', async () => {
      const root = parseSvg(await renderLossFigure({ series }));

      expect(pathsIn(groupsOfClass(root, 'mark-area'))).toHaveLength(3);
    });

    it('draws the learned optimizer solid and the classic ones dashed', async () => {
      const lines = linesByLabel(parseSvg(await renderLossFigure({ series })));

      expect(lines.get('LSTM')?.getAttribute('stroke-dasharray')).toBe('1,0');
      for (const label of ['ADAM', 'RMSprop', 'SGD']) {
        expect(lines.get(label)?.getAttribute('stroke-dasharray')).toBe('6,4');
      }
    });

    it('puts loss on a log axis: each factor of ten takes the same height', async () => {
      const ticks = yTickPositions(parseSvg(await renderLossFigure({ series })));
      const at = (label: string) => {
        const y = ticks.get(label);
        if (y === undefined) throw new Error(`no y tick labelled ${label}: ${[...ticks.keys()]}`);
        return y;
      };

      // Data from 0.02 to 2.4 span the decades 0.01–0.1–1–10 after Vega rounds the domain.
      const decade = at('0.1') - at('1');
      expect(decade).toBeGreaterThan(0);
      expect(at('0.01') - at('0.1')).toBeCloseTo(decade, 6);
      expect(at('1') - at('10')).toBeCloseTo(decade, 6);
      expect(lossFigureSpec({ series })).toMatchObject({
        layer: [{ encoding: { y: { scale: { type: 'log' } } } }, {}],
      });
    });

    it('lists every optimizer in the legend, with the title and the y label', async () => {
      const svg = await renderLossFigure({ title: 'MNIST', yLabel: 'training loss', series });
      const root = parseSvg(svg);
      const legend = groupsOfClass(root, 'role-legend-label').flatMap((g) =>
        Array.from(g.getElementsByTagName('text')).map((t) => t.textContent),
      );

      expect(legend).toEqual(['ADAM', 'RMSprop', 'SGD', 'LSTM']);
      expect(svg).toContain('>MNIST<');
      expect(svg).toContain('>training loss<');
    });
  });

  describe('when values cannot sit on a log axis', () => {
    it('drops NaN, infinite, zero and negative means without throwing', async () => {
      const broken = curve('SGD', false, 0.5);
      const mean = [...broken.mean];
      mean[3] = NaN;
      mean[4] = Infinity;
      mean[5] = 0;
      mean[6] = -1;
      const lower = broken.lower!.map((value, i) => (i === 10 ? -5 : i === 11 ? NaN : value));
      const upper = broken.upper!.map((value, i) => (i === 12 ? -Infinity : value));
      const series = [curve('LSTM', true, 0.02), { ...broken, mean, lower, upper }];

      const root = parseSvg(await renderLossFigure({ series }));

      const lines = linesByLabel(root);
      expect(lines.size).toBe(2);
      for (const path of pathsIn([
        ...groupsOfClass(root, 'mark-line'),
        ...groupsOfClass(root, 'mark-area'),
      ])) {
        expect(path.getAttribute('d')).not.toMatch(/NaN|Infinity/);
      }
    });

    it('still renders axes and a legend entry when nothing at all can be drawn', async () => {
      const series = [
        { label: 'diverged', learned: false, steps: [1, 2, 3], mean: [NaN, Infinity, -1] },
      ];

      const svg = await renderLossFigure({ series });

      const root = parseSvg(svg);
      expect(pathsIn(groupsOfClass(root, 'mark-line'))).toHaveLength(0);
      expect(svg).toContain('>diverged<');
    });
  });

  describe('when the input is not a set of curves', () => {
    it.each([
      { problem: 'no series', series: [] },
      {
        problem: 'a mean per step missing',
        series: [{ label: 'a', learned: true, steps: [1, 2], mean: [1] }],
      },
      {
        problem: 'a lower without an upper',
        series: [{ label: 'a', learned: true, steps: [1], mean: [1], lower: [0.5] }],
      },
      {
        problem: 'the same label twice',
        series: [curve('ADAM', false, 0.1), curve('ADAM', false, 0.2)],
      },
    ])('rejects $problem with REPORT_INVALID_SERIES', async ({ series }) => {
      const err = await renderLossFigure({ series }).catch((reason: unknown) => reason);

      expect(err).toBeInstanceOf(ReportError);
      expect((err as ReportError).code).toBe('REPORT_INVALID_SERIES');
    });
  });
});
