/**
 * Known errors: a user's mistake or a bad input. The CLI prints `message` and `hint` on one line
 * each and exits 2; anything else is a bug and keeps its stack trace.
 */
export class FlowauditError extends Error {
  /** Where the problem is: `file`, `file:line`, `file:line:column` or `file@byte N`. */
  readonly location: string | undefined;
  /** What the user can do about it. */
  readonly hint: string;

  constructor(message: string, hint: string, location?: string) {
    super(message);
    this.name = 'FlowauditError';
    this.location = location;
    this.hint = hint;
  }

  /** The one line the CLI prints. */
  toLine(): string {
    const where = this.location === undefined ? '' : `${this.location}: `;
    return `${where}${this.message} — ${this.hint}`;
  }
}

/** A capture or log whose header cannot be read: nothing of it can be used. */
export class InputFormatError extends FlowauditError {
  constructor(path: string, byteOffset: number, reason: string, hint: string) {
    super(reason, hint, `${path}@byte ${byteOffset}`);
    this.name = 'InputFormatError';
  }
}

/** A bad option, rule pack or inventory. */
export class ConfigError extends FlowauditError {
  constructor(message: string, hint: string, location?: string) {
    super(message, hint, location);
    this.name = 'ConfigError';
  }
}
