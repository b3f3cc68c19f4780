// Object-storage URIs as people paste them into Slack, parsed into an ObjectLocation.
//   s3://bucket/prefix                                   (s3a:// and s3n:// too, as Spark writes them)
//   https://ACCOUNT.blob.core.windows.net/CONTAINER/prefix
//   abfss://CONTAINER@ACCOUNT.dfs.core.windows.net/prefix (abfs://, wasb://, wasbs:// too)
//   az://ACCOUNT/CONTAINER/prefix
// s3:// and az:// paths are taken literally (as the AWS CLI does); https:// and abfss:// are URLs, so
// their paths are percent-decoded.
import type { ObjectLocation } from './ports.js';

export type ObjectUriErrorCode =
  | 'EMPTY_URI'
  | 'UNSUPPORTED_SCHEME'
  | 'MALFORMED_URI'
  | 'INVALID_BUCKET'
  | 'MISSING_CONTAINER'
  | 'INVALID_CONTAINER'
  | 'INVALID_ACCOUNT';

/** A URI that names no object location we can scan; `message` is fit to show the user. */
export class ObjectUriError extends Error {
  override readonly name = 'ObjectUriError';
  readonly code: ObjectUriErrorCode;
  readonly uri: string;

  constructor(code: ObjectUriErrorCode, uri: string, message: string) {
    super(message);
    this.code = code;
    this.uri = uri;
  }
}

const S3_SCHEMES = new Set(['s3', 's3a', 's3n']);
const ABFS_SCHEMES = new Set(['abfs', 'abfss']);
const WASB_SCHEMES = new Set(['wasb', 'wasbs']);
/** Public, China and US Government clouds. */
const AZURE_SUFFIXES = ['core.windows.net', 'core.chinacloudapi.cn', 'core.usgovcloudapi.net'];

/**
 * Why a bucket name is invalid under S3's general-purpose bucket naming rules, or undefined when it
 * is valid: 3–63 characters of lowercase letters, digits, dots and hyphens, starting and ending with
 * a letter or digit, no two adjacent dots, not an IP address, none of the reserved prefixes/suffixes.
 */
export function s3BucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return 'must be 3 to 63 characters long';
  if (!/^[a-z0-9.-]+$/.test(name)) return 'may contain only lowercase letters, digits, dots and hyphens';
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) return 'must start and end with a letter or digit';
  if (name.includes('..')) return 'must not contain two adjacent dots';
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return 'must not be formatted as an IP address';
  for (const p of ['xn--', 'sthree-', 'amzn-s3-demo-'])
    if (name.startsWith(p)) return `must not start with "${p}"`;
  for (const s of ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'])
    if (name.endsWith(s)) return `must not end with "${s}"`;
  return undefined;
}

/** Azure container rules: 3–63 lowercase letters, digits and single hyphens, starting with a letter or digit. */
export function azureContainerNameProblem(name: string): string | undefined {
  if (name === '$root' || name === '$logs' || name === '$web') return undefined;
  if (name.length < 3 || name.length > 63) return 'must be 3 to 63 characters long';
  if (!/^[a-z0-9-]+$/.test(name)) return 'may contain only lowercase letters, digits and hyphens';
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) return 'must start and end with a letter or digit';
  if (name.includes('--')) return 'must not contain two consecutive hyphens';
  return undefined;
}

/** Azure storage account rules: 3–24 lowercase letters and digits. */
export function azureAccountNameProblem(name: string): string | undefined {
  if (!/^[a-z0-9]{3,24}$/.test(name)) return 'must be 3 to 24 lowercase letters and digits';
  return undefined;
}

const EXAMPLES =
  's3://bucket/prefix, https://ACCOUNT.blob.core.windows.net/CONTAINER/prefix, ' +
  'abfss://CONTAINER@ACCOUNT.dfs.core.windows.net/prefix or az://ACCOUNT/CONTAINER/prefix';

function decodePath(raw: string, uri: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new ObjectUriError('MALFORMED_URI', uri, `"${uri}" has a malformed percent-encoding in its path`);
  }
}

function checkBucket(bucket: string, uri: string): void {
  if (!bucket)
    throw new ObjectUriError('MISSING_CONTAINER', uri, `"${uri}" names no bucket: use s3://bucket/prefix`);
  const problem = s3BucketNameProblem(bucket);
  if (problem) throw new ObjectUriError('INVALID_BUCKET', uri, `S3 bucket name "${bucket}" ${problem}`);
}

function checkAzure(account: string, container: string, uri: string): void {
  const accountProblem = azureAccountNameProblem(account);
  if (accountProblem)
    throw new ObjectUriError('INVALID_ACCOUNT', uri, `Azure storage account "${account}" ${accountProblem}`);
  if (!container)
    throw new ObjectUriError(
      'MISSING_CONTAINER',
      uri,
      `"${uri}" names no container after the account "${account}"`,
    );
  const problem = azureContainerNameProblem(container);
  if (problem)
    throw new ObjectUriError('INVALID_CONTAINER', uri, `Azure container name "${container}" ${problem}`);
}

/** Splits "a/b/c" into the first segment and the rest ('' when none). */
function firstSegment(path: string): [string, string] {
  const i = path.indexOf('/');
  return i < 0 ? [path, ''] : [path.slice(0, i), path.slice(i + 1)];
}

