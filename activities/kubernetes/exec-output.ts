/**
 * Output of a command run in a pod: a bounded tail kept for the result (so a chatty command
 * cannot blow Temporal's payload limits) and a line splitter that feeds the activity log.
 */
import { Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/** Bytes of stdout and of stderr kept per command. */
const outputTailBytes = 16 * 1024;

/** Keeps the last `limit` bytes written to it. */
export class TailBuffer {
  private chunks: Buffer[] = [];
  private kept = 0;
  /** Bytes written in total, kept or not. */
  total = 0;

  constructor(private readonly limit = outputTailBytes) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.kept += chunk.length;
    this.total += chunk.length;
    while (this.chunks.length > 1 && this.kept - this.chunks[0]!.length >= this.limit) {
      this.kept -= this.chunks.shift()!.length;
    }
  }

  get truncated(): boolean {
    return this.total > this.limit;
  }

  /** The tail as text; a character cut in half at the start is dropped. */
  text(): string {
    const all = Buffer.concat(this.chunks);
    const tail = all.subarray(Math.max(0, all.length - this.limit)).toString('utf8');
    return this.truncated ? tail.replace(/^\uFFFD+/, '') : tail;
  }
}

/** Splits a byte stream into lines; long lines are cut, and after `maxLines` the rest is not passed on. */
export class LineSplitter {
  private partial = '';
  private lines = 0;
  private readonly decoder = new StringDecoder('utf8');

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxLines = 10_000,
    private readonly maxLineLength = 4_000,
  ) {}

  push(chunk: Buffer): void {
    const parts = (this.partial + this.decoder.write(chunk)).split('\n');
    this.partial = parts.pop() ?? '';
    if (this.partial.length > this.maxLineLength) {
      parts.push(this.partial);
      this.partial = '';
    }
    parts.forEach((line) => this.emit(line));
  }

  flush(): void {
    this.partial += this.decoder.end();
    if (this.partial) this.emit(this.partial);
    this.partial = '';
  }

  private emit(line: string): void {
    this.lines++;
    if (this.lines > this.maxLines) {
      if (this.lines === this.maxLines + 1) this.onLine(`[further output not logged after ${this.maxLines} lines]`);
      return;
    }
    const text = line.replace(/\r$/, '');
    this.onLine(text.length > this.maxLineLength ? `${text.slice(0, this.maxLineLength)} [line cut]` : text);
  }
}

/** One output stream of a command: a Writable for client-node's Exec that fills a tail and a line splitter. */
export function outputSink(onLine: (line: string) => void): {
  stream: Writable;
  tail: TailBuffer;
  lines: LineSplitter;
} {
  const tail = new TailBuffer();
  const lines = new LineSplitter(onLine);
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      tail.push(chunk);
      lines.push(chunk);
      done();
    },
  });
  // Exec ends the stream when the exit status arrives; a stray frame after that must not crash the worker.
  stream.on('error', () => undefined);
  return { stream, tail, lines };
}
