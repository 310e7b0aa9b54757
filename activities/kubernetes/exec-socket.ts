/**
 * The WebSocket transport handed to client-node's `Exec`. Compared with the default handler it
 * reads the API's refusal (403, 404...) from the failed upgrade, ignores v5 close-stream frames
 * instead of ending this process's own stdout, and only offers protocols that carry exit codes.
 */
import { ApiException, type Exec, type KubeConfig } from '@kubernetes/client-node';
import WebSocket from 'ws';

/** The transport interface `Exec` accepts (client-node does not export its name). */
export type ExecTransport = NonNullable<ConstructorParameters<typeof Exec>[1]>;
type Socket = Awaited<ReturnType<ExecTransport['connect']>>;

/** v4 and v5 both report the exit code on the status channel. */
const protocols = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const closeStreamFrame = 255;

/** A transport for `new Exec(kc, execTransport(kc))`, connecting with the KubeConfig's credentials. */
export function execTransport(kc: KubeConfig): ExecTransport {
  return {
    async connect(path, textHandler, binaryHandler): Promise<Socket> {
      const cluster = kc.getCurrentCluster();
      if (!cluster) throw new Error('The KubeConfig has no current cluster');
      const uri = cluster.server.replace(/^http/, 'ws') + path;
      const opts: WebSocket.ClientOptions = {};
      await kc.applyToHTTPSOptions(opts);
      return new Promise<Socket>((resolve, reject) => {
        const ws = new WebSocket(uri, protocols, opts);
        ws.on('error', (err) => reject(err)); // after open, the caller's own listeners take over
        ws.once('unexpected-response', (_req, res) => {
          const body: Buffer[] = [];
          res.on('data', (b: Buffer) => body.length < 64 && body.push(b));
          res.on('end', () => {
            const headers = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, String(v)]));
            reject(
              new ApiException(res.statusCode ?? 0, 'exec refused', Buffer.concat(body).toString('utf8'), headers),
            );
            ws.terminate();
          });
        });
        ws.once('open', () => resolve(ws as unknown as Socket));
        ws.on('message', (data: Buffer, isBinary: boolean) => {
          if (!isBinary) {
            if (textHandler && !textHandler(data.toString('utf8'))) ws.close();
            return;
          }
          const stream = data.readUInt8(0);
          if (stream === closeStreamFrame) return; // the status frame ends the output streams anyway
          try {
            if (binaryHandler && !binaryHandler(stream, data.subarray(1))) ws.close();
          } catch (err) {
            // A frame Exec cannot read (unknown channel, broken status JSON) fails this command, not the worker.
            ws.emit('error', err);
            ws.terminate();
          }
        });
      });
    },
  };
}
