// One mapping of Azure failures onto ProviderError for every Azure client: the service's error
// body (both shapes Azure sends: `{error: {code, message}}` and the flat `{code, message}`), HTTP
// status, network and TLS failures, and credentials that could not produce a token (the message
// names the credential chain and what each credential said, never a secret).
import { z } from 'zod';
import { ProviderError } from '../ports.js';

/** What a call was, for messages: the service, the operation, what it was about, and what it needs. */
export interface AzureCall {
  /** 'Synapse', 'Log Analytics', 'Azure Monitor', 'Azure Resource Manager'. */
  service: string;
  operation: string;
  /** What the call was about, e.g. `pipeline SalesPipeline in workspace contoso-ws`. */
  subject: string;
  /** The RBAC action the call needs (named when access is denied and the service does not say). */
  action: string;
  /** The built-in role that grants it, for the message. */
  role: string;
}

const ErrorInfo = z
  .object({ code: z.string().optional(), message: z.string().optional(), target: z.string().nullish() })
  .loose();
/** `{error: {code, message}}` (ARM, Log Analytics, most of Synapse) or the flat `{code, message}`. */
export const AzureErrorBody = z.union([z.object({ error: ErrorInfo }).loose(), ErrorInfo]);

export interface AzureErrorInfo {
  code: string | undefined;
  message: string | undefined;
}

/** Reads an error body of either shape; undefined when it is neither (HTML, empty). */
export function parseAzureError(body: unknown): AzureErrorInfo | undefined {
  let raw = body;
  if (typeof body === 'string') {
    try {
      raw = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  const r = AzureErrorBody.safeParse(raw);
  if (!r.success) return undefined;
  const info =
    'error' in r.data && r.data.error && typeof r.data.error === 'object'
      ? (r.data.error as z.infer<typeof ErrorInfo>)
      : (r.data as z.infer<typeof ErrorInfo>);
  if (info.code === undefined && info.message === undefined) return undefined;
  return { code: info.code, message: info.message };
}

/** The action a 403 names: Synapse RBAC ("Required permission: Action: X,") or ARM ("perform action 'X'"). */
export function deniedAction(message: string | undefined): string | undefined {
  if (!message) return undefined;
  return (
    /Required permission: Action: ([^,\s]+)/.exec(message)?.[1] ??
    /perform action '([^']+)'/.exec(message)?.[1] ??
    undefined
  );
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ESOCKETTIMEDOUT',
  'UND_ERR_SOCKET',
]);
const TLS_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
const CREDENTIAL_ERRORS = new Set([
  'AggregateAuthenticationError',
  'CredentialUnavailableError',
  'AuthenticationError',
  'AuthenticationRequiredError',
]);

/**
 * Removes what could be a secret from text that came back from a credential or a service: JWTs,
 * `access_token` / `client_secret` / identity-header values, and long opaque strings with digits
 * (keys, header secrets). GUIDs and names stay.
 */
export function scrubSecrets(text: string): string {
  return text
    .replace(/eyJ[\w-]+\.[\w-]+\.[\w-]*/g, '[redacted]')
    .replace(
      /((?:access_token|refresh_token|client_secret|password|x-identity-header|identity_header|sig)["']?\s*[:=]\s*["']?)[^"'\s&,}]+/gi,
      '$1[redacted]',
    )
    .replace(/\b(?=[A-Za-z+/=_]*\d)(?=[\d+/=_]*[A-Za-z])[A-Za-z0-9+/=_]{24,}\b/g, '[redacted]');
}

