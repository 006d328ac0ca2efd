/** Every error this package throws, each with a stable code. */
export const ReportErrorCode = {
  /** Series lengths disagree, labels repeat, or there is nothing to draw. */
  INVALID_SERIES: 'REPORT_INVALID_SERIES',
  /** Vega reported an error while drawing; the message carries its words. */
  RENDER_FAILED: 'REPORT_RENDER_FAILED',
} as const;

export type ReportErrorCode = (typeof ReportErrorCode)[keyof typeof ReportErrorCode];

export class ReportError extends Error {
  override readonly name = 'ReportError';
  readonly code: ReportErrorCode;

  constructor(code: ReportErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
