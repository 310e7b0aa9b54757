/** The HTTP check primitive: its input and result. */

/** What `checkHttp` asks of an endpoint. */
export interface CheckHttpInput {
  url: string;
  /** @default 200 */
  status?: number;
  /** Text the body must contain. */
  bodyIncludes?: string;
  /** @default 10 */
  timeoutSeconds?: number;
}

/** What the endpoint answered. */
export interface CheckHttpResult {
  url: string;
  status: number;
  bodyTail: string;
}
