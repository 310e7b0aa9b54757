/** The request log tests assert on. */

/** One request as it arrived, with the status it was answered with. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. `/apis/apps/v1/namespaces/shop/deployments/web/scale`. */
  path: string;
  /** Query parameters; a repeated parameter (e.g. exec's `command`) is an array. */
  query: Record<string, string | string[]>;
  /** HTTP status answered; 101 for an accepted WebSocket upgrade, 0 for a connection dropped by a fault. */
  status: number;
  /** Content-Type of the request body, if any. */
  contentType?: string;
  /** The decoded request body (JSON or YAML), if any. */
  body?: unknown;
}

/** The query parameters of a URL, repeated ones as arrays. */
export function queryRecord(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    out[key] = values.length === 1 ? (values[0] ?? '') : values;
  }
  return out;
}
