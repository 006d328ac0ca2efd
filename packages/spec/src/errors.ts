/**
 * Every way a run or sweep definition can be refused. The codes are stable: clients match
 * on them, and the API maps each to an HTTP status in one place.
 */
export type SpecErrorCode =
  | 'SPEC_INVALID'
  | 'SPEC_UNKNOWN_KIND'
  | 'SPEC_INVALID_GRID'
  | 'SPEC_LIMIT_EXCEEDED'
  /** An idxDir outside the directories the operator lets workers read (data-dirs.ts). */
  | 'DATASET_NOT_ALLOWED';

export interface SpecIssue {
  /** JSON pointer into the submitted document, e.g. `/optimizer/lr`. */
  readonly path: string;
  readonly message: string;
}

export class SpecError extends Error {
  override readonly name = 'SpecError';

  constructor(
    readonly code: SpecErrorCode,
    message: string,
    readonly issues: readonly SpecIssue[] = [],
    /** Set for SPEC_LIMIT_EXCEEDED: which limit, and its value. */
    readonly limit?: { readonly name: string; readonly max: number },
  ) {
    super(message);
  }
}