function stripLeadingSlashes(p: string): string {
  return p.replace(/^\/+/, '');
}

/** Account name from a host like ACCOUNT.blob.core.windows.net, given the service label. */
function accountFromHost(host: string, service: 'blob' | 'dfs'): string | undefined {
  const h = host.toLowerCase();
  for (const suffix of AZURE_SUFFIXES) {
    const tail = `.${service}.${suffix}`;
    if (h.endsWith(tail)) return h.slice(0, -tail.length);
  }
  return undefined;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Parses an object-storage URI. Throws ObjectUriError (with a stable `code` and a message fit for the
 * user) when the URI is malformed, uses an unsupported scheme, or names an invalid bucket/container.
 */
export function parseObjectUri(input: string): ObjectLocation {
  let uri = input.trim();
  // Slack wraps links it recognises: <https://x|label>
  if (uri.startsWith('<') && uri.endsWith('>')) uri = uri.slice(1, -1).split('|')[0] ?? '';
  if (!uri) throw new ObjectUriError('EMPTY_URI', input, `no location given: use ${EXAMPLES}`);

  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/(.*)$/s.exec(uri);
  if (!m) throw new ObjectUriError('MALFORMED_URI', uri, `"${uri}" is not a URI: use ${EXAMPLES}`);
  const scheme = (m[1] ?? '').toLowerCase();
  const rest = m[2] ?? '';

  if (S3_SCHEMES.has(scheme)) {
    const [bucket, prefix] = firstSegment(rest);
    checkBucket(bucket, uri);
    return { scheme: 's3', container: bucket, prefix: stripLeadingSlashes(prefix) };
  }

  if (scheme === 'az') {
    const [account, afterAccount] = firstSegment(rest);
    const [container, prefix] = firstSegment(afterAccount);
    checkAzure(account, container, uri);
    return { scheme: 'azure-blob', account, container, prefix: stripLeadingSlashes(prefix) };
  }

  if (ABFS_SCHEMES.has(scheme) || WASB_SCHEMES.has(scheme)) {
    const [authority, path] = firstSegment(rest);
    const at = authority.indexOf('@');
    if (at <= 0)
      throw new ObjectUriError(
        'MISSING_CONTAINER',
        uri,
        `"${uri}" names no container: use ${scheme}://CONTAINER@ACCOUNT.${ABFS_SCHEMES.has(scheme) ? 'dfs' : 'blob'}.core.windows.net/prefix`,
      );
    const container = authority.slice(0, at);
    const host = authority.slice(at + 1);
    const account = accountFromHost(host, ABFS_SCHEMES.has(scheme) ? 'dfs' : 'blob');
    if (account === undefined)
      throw new ObjectUriError('MALFORMED_URI', uri, `"${host}" is not an Azure storage host in "${uri}"`);
    checkAzure(account, container, uri);
    return { scheme: 'azure-blob', account, container, prefix: stripLeadingSlashes(decodePath(path, uri)) };
  }

  if (scheme === 'https' || scheme === 'http') {
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      throw new ObjectUriError('MALFORMED_URI', uri, `"${uri}" is not a valid URL`);
    }
    // The raw path, not url.pathname: URL parsing would resolve "." and ".." segments away.
    const rawPath = /^[a-z]+:\/\/[^/?#]*([^?#]*)/i.exec(uri)?.[1] ?? '';
    const path = decodePath(rawPath.replace(/^\/+/, ''), uri);
    const account = accountFromHost(url.hostname, 'blob') ?? accountFromHost(url.hostname, 'dfs');
    if (account !== undefined) {
      const [container, prefix] = firstSegment(path);
      checkAzure(account, container, uri);
      return { scheme: 'azure-blob', account, container, prefix: stripLeadingSlashes(prefix) };
    }
    // Emulators (Azurite) use path-style URLs: http://127.0.0.1:10000/ACCOUNT/CONTAINER/prefix
    if (isLoopback(url.hostname)) {
      const [acct, afterAccount] = firstSegment(path);
      const [container, prefix] = firstSegment(afterAccount);
      checkAzure(acct, container, uri);
      return { scheme: 'azure-blob', account: acct, container, prefix: stripLeadingSlashes(prefix) };
    }
    throw new ObjectUriError(
      'UNSUPPORTED_SCHEME',
      uri,
      `"${url.hostname}" is not an Azure Blob host (ACCOUNT.blob.core.windows.net); for S3 use s3://bucket/prefix`,
    );
  }

  throw new ObjectUriError('UNSUPPORTED_SCHEME', uri, `unsupported scheme "${scheme}://": use ${EXAMPLES}`);
}

function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/**
 * A location as a URI that parseObjectUri reads back to the same location. Azure locations are shown
 * as https:// URLs by default (what the portal shows), or az:// with `{ azure: 'az' }`.
 */
export function formatLocation(loc: ObjectLocation, opts: { azure?: 'https' | 'az' } = {}): string {
  if (loc.scheme === 's3') return `s3://${loc.container}/${loc.prefix}`;
  const account = loc.account ?? 'unknown';
  if (opts.azure === 'az') return `az://${account}/${loc.container}/${loc.prefix}`;
  return `https://${account}.blob.core.windows.net/${loc.container}/${encodePath(loc.prefix)}`;
}
