/** Parses a request path the way the API server's RequestInfoFactory does. */

/** What a request is about: a resource (with verb) or a non-resource path such as /version. */
export type RequestInfo =
  | {
      isResource: true;
      verb: string;
      group: string;
      version: string;
      namespace?: string;
      /** Plural resource name. */
      resource: string;
      name?: string;
      subresource?: string;
    }
  | { isResource: false; verb: string; path: string };

// Subresources of a namespace, so /api/v1/namespaces/x/status is not read as namespace x, resource status.
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

function isTrue(value: string | null): boolean {
  return value === 'true' || value === '1';
}

/** The RequestInfo of a method and URL. */
export function parseRequestInfo(method: string, url: URL): RequestInfo {
  const nonResourceVerb = method.toLowerCase();
  const parts = url.pathname
    .split('/')
    .filter((p) => p.length > 0)
    .map(decodeURIComponent);
  let rest: string[];
  let group = '';
  let version: string | undefined;
  if (parts[0] === 'api' && parts.length >= 3) {
    version = parts[1];
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1] ?? '';
    version = parts[2];
    rest = parts.slice(3);
  } else {
    return { isResource: false, verb: nonResourceVerb, path: url.pathname };
  }
  let watchPath = false;
  if (rest[0] === 'watch') {
    watchPath = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length > 1) {
    namespace = rest[1];
    if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2] ?? '')) rest = rest.slice(2);
  }
  const [resource = '', name, subresource] = rest;
  if (resource === 'namespaces') namespace = undefined;
  let verb: string;
  switch (method) {
    case 'GET':
    case 'HEAD':
      verb = name ? 'get' : watchPath || isTrue(url.searchParams.get('watch')) ? 'watch' : 'list';
      if (name && (watchPath || isTrue(url.searchParams.get('watch')))) verb = 'watch';
      break;
    case 'POST':
      verb = 'create';
      break;
    case 'PUT':
      verb = 'update';
      break;
    case 'PATCH':
      verb = 'patch';
      break;
    case 'DELETE':
      verb = name ? 'delete' : 'deletecollection';
      break;
    default:
      verb = nonResourceVerb;
  }
  return { isResource: true, verb, group, version: version ?? '', namespace, resource, name, subresource };
}
