/** Small Markdown builders for the driver reference: tables, code spans, headings' anchors. */

/** Text fit for one table cell: one line, with the pipes that would end the cell escaped. */
export function cell(text: string): string {
  return text.replace(/\s+/g, ' ').trim().replaceAll('|', '\\|');
}

/** A GitHub-flavoured Markdown table; every cell goes through {@link cell}. */
export function table(headers: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

/** `text` as a code span, with enough backticks around it for the backticks inside. */
export function code(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  return longest > 0 || text.startsWith(' ') ? `${fence} ${text} ${fence}` : `${fence}${text}${fence}`;
}

/** The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as dashes. */
export function anchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, '')
    .replaceAll(' ', '-');
}

/** A list item linking to a heading of the same page. */
export function tocEntry(heading: string, depth = 0): string {
  return `${'  '.repeat(depth)}- [${heading}](#${anchor(heading)})`;
}
