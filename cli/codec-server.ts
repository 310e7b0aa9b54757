/**
 * `styrmin codec-server`: serves the payload codec to Temporal Web and the Temporal CLI, with the
 * worker's keys (STYRMIN_CODEC_KEYS or STYRMIN_CODEC_KEY_FILE), until SIGINT or SIGTERM.
 */
import { Command } from 'commander';
import { startCodecServer } from '../runtime/codec-server.js';
import { codecFromEnv } from '../runtime/payload-codec.js';

interface CodecServerFlags {
  port: string;
  host: string;
  origin: string[];
}

/** Builds the `codec-server` command. */
export function codecServerCommand(): Command {
  return new Command('codec-server')
    .description(
      'decrypt payloads for Temporal Web and the Temporal CLI (--codec-endpoint), with the keys of STYRMIN_CODEC_KEYS or STYRMIN_CODEC_KEY_FILE; STYRMIN_CODEC_SERVER_TOKEN requires a bearer token',
    )
    .option('-p, --port <port>', 'port to listen on', '8081')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option(
      '--origin <url>',
      'a Temporal Web origin allowed to call it (repeatable)',
      (value: string, previous: string[]) => [...previous, value],
      ['http://localhost:8233', 'http://127.0.0.1:8233'],
    )
    .action(async (flags: CodecServerFlags) => {
      const codec = codecFromEnv();
      if (!codec) throw new Error('no key: set STYRMIN_CODEC_KEYS or STYRMIN_CODEC_KEY_FILE as for the worker');
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new Error(`--port must be a port number, got "${flags.port}"`);
      const token = process.env.STYRMIN_CODEC_SERVER_TOKEN || undefined;
      const server = await startCodecServer({ codec, port, host: flags.host, origins: flags.origin, token });
      console.log(
        `codec server on ${server.url} (key ${codec.activeKeyId} encrypts; origins ${flags.origin.join(', ')}${token ? '; bearer token required' : ''})`,
      );
      console.log(`Temporal CLI: temporal workflow show --workflow-id <id> --codec-endpoint ${server.url}`);
      const stop = await new Promise<string>((resolve) => {
        process.once('SIGINT', () => resolve('SIGINT'));
        process.once('SIGTERM', () => resolve('SIGTERM'));
      });
      console.log(`${stop}: stopping`);
      await server.close();
    });
}
