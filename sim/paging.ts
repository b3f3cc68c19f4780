// Opaque pagination tokens: base64url JSON the simulator reads back, rejected when tampered with.
import { SimError } from './sim-error.js';

export function encodeToken(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeToken<T>(token: string, errorCode: string, check: (v: unknown) => v is T): T {
  try {
    const v: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (check(v)) return v;
  } catch {
    // fall through
  }
  throw new SimError(errorCode, 'The specified pagination token is not valid', 400);
}
