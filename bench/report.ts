/** What each part of the benchmark suite gives back: its own table, and its figures against their targets. */

/** One measured figure, with its target. */
export interface Figure {
  name: string;
  /** As printed, with its unit: `1.19×`, `812 ms`. */
  measured: string;
  target: string;
  met: boolean;
}

/** One part of the suite. */
export interface BenchPart {
  title: string;
  /** Markdown: what was run and its table. */
  details: string;
  figures: Figure[];
}

/** `812 ms`: whole milliseconds. */
export function ms(value: number): string {
  return `${Math.round(value)} ms`;
}
