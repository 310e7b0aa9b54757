/** The channel.k8s.io WebSocket sub-protocols: framing, negotiation and the status the kubelet reports. */
import { randomBytes } from 'node:crypto';

/** Channel numbers of the streaming protocol. */
export const Channel = { Stdin: 0, Stdout: 1, Stderr: 2, Error: 3, Resize: 4, Close: 255 } as const;

/** Sub-protocols served, in the order a client's offer is checked against. */
const EXEC_PROTOCOLS = [
  'v5.channel.k8s.io',
  'v4.channel.k8s.io',
  'v3.channel.k8s.io',
  'v2.channel.k8s.io',
  'channel.k8s.io',
  'v4.base64.channel.k8s.io',
  'base64.channel.k8s.io',
] as const;

/** The protocol chosen for a client's offer: its first offer the simulator serves, or false. */
export function chooseProtocol(offered: Set<string>): string | false {
  for (const protocol of offered) if ((EXEC_PROTOCOLS as readonly string[]).includes(protocol)) return protocol;
  return false;
}

/** Whether channel 3 carries a JSON Status (v4 and later) rather than plain text. */
export function hasJsonStatus(protocol: string): boolean {
  return protocol.startsWith('v4.') || protocol.startsWith('v5.');
}

/** Whether frames are base64 text rather than binary. */
function isBase64(protocol: string): boolean {
  return protocol.includes('base64');
}

/** One outgoing frame on a channel. */
export function encodeFrame(protocol: string, channel: number, data: Buffer): Buffer | string {
  if (isBase64(protocol)) return `${String.fromCharCode(48 + channel)}${data.toString('base64')}`;
  return Buffer.concat([Buffer.from([channel]), data]);
}

/** Channel and payload of an incoming frame. */
export function decodeFrame(
  protocol: string,
  data: Buffer,
  isBinary: boolean,
): { channel: number; payload: Buffer } | undefined {
  if (data.length === 0) return undefined;
  if (isBase64(protocol) && !isBinary) {
    const text = data.toString('utf8');
    return { channel: text.charCodeAt(0) - 48, payload: Buffer.from(text.slice(1), 'base64') };
  }
  return { channel: data[0] ?? 0, payload: data.subarray(1) };
}

/** The status a kubelet writes on channel 3 when a command exits with this code (v4+ JSON, as marshalled). */
export function exitStatus(exitCode: number): Record<string, unknown> {
  if (exitCode === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    // As a WebSocket client sees it since Kubernetes 1.30: the API server's stream translator
    // rewrites the kubelet's status.
    message: `command terminated with non-zero exit code: command terminated with exit code ${exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  };
}

/** The status a kubelet writes when the runtime could not start the command (an InternalError). */
export function startFailureStatus(runtimeMessage: string): Record<string, unknown> {
  const execId = randomBytes(32).toString('hex');
  const error = `error executing command in container: failed to exec in container: failed to start exec "${execId}": ${runtimeMessage}`;
  // The kubelet's InternalError, wrapped once more by the API server's stream translator.
  const kubelet = `Internal error occurred: ${error}`;
  return {
    metadata: {},
    status: 'Failure',
    message: `Internal error occurred: ${kubelet}`,
    reason: 'InternalError',
    details: { causes: [{ message: kubelet }] },
    code: 500,
  };
}
