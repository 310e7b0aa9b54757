/**
 * Decoding of Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`) for the kinds
 * client-go's typed clients write with it: helm stores releases in Secrets (or ConfigMaps) this way.
 * Responses are always JSON, which those clients accept as well.
 */
import protobuf from 'protobufjs';
import { unsupportedMediaType } from './status.js';
import { isObject, timestamp, type JsonObject } from './util.js';

/** The subset of k8s.io/api and apimachinery generated.proto the simulator decodes (same field numbers). */
const PROTO = `
syntax = "proto2";
package kubesim;
message TypeMeta { optional string apiVersion = 1; optional string kind = 2; }
message Unknown { optional TypeMeta typeMeta = 1; optional bytes raw = 2; optional string contentEncoding = 3; optional string contentType = 4; }
message Time { optional int64 seconds = 1; optional int32 nanos = 2; }
message OwnerReference { optional string kind = 1; optional string name = 3; optional string uid = 4; optional string apiVersion = 5; optional bool controller = 6; optional bool blockOwnerDeletion = 7; }
message ObjectMeta {
  optional string name = 1; optional string generateName = 2; optional string namespace = 3; optional string uid = 5;
  optional string resourceVersion = 6; optional int64 generation = 7; optional Time creationTimestamp = 8;
  map<string, string> labels = 11; map<string, string> annotations = 12;
  repeated OwnerReference ownerReferences = 13; repeated string finalizers = 14;
}
message Secret { optional ObjectMeta metadata = 1; map<string, bytes> data = 2; optional string type = 3; map<string, string> stringData = 4; optional bool immutable = 5; }
message ConfigMap { optional ObjectMeta metadata = 1; map<string, string> data = 2; map<string, bytes> binaryData = 3; optional bool immutable = 4; }
message Preconditions { optional string uid = 1; optional string resourceVersion = 2; }
message DeleteOptions { optional int64 gracePeriodSeconds = 1; optional Preconditions preconditions = 2; optional bool orphanDependents = 3; optional string propagationPolicy = 4; repeated string dryRun = 5; }
`;

const root = protobuf.parse(PROTO, { keepCase: true }).root;
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
const DECODABLE = new Set(['Secret', 'ConfigMap', 'DeleteOptions']);

/** Object fields that are meta/v1 Time messages, converted to RFC 3339 strings. */
function fixTimes(meta: unknown): void {
  if (!isObject(meta) || !isObject(meta.creationTimestamp)) return;
  meta.creationTimestamp = timestamp(new Date(Number(meta.creationTimestamp.seconds ?? 0) * 1000));
}

/** Decodes a protobuf-encoded Secret, ConfigMap or DeleteOptions into its JSON form; other kinds get a 415. */
export function decodeProtobuf(raw: Buffer): JsonObject {
  if (!raw.subarray(0, 4).equals(MAGIC)) throw unsupportedMediaType('application/vnd.kubernetes.protobuf');
  const envelope = root.lookupType('kubesim.Unknown').decode(raw.subarray(4)) as unknown as {
    typeMeta?: { apiVersion?: string; kind?: string };
    raw?: Uint8Array;
  };
  const kind = envelope.typeMeta?.kind ?? '';
  if (!DECODABLE.has(kind))
    throw unsupportedMediaType(`application/vnd.kubernetes.protobuf (${kind || 'unknown kind'})`);
  const type = root.lookupType(`kubesim.${kind}`);
  const message = type.decode(envelope.raw ?? new Uint8Array());
  const object = type.toObject(message, { longs: Number, bytes: String, defaults: false }) as JsonObject;
  fixTimes(object.metadata);
  return { apiVersion: envelope.typeMeta?.apiVersion ?? 'v1', kind, ...object };
}
