import { describe, expect, it } from 'vitest';

import type { ResultRow } from '../src/index.js';
import { formatResultTable, sortResultRows } from '../src/index.js';

const rows: ResultRow[] = [
  { label: 'SGD', learningRate: 0.1, meanSumLoss: 55.2, finalLoss: 0.31, status: 'succeeded' },
  { label: 'NAG', learningRate: 1, meanSumLoss: 9, finalLoss: NaN, status: 'diverged' },
  { label: 'LSTM', meanSumLoss: 12.345678, finalLoss: 0.0000432, spread: 0.5, best: true },
  { label: 'ADAM', learningRate: 0.003, meanSumLoss: 30.1, finalLoss: 0.12, spread: 1.1 },
  { label: 'RMSprop', learningRate: 0.01, meanSumLoss: Infinity, finalLoss: Infinity },
];

/** The table's body lines (between the header rule and the bottom border), one per row. */
function bodyLines(table: string): string[] {
  const lines = table.split('\n');
  return lines.slice(3, -1);
}

describe('formatResultTable', () => {
  describe('when rows finished and diverged', () => {
    it('ranks finished rows by mean summed loss and puts diverged ones last', () => {
      const body = bodyLines(formatResultTable(rows));

      const labels = body.map((line) => /│\s*\S+\s*│\s*(?:★ )?(\S+)/.exec(line)?.[1]);
      expect(labels).toEqual(['LSTM', 'ADAM', 'SGD', 'NAG', 'RMSprop']);
      expect(body.map((line) => line.split('│')[1]?.trim())).toEqual(['1', '2', '3', '–', '–']);
    });

    it('marks a row diverged when its status says so or its summed loss is not finite', () => {
      const body = bodyLines(formatResultTable(rows));

      expect(body[3]).toMatch(/NAG.*diverged/);
      expect(body[4]).toMatch(/RMSprop.*∞.*diverged/);
      expect(body.slice(0, 3).join('\n')).not.toContain('diverged');
    });

    it('stars the best row and shows small losses in exponent form', () => {
      const body = bodyLines(formatResultTable(rows));

      expect(body[0]).toContain('★ LSTM');
      expect(body[0]).toContain('4.320e-5');
      expect(body[0]).toContain('12.35');
    });

    it('writes no colour codes, so logs and files read the same as the terminal', () => {
      expect(formatResultTable(rows)).not.toContain('\u001b[');
    });
  });

  describe('when there are no rows', () => {
    it('gives the header alone', () => {
      const table = formatResultTable([]);

      expect(table).toContain('mean Σ loss');
      expect(table.split('\n')).toHaveLength(3);
    });
  });
});

describe('sortResultRows', () => {
  describe('when several rows diverged', () => {
    it('keeps them in the order given', () => {
      const sorted = sortResultRows(rows).map((row) => row.label);

      expect(sorted.slice(-2)).toEqual(['NAG', 'RMSprop']);
    });
  });
});
