/**
 * Payload encryption: every payload the worker, the client SDK and the `styrmin` CLI send to
 * Temporal (workflow and activity inputs and results, Update arguments, query results, memo) is
 * encrypted with AES-256-GCM when a key is configured, so Temporal's database, its backups and
 * anyone reading raw history see ciphertext. The id of the key that encrypted a payload travels
 * in the payload's metadata: keys can be rotated, with the old ones kept for decryption only.
 *
 * Keys come from `STYRMIN_CODEC_KEYS` (`id:base64-key`, comma-separated) or the file named by
 * `STYRMIN_CODEC_KEY_FILE` (one `id:base64-key` per line, `#` comments); the first key listed
 * encrypts, every key listed decrypts. A key is 32 random bytes: `openssl rand -base64 32`.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec, type DataConverter } from '@temporalio/common';
import { decode, encode } from '@temporalio/common/lib/encoding.js';
import proto from '@temporalio/proto';

// A CommonJS module: Node's ESM loader does not see its named exports.
const { temporal } = proto;

/** The `encoding` of an encrypted payload. */
export const encryptedEncoding = 'binary/encrypted';
/** Metadata key naming the key a payload was encrypted with. */
export const keyIdMetadataKey = 'encryption-key-id';

const ivBytes = 12;
const tagBytes = 16;
const keyIdPattern = /^[A-Za-z0-9._-]{1,64}$/;

/** One encryption key. */
export interface CodecKey {
  id: string;
  /** 32 bytes. */
  key: Buffer;
}

/** A payload that cannot be decrypted: a key this process lacks, or a wrong key or damaged data. */
export class PayloadDecryptionError extends Error {
  override name = 'PayloadDecryptionError';
}

/** AES-256-GCM over whole payloads (metadata included); the first key encrypts, all decrypt. */
export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly active: CodecKey;
  private readonly byId: Map<string, CodecKey>;

  constructor(keys: CodecKey[]) {
    if (keys.length === 0) throw new Error('a payload codec needs at least one key');
    this.active = keys[0]!;
    this.byId = new Map(keys.map((key) => [key.id, key]));
  }

  /** The id of the key that encrypts. */
  get activeKeyId(): string {
    return this.active.id;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const iv = randomBytes(ivBytes);
      const cipher = createCipheriv('aes-256-gcm', this.active.key, iv);
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: {
          [METADATA_ENCODING_KEY]: encode(encryptedEncoding),
          [keyIdMetadataKey]: encode(this.active.id),
        },
        data: sealed,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
      if (!encoding || decode(encoding) !== encryptedEncoding) return payload;
      const rawId = payload.metadata?.[keyIdMetadataKey];
      const keyId = rawId ? decode(rawId) : '(none)';
      const key = this.byId.get(keyId);
      if (!key)
        throw new PayloadDecryptionError(
          `payload encrypted with key "${keyId}", which is not among this process's keys (${[...this.byId.keys()].join(', ')}); add it to STYRMIN_CODEC_KEYS or STYRMIN_CODEC_KEY_FILE`,
        );
      const sealed = Buffer.from(payload.data ?? new Uint8Array());
      try {
        const decipher = createDecipheriv('aes-256-gcm', key.key, sealed.subarray(0, ivBytes));
        decipher.setAuthTag(sealed.subarray(sealed.length - tagBytes));
        const plain = Buffer.concat([
          decipher.update(sealed.subarray(ivBytes, sealed.length - tagBytes)),
          decipher.final(),
        ]);
        return temporal.api.common.v1.Payload.decode(plain) as Payload;
      } catch {
        throw new PayloadDecryptionError(
          `payload encrypted with key "${keyId}" does not decrypt with this process's key of that id: the key is wrong, or the payload was damaged`,
        );
      }
    });
  }
}

/** Reads `id:base64-key` entries; names the entry and what is wrong with it. */
export function parseCodecKeys(text: string, source: string): CodecKey[] {
  const entries = text
    .split(/[\n,]/)
    .map((line) => line.replace(/#.*/, '').trim())
    .filter(Boolean);
  const keys = entries.map((entry, i) => {
    const at = entry.indexOf(':');
    const id = at > 0 ? entry.slice(0, at) : '';
    if (!keyIdPattern.test(id))
      throw new Error(
        `${source}, key ${i + 1}: expected "id:base64-key" with an id of letters, digits, '.', '_' or '-'`,
      );
    const key = Buffer.from(entry.slice(at + 1), 'base64');
    if (key.length !== 32)
      throw new Error(
        `${source}, key "${id}": must be 32 bytes in base64 (openssl rand -base64 32), got ${key.length}`,
      );
    return { id, key };
  });
  const ids = keys.map((k) => k.id);
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice) throw new Error(`${source}: key "${twice}" is listed twice`);
  return keys;
}

/** The codec the environment configures (STYRMIN_CODEC_KEYS, else STYRMIN_CODEC_KEY_FILE), if any. */
export function codecFromEnv(env: NodeJS.ProcessEnv = process.env): AesGcmPayloadCodec | undefined {
  if (env.STYRMIN_CODEC_KEYS)
    return new AesGcmPayloadCodec(parseCodecKeys(env.STYRMIN_CODEC_KEYS, 'STYRMIN_CODEC_KEYS'));
  const file = env.STYRMIN_CODEC_KEY_FILE;
  if (!file) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`STYRMIN_CODEC_KEY_FILE: cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  return new AesGcmPayloadCodec(parseCodecKeys(text, file));
}

/** The data converter of a codec: Temporal's default converter, then the codec; the default without one. */
export function dataConverterOf(codec: PayloadCodec | undefined): DataConverter {
  return codec ? { payloadCodecs: [codec] } : {};
}

/** A new random key in the `id:base64-key` form the key settings take. */
export function newCodecKey(id: string): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}
