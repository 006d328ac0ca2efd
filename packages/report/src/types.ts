/**
 * What the report renders, in its own terms: the report imports nothing from other metaopt
 * packages, so the CLI, the API and scripts can hand it results from anywhere.
 */

/** One optimizer's loss curve: `mean[i]` (and its spread) at `steps[i]`. */
export interface LossSeries {
  readonly label: string;
  /** The meta-trained optimizer: drawn solid, every classic optimizer dashed, as in the paper. */
  readonly learned: boolean;
  readonly steps: readonly number[];
  readonly mean: readonly number[];
  /** The spread band's bottom and top at each step; both or neither. */
  readonly lower?: readonly number[];
  readonly upper?: readonly number[];
}

export interface LossFigureInput {
  readonly title?: string;
  readonly series: readonly LossSeries[];
  /** The y axis title; default `'loss'`. */
  readonly yLabel?: string;
}

/** One optimizer's summary in a results table. */
export interface ResultRow {
  readonly label: string;
  readonly learningRate?: number;
  /** Loss summed over the steps of a run, averaged over the test problems: the ranking key. */
  readonly meanSumLoss: number;
  readonly finalLoss: number;
  /** The spread of the summed loss over test problems (e.g. its standard deviation). */
  readonly spread?: number;
  /** A run status such as `'succeeded'` or `'diverged'`; a diverged row sorts last. */
  readonly status?: string;
  /** Marks the row picked as best (e.g. of a learning-rate sweep). */
  readonly best?: boolean;
}
