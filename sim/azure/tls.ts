// The Azure side of the simulator speaks HTTPS only (Azure's bearer-token policy refuses to send a
// token over http://). At start it makes a certificate authority and a server certificate for
// 127.0.0.1 / localhost signed by it; a process trusts the CA through NODE_EXTRA_CA_CERTS, which
// Node reads at process start (see trust.ts for how tests and the sandbox get it in time).
// `selfsigned` does the X.509 work (EC P-256 keys through WebCrypto, CA signing, SAN extensions).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import selfsigned from 'selfsigned';

export interface SimCertificateAuthority {
  certPem: string;
  keyPem: string;
}

export interface SimServerCertificate {
  certPem: string;
  keyPem: string;
}

/** The file names inside a CA directory. */
export const CA_CERT_FILE = 'ca.pem';
export const CA_KEY_FILE = 'ca-key.pem';

const DAY_MS = 86_400_000;

export async function createCertificateAuthority(): Promise<SimCertificateAuthority> {
  const pems = await selfsigned.generate(
    [
      { name: 'commonName', value: 'Pipeline Medic simulator CA' },
      { name: 'organizationName', value: 'Pipeline Medic (test only)' },
    ],
    {
      keyType: 'ec',
      algorithm: 'sha256',
      notBeforeDate: new Date(Date.now() - DAY_MS),
      notAfterDate: new Date(Date.now() + 30 * DAY_MS),
      extensions: [
        { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
      ],
    },
  );
  return { certPem: pems.cert, keyPem: pems.private };
}

/** A server certificate for 127.0.0.1, ::1 and localhost, signed by the CA. */
export async function createServerCertificate(ca: SimCertificateAuthority): Promise<SimServerCertificate> {
  const pems = await selfsigned.generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: new Date(Date.now() - DAY_MS),
    notAfterDate: new Date(Date.now() + 30 * DAY_MS),
    ca: { key: ca.keyPem, cert: ca.certPem },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
          { type: 2, value: 'localhost' },
        ],
      },
    ],
  });
  return { certPem: pems.cert, keyPem: pems.private };
}

/** Writes the CA (certificate and key) to a new temp directory; returns the directory. */
export function writeCaDir(ca: SimCertificateAuthority, dir?: string): string {
  const d = dir ?? mkdtempSync(join(tmpdir(), 'medic-sim-ca-'));
  writeFileSync(join(d, CA_CERT_FILE), ca.certPem);
  writeFileSync(join(d, CA_KEY_FILE), ca.keyPem, { mode: 0o600 });
  return d;
}

export function readCaDir(dir: string): SimCertificateAuthority {
  return {
    certPem: readFileSync(join(dir, CA_CERT_FILE), 'utf8'),
    keyPem: readFileSync(join(dir, CA_KEY_FILE), 'utf8'),
  };
}
