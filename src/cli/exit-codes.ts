/** The exit codes scripts rely on. */
export const EXIT = {
  /** Nothing to report. */
  ok: 0,
  /** Findings of the kinds named by --fail-on. */
  findings: 1,
  /** A usage, configuration or input error. */
  error: 2,
} as const;
