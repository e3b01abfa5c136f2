/** One line a target wrote to its log (stderr, or stdout in wire-only mode). */
export interface LogLine {
  /** Arrival time on the runner's clock (ms). */
  readonly at: number;
  readonly stream: 'stderr' | 'stdout';
  readonly text: string;
}

/** Options of {@link LogRing}. */
export interface LogRingOptions {
  /** Lines kept; older ones are dropped. Default 1000. */
  readonly capacity?: number;
  /** Characters kept per line; longer lines are cut and marked. Default 4000. */
  readonly maxLineLength?: number;
}

/**
 * The last lines of a process's log, for reports and error messages. Memory stays bounded
 * whatever the process prints; {@link LogRing.dropped} says how many lines fell out.
 */
export class LogRing {
  private readonly lines: LogLine[] = [];
  private readonly capacity: number;
  private readonly maxLineLength: number;
  private droppedCount = 0;

  constructor(options: LogRingOptions = {}) {
    this.capacity = Math.max(1, options.capacity ?? 1000);
    this.maxLineLength = Math.max(16, options.maxLineLength ?? 4000);
  }

  push(line: LogLine): void {
    const text =
      line.text.length > this.maxLineLength
        ? `${line.text.slice(0, this.maxLineLength)}… [${line.text.length - this.maxLineLength} more characters]`
        : line.text;
    this.lines.push(text === line.text ? line : { ...line, text });
    if (this.lines.length > this.capacity) {
      this.lines.shift();
      this.droppedCount++;
    }
  }

  /** Lines that no longer fit and were dropped, oldest first. */
  get dropped(): number {
    return this.droppedCount;
  }

  /** The kept lines, oldest first (a copy). */
  entries(): LogLine[] {
    return [...this.lines];
  }

  /** The last `n` kept lines as text, one per line (for error messages). */
  tail(n = 20): string {
    return this.lines
      .slice(-n)
      .map((l) => l.text)
      .join('\n');
  }
}