function firstLine(s: string, max = 300): string {
  const line = s.split('\n').find((l) => l.trim()) ?? '';
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

const CREDENTIAL_NAMES: [RegExp, string][] = [
  [/\b([A-Z]\w*Credential)\b/, '$1'],
  [/Visual Studio Code/i, 'VisualStudioCodeCredential'],
  [/Azure Developer CLI/i, 'AzureDeveloperCliCredential'],
  [/Azure CLI/i, 'AzureCliCredential'],
  [/PowerShell/i, 'AzurePowerShellCredential'],
];

function credentialName(message: string): string {
  for (const [re, name] of CREDENTIAL_NAMES) {
    const m = re.exec(message);
    if (m) return name.replace('$1', m[1] ?? '');
  }
  return 'a credential';
}

const UNAVAILABLE =
  /is unavailable|not available|could not be found|couldn't be found|unable to execute|not installed|not found|no underlying credential/i;

export interface CredentialFailure {
  message: string;
  /** An HTTP status of the token endpoint, when one answered. */
  status?: number;
}

/**
 * What a credential chain said when it produced no token: the credential that failed and why (the
 * token endpoint's description, scrubbed), then those that were not available. `undefined` when
 * `err` is not a credential failure.
 */
export function describeCredentialFailure(err: unknown, scope: string): CredentialFailure | undefined {
  const e = err as { name?: string; message?: string; errors?: unknown[] };
  if (!e || !CREDENTIAL_ERRORS.has(e.name ?? '')) return undefined;
  const list = Array.isArray(e.errors) && e.errors.length ? e.errors : [err];
  const failed: string[] = [];
  const unavailable: string[] = [];
  let status: number | undefined;
  for (const x of list) {
    const xe = x as { name?: string; message?: string; statusCode?: number };
    const m = xe.message ?? String(x);
    const name = credentialName(m);
    if (
      xe.name === 'CredentialUnavailableError' &&
      UNAVAILABLE.test(m) &&
      !/Authentication failed/i.test(m)
    ) {
      unavailable.push(name);
      continue;
    }
    if (typeof xe.statusCode === 'number') status = xe.statusCode;
    const description =
      /Description: (.*?)(?: - Correlation ID|$)/s.exec(m)?.[1] ?? m.replace(/^\s*\w*Credential:?\s*/, '');
    failed.push(
      `${name}: ${scrubSecrets(firstLine(description, 200))}${typeof xe.statusCode === 'number' ? ` (HTTP ${xe.statusCode})` : ''}`,
    );
  }
  const head = failed.length ? `failed at ${failed.join('; ')}` : 'found no usable credential';
  const tail = unavailable.length ? ` (unavailable: ${[...new Set(unavailable)].join(', ')})` : '';
  const out: CredentialFailure = {
    message: `no Azure token for ${scope}: DefaultAzureCredential ${head}${tail}`,
  };
  if (status !== undefined) out.status = status;
  return out;
}

export interface HttpFailure {
  status: number;
  body: unknown;
  /** Retries the pipeline made before giving up. */
  retries?: number;
}

/** Maps an HTTP error answer onto ProviderError. */
export function mapAzureResponse(f: HttpFailure, call: AzureCall): ProviderError {
  const info = parseAzureError(f.body);
  const code = info?.code ?? String(f.status);
  const detail = info?.message ? `${code}: ${scrubSecrets(firstLine(info.message))}` : code;
  const cause = Object.assign(new Error(`${call.service} ${call.operation} answered ${f.status} ${detail}`), {
    status: f.status,
    code,
    body: f.body,
  });
  if (f.status === 404)
    return new ProviderError('NOT_FOUND', `${call.subject} was not found (${detail})`, {
      cause,
      retryable: false,
    });
  if (f.status === 403) {
    const action = deniedAction(info?.message) ?? call.action;
    return new ProviderError(
      'ACCESS_DENIED',
      `access denied: ${call.service} ${call.operation} on ${call.subject} needs ${action} (role ${call.role}) (${code})`,
      {
        cause,
        action,
        retryable: false,
      },
    );
  }
  if (f.status === 401)
    return new ProviderError(
      'ACCESS_DENIED',
      `${call.service} rejected the token for ${call.operation} on ${call.subject} (${detail})`,
      {
        cause,
        action: call.action,
        retryable: false,
      },
    );
  if (f.status === 429) {
    const tries = f.retries !== undefined ? ` after ${f.retries + 1} attempts` : '';
    return new ProviderError(
      'THROTTLED',
      `${call.service} throttled ${call.operation}${tries}; try again in a minute`,
      { cause },
    );
  }
  if (f.status === 409 && /InProgress|Conflict/i.test(code))
    return new ProviderError('CONCURRENT_RUNS', `${call.subject} is busy: ${detail}`, {
      cause,
      retryable: true,
    });
  if (f.status >= 500)
    return new ProviderError(
      'UNAVAILABLE',
      `${call.service} failed on ${call.operation} (${f.status} ${detail})`,
      { cause },
    );
  return new ProviderError(
    'INVALID_INPUT',
    `${call.service} rejected ${call.operation} on ${call.subject}: ${detail}`,
    { cause, retryable: false },
  );
}

/** Maps a thrown failure (network, TLS, credential, abort, or an already mapped error). */
export function mapAzureThrown(
  err: unknown,
  call: AzureCall,
  opts: { scope: string; host: string },
): ProviderError {
  if (err instanceof ProviderError) return err;
  const e = err as {
    name?: string;
    code?: string;
    message?: string;
    statusCode?: number;
    response?: { status?: number; bodyAsText?: string | null };
  };
  if (e?.name === 'AbortError')
    return new ProviderError('CANCELLED', `${call.service} ${call.operation} was cancelled`, { cause: err });
  const credential = describeCredentialFailure(err, opts.scope);
  if (credential) {
    // A token endpoint that answered 5xx or did not answer can work later; a misconfiguration cannot.
    const transient =
      (credential.status !== undefined && credential.status >= 500) ||
      /ECONNREFUSED|ETIMEDOUT|ECONNRESET|timed out/.test(credential.message);
    return new ProviderError(transient ? 'UNAVAILABLE' : 'ACCESS_DENIED', credential.message, {
      cause: err,
      retryable: transient,
    });
  }
  const code = e?.code ?? '';
  if (TLS_CODES.has(code))
    return new ProviderError(
      'UNAVAILABLE',
      `${call.service} at ${opts.host}: TLS certificate not trusted (${code}); for an emulator, start the process with NODE_EXTRA_CA_CERTS naming its CA`,
      {
        cause: err,
        retryable: false,
      },
    );
  if (NETWORK_CODES.has(code) || e?.name === 'RestError')
    return new ProviderError(
      'UNAVAILABLE',
      `${call.service} at ${opts.host} does not answer (${code || scrubSecrets(firstLine(e?.message ?? 'network error'))})`,
      { cause: err },
    );
  return new ProviderError(
    'UNAVAILABLE',
    `${call.service} ${call.operation} failed: ${scrubSecrets(firstLine(e?.message ?? String(err)))}`,
    { cause: err },
  );
}
