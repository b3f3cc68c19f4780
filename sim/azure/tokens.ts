// Access tokens of the simulated Microsoft Entra ID. The managed-identity endpoint issues them;
// every Azure endpoint of the simulator checks the bearer token it is given: issued here (HMAC
// signature), not expired (real time: credential caches run on real time), and for that service's
// audience. Tokens are JWTs shaped like Entra's (aud, iss, oid, appid, tid, exp), so a client that
// decodes one sees the usual claims.
import { createHmac, randomBytes, randomUUID } from 'node:crypto';

/** The audience (resource) each simulated service accepts. */
export const AUDIENCES = {
  synapse: 'https://dev.azuresynapse.net',
  loganalytics: 'https://api.loganalytics.io',
  arm: 'https://management.azure.com',
} as const;
export type AudienceService = keyof typeof AUDIENCES;

export interface TokenClaims {
  aud: string;
  iss: string;
  tid: string;
  oid: string;
  appid: string;
  iat: number;
  nbf: number;
  exp: number;
}

export type TokenCheck =
  | { ok: true; claims: TokenClaims }
  | { ok: false; reason: 'missing' | 'invalid' | 'expired' | 'audience'; audience?: string };

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/** ARM also accepts the classic management audience, as Azure does. */
function audienceMatches(service: AudienceService, aud: string): boolean {
  const norm = aud.replace(/\/+$/, '').toLowerCase();
  if (norm === AUDIENCES[service]) return true;
  return service === 'arm' && norm === 'https://management.core.windows.net';
}

export class TokenIssuer {
  private readonly secret = randomBytes(32);
  readonly tenantId: string;
  /** The managed identity's principal (object id) and client id. */
  readonly principalId = randomUUID();
  readonly clientId = randomUUID();
  /** Token lifetime in seconds. */
  lifetimeSec = 3600;
  issued = 0;

  constructor(tenantId: string) {
    this.tenantId = tenantId;
  }

  issue(resource: string): { token: string; expiresOn: number } {
    const now = Math.floor(Date.now() / 1000);
    const claims: TokenClaims = {
      aud: resource,
      iss: `https://sts.windows.net/${this.tenantId}/`,
      tid: this.tenantId,
      oid: this.principalId,
      appid: this.clientId,
      iat: now,
      nbf: now - 60,
      exp: now + this.lifetimeSec,
    };
    const head = b64url(JSON.stringify({ typ: 'JWT', alg: 'HS256', kid: 'medic-sim' }));
    const body = b64url(JSON.stringify(claims));
    const sig = b64url(createHmac('sha256', this.secret).update(`${head}.${body}`).digest());
    this.issued++;
    return { token: `${head}.${body}.${sig}`, expiresOn: claims.exp };
  }

  check(authorization: string | undefined, service: AudienceService): TokenCheck {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!m) return { ok: false, reason: 'missing' };
    const parts = m[1]!.split('.');
    if (parts.length !== 3) return { ok: false, reason: 'invalid' };
    const [head, body, sig] = parts as [string, string, string];
    const expected = b64url(createHmac('sha256', this.secret).update(`${head}.${body}`).digest());
    if (sig !== expected) return { ok: false, reason: 'invalid' };
    let claims: TokenClaims;
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenClaims;
    } catch {
      return { ok: false, reason: 'invalid' };
    }
    if (claims.exp * 1000 <= Date.now()) return { ok: false, reason: 'expired' };
    if (!audienceMatches(service, claims.aud)) return { ok: false, reason: 'audience', audience: claims.aud };
    return { ok: true, claims };
  }
}
