import Table from 'cli-table3';

import { formatNumber } from './format.js';
import type { ResultRow } from './types.js';

const DIVERGED = 'diverged';

/** A row that cannot be ranked: its run said so, or its summed loss is not a number. */
export function isDiverged(row: ResultRow): boolean {
  return row.status === DIVERGED || !Number.isFinite(row.meanSumLoss);
}

/** Ranked rows by mean summed loss, best first, then diverged rows in the order given. */
export function sortResultRows(rows: readonly ResultRow[]): ResultRow[] {
  const ranked = rows.filter((row) => !isDiverged(row));
  const diverged = rows.filter(isDiverged);
  return [...ranked.sort((a, b) => a.meanSumLoss - b.meanSumLoss), ...diverged];
}

function cell(value: number | undefined): string {
  return value === undefined ? '' : formatNumber(value);
}

/**
 * A results table for a terminal, ranked by mean summed loss (the paper's measure of an
 * optimizer over a whole run); diverged rows come last, unranked, with status `diverged`.
 * The row marked `best` gets a ★. No colours, so it reads the same in logs and files.
 */
export function formatResultTable(rows: readonly ResultRow[]): string {
  const table = new Table({
    head: ['#', 'optimizer', 'lr', 'mean Σ loss', 'final loss', 'spread', 'status'],
    colAligns: ['right', 'left', 'right', 'right', 'right', 'right', 'left'],
    style: { head: [], border: [], compact: true },
  });

  let rank = 0;
  for (const row of sortResultRows(rows)) {
    const diverged = isDiverged(row);
    if (!diverged) rank += 1;
    table.push([
      diverged ? '–' : String(rank),
      row.best ? `★ ${row.label}` : row.label,
      cell(row.learningRate),
      formatNumber(row.meanSumLoss),
      formatNumber(row.finalLoss),
      cell(row.spread),
      row.status ?? (diverged ? DIVERGED : ''),
    ]);
  }
  return table.toString();
}
