import { StringDecoder } from 'node:string_decoder';

/** The longest line {@link LineSplitter} accepts by default: 16 MiB, as the adapter protocol says. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

/** One piece of output from {@link LineSplitter}. */
export type SplitLine =
  /** A complete line, without its `\n` (and without a `\r` before it). */
  | { readonly kind: 'line'; readonly text: string }
  /** A line longer than the limit: its text was discarded, `bytes` is about how long it was. */
  | { readonly kind: 'too-long'; readonly bytes: number; readonly head: string };

/**
 * Cuts a byte stream into lines, for JSON-lines protocols on pipes.
 *
 * Chunks may split lines (and UTF-8 characters) anywhere; lines are returned only once their
 * `\n` arrived. A line over `maxLineBytes` is not kept in memory: it is reported as
 * `too-long` once its end arrives (or at {@link LineSplitter.end}).
 *
 * @example
 * const splitter = new LineSplitter();
 * splitter.push(Buffer.from('{"a":1}\n{"b"')); // [{ kind: 'line', text: '{"a":1}' }]
 * splitter.push(Buffer.from(':2}\n'));         // [{ kind: 'line', text: '{"b":2}' }]
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  /** Characters of an over-long line seen so far (its text is dropped). */
  private overflow = 0;
  private overflowHead = '';

  constructor(private readonly maxLineBytes = MAX_LINE_BYTES) {}

  /** Feeds a chunk; returns the lines it completed. */
  push(chunk: Buffer | string): SplitLine[] {
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    return this.consume(text);
  }

  /** The stream ended: returns its last line if it had no `\n`. */
  end(): SplitLine[] {
    const out = this.consume(this.decoder.end());
    if (this.overflow > 0) {
      out.push({
        kind: 'too-long',
        bytes: this.overflow + this.pending.length,
        head: this.overflowHead,
      });
    } else if (this.pending.length > 0) {
      out.push({ kind: 'line', text: stripCr(this.pending) });
    }
    this.pending = '';
    this.overflow = 0;
    this.overflowHead = '';
    return out;
  }

  private consume(text: string): SplitLine[] {
    const out: SplitLine[] = [];
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      const piece = text.slice(start, nl);
      start = nl + 1;
      if (this.overflow > 0) {
        out.push({
          kind: 'too-long',
          bytes: this.overflow + this.pending.length + piece.length,
          head: this.overflowHead,
        });
        this.overflow = 0;
        this.overflowHead = '';
        this.pending = '';
        continue;
      }
      const line = this.pending + piece;
      this.pending = '';
      if (line.length > this.maxLineBytes) {
        out.push({ kind: 'too-long', bytes: line.length, head: line.slice(0, 200) });
      } else {
        out.push({ kind: 'line', text: stripCr(line) });
      }
    }
    this.pending += text.slice(start);
    if (this.pending.length > this.maxLineBytes) {
      if (this.overflow === 0) this.overflowHead = this.pending.slice(0, 200);
      this.overflow += this.pending.length;
      this.pending = '';
    }
    return out;
  }
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

/** A value as one JSON line (JSON never contains a raw newline, so this is always one line). */
export function encodeJsonLine(value: unknown): string {
  return JSON.stringify(value) + '\n';
}
