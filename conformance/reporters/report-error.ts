/** Why reports could not be rendered: a stable `code` for callers, a message for people. */
export type ReportErrorCode = 'ERR_NO_RUN' | 'ERR_BAD_RESULT' | 'ERR_UNKNOWN_REPORTER';

/** Thrown by {@link showRun} and {@link renderReports} for bad input (never for a client's data). */
export class ReportError extends Error {
  override readonly name = 'ReportError';
  constructor(
    readonly code: ReportErrorCode,
    message: string,
  ) {
    super(message);
  }
}
