/**
 * A driver file parsed with node ranges kept, so every finding maps back to file:line:column.
 */
import { LineCounter, parseDocument, isAlias, isMap, isScalar, isSeq, type Document, type Node } from 'yaml';

/** One step of a field path: a map key or an array index. */
export type PathSegment = string | number;

/** A problem before it gets its file position. */
export interface Finding {
  path: PathSegment[];
  message: string;
  severity: 'error' | 'warning';
  /** Point at the key of the last path step instead of its value (unknown or missing fields). */
  atKey?: boolean;
  /** A place known without a path (YAML syntax errors). */
  position?: Position;
}

/** 1-based place in the file. */
export interface Position {
  line: number;
  column: number;
}

/** A parsed driver file: its plain data, the findings of the YAML parser, and a locator. */
export interface SourceDocument {
  data: unknown;
  findings: Finding[];
  /** Place of the deepest node along `path` that exists in the file. */
  locate(path: PathSegment[], atKey?: boolean): Position;
}

/** Fields holding versions: unquoted YAML numbers there keep their source text ("1.10", not 1.1). */
const versionPaths: PathSegment[][] = [
  ['spec', 'version'],
  ['spec', 'default_version'],
  ['spec', 'helm', 'main', 'version'],
];

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

/** Parses YAML text; syntax errors become findings and leave `data` undefined. */
export function parseSource(text: string): SourceDocument {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const position = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const locate = (path: PathSegment[], atKey = false): Position => locateNode(doc, path, atKey, position);
  const findings: Finding[] = [];
  const syntaxFindings = (severity: 'error' | 'warning') => (problem: { message: string; pos: [number, number] }) => {
    findings.push({
      path: [],
      message: `YAML: ${firstLine(problem.message)}`,
      severity,
      position: position(problem.pos[0]),
    });
  };
  doc.errors.forEach(syntaxFindings('error'));
  doc.warnings.forEach(syntaxFindings('warning'));
  if (doc.errors.length > 0) return { data: undefined, findings, locate };

  for (const path of versionPaths) {
    const node = doc.getIn(path, true);
    if (isScalar(node) && typeof node.value === 'number') node.value = node.source ?? String(node.value);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    findings.push({ path: [], message: `YAML: ${(error as Error).message}`, severity: 'error' });
  }
  if (data === null || data === undefined) {
    if (findings.length === 0) findings.push({ path: [], message: 'the file is empty', severity: 'error' });
    data = undefined;
  }
  return { data, findings, locate };
}

function locateNode(
  doc: Document,
  path: PathSegment[],
  atKey: boolean,
  position: (offset: number) => Position,
): Position {
  let node: unknown = doc.contents;
  let place: Position = node && (node as Node).range ? position((node as Node).range![0]) : { line: 1, column: 1 };
  for (const [index, segment] of path.entries()) {
    if (isAlias(node)) node = node.resolve(doc);
    const last = index === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) return place;
      const keyRange = (pair.key as Node).range;
      const valueRange = (pair.value as Node | null)?.range;
      // A value-less key (`default:`) has no useful value range: point at the key.
      const valueless = !valueRange || valueRange[0] === valueRange[1];
      place = position((atKey && last) || valueless ? keyRange![0] : valueRange[0]);
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (!item?.range) return place;
      place = position(item.range[0]);
      node = item;
    } else {
      return place;
    }
  }
  return place;
}

/** `spec.parameters[2].default`; keys that are not plain words are quoted (`label["app.kubernetes.io/name"]`). */
export function formatPath(path: PathSegment[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}
