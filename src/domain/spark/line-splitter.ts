// JSON lines out of arbitrary chunks, in bounded memory. A line is handed on as (buffer, start,
// end) without copying when it sits inside one chunk; a line split over chunks is joined once.
// Before joining, the line's event name is peeked from its first bytes (`{"Event":"Name"`) so
// lines nobody wants (TaskStart, BlockManagerAdded, metrics updates) are skipped without being
// kept, decoded or parsed. A line longer than maxLineBytes is dropped and counted.

const PREFIX = Buffer.from('{"Event":"');
const NEWLINE = 0x0a;
const QUOTE = 0x22;
/** Bytes needed to peek a name: the prefix plus the longest Spark event class name. */
const PEEK_BYTES = PREFIX.length + 128;

export interface SplitterStats {
  lines: number;
  /** Lines skipped by their event name without being parsed. */
  skipped: number;
  /** Lines over maxLineBytes, dropped. */
  oversized: number;
  bytes: number;
}

export type WantEvent = (name: string) => boolean;
export type OnLine = (buf: Buffer, start: number, end: number) => void;

/** The event name of a line starting at `start`, or undefined when it does not start with {"Event":". */
export function peekEventName(buf: Buffer, start: number, end: number): string | undefined {
  if (end - start < PREFIX.length + 1) return undefined;
  for (let i = 0; i < PREFIX.length; i++) if (buf[start + i] !== PREFIX[i]) return undefined;
  const from = start + PREFIX.length;
  const limit = Math.min(end, from + 256);
  for (let i = from; i < limit; i++) if (buf[i] === QUOTE) return buf.toString('latin1', from, i);
  return undefined;
}

export class LineSplitter {
  readonly stats: SplitterStats = { lines: 0, skipped: 0, oversized: 0, bytes: 0 };
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** The current (split) line is being skipped up to its newline. */
  private skipping = false;
  /** Whether the pending line was already judged wanted. */
  private judged = false;

  constructor(
    private readonly want: WantEvent,
    private readonly onLine: OnLine,
    private readonly maxLineBytes = 64 * 1024 * 1024,
  ) {}

  push(chunk: Buffer): void {
    this.stats.bytes += chunk.length;
    let pos = 0;
    const len = chunk.length;
    // The rest of a line begun in an earlier chunk.
    if (this.skipping || this.pendingBytes > 0) {
      const nl = chunk.indexOf(NEWLINE, 0);
      if (!this.skipping) this.appendPending(chunk, 0, nl < 0 ? len : nl); // may turn to skipping
      if (nl < 0) return;
      if (this.skipping) {
        this.skipping = false;
        this.stats.lines++;
      } else this.flushPending();
      pos = nl + 1;
    }
    while (pos < len) {
      const nl = chunk.indexOf(NEWLINE, pos);
      if (nl < 0) {
        this.startPending(chunk, pos, len);
        return;
      }
      this.line(chunk, pos, nl);
      pos = nl + 1;
    }
  }

  /** Call once after the last chunk: a last line without a newline still counts. */
  end(): void {
    if (this.skipping) {
      this.skipping = false;
      this.stats.lines++;
      return;
    }
    if (this.pendingBytes > 0) this.flushPending();
  }

  private line(buf: Buffer, start: number, end: number): void {
    let e = end;
    if (e > start && buf[e - 1] === 0x0d) e--; // CRLF
    if (e <= start) return;
    this.stats.lines++;
    const name = peekEventName(buf, start, e);
    if (name !== undefined && !this.want(name)) {
      this.stats.skipped++;
      return;
    }
    if (e - start > this.maxLineBytes) {
      this.stats.oversized++;
      return;
    }
    this.onLine(buf, start, e);
  }

  private startPending(chunk: Buffer, start: number, end: number): void {
    this.judged = false;
    this.pending = [];
    this.pendingBytes = 0;
    this.appendPending(chunk, start, end);
  }

  private appendPending(chunk: Buffer, start: number, end: number): void {
    if (end > start) {
      // Copy: the caller may reuse its chunk buffer.
      this.pending.push(Buffer.from(chunk.subarray(start, end)));
      this.pendingBytes += end - start;
    }
    if (!this.judged && this.pendingBytes >= PEEK_BYTES) {
      this.judged = true;
      const head = Buffer.concat(this.pending);
      this.pending = [head];
      const name = peekEventName(head, 0, head.length);
      if (name !== undefined && !this.want(name)) {
        this.stats.skipped++;
        this.dropPending();
        return;
      }
    }
    if (this.pendingBytes > this.maxLineBytes) {
      this.stats.oversized++;
      this.dropPending();
    }
  }

  /** Forget the pending line and skip the rest of it up to its newline (counted then). */
  private dropPending(): void {
    this.pending = [];
    this.pendingBytes = 0;
    this.skipping = true;
  }

  private flushPending(): void {
    const buf = this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    this.judged = false;
    this.line(buf, 0, buf.length);
  }
}
