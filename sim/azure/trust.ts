// Getting a process to trust the simulator's CA. NODE_EXTRA_CA_CERTS is read once, when Node
// starts, so a process that starts the simulator itself (a contract test, an integration test that
// runs the bot in-process, the sandbox) cannot trust a CA it makes afterwards. trustedSimulatorCa()
// solves it the way a supervisor would: the first time, it makes the CA, writes it to a temp
// directory and runs this same process again (same node flags, same script and arguments) with
// NODE_EXTRA_CA_CERTS and MEDIC_SIM_CA_DIR set, inherits its stdio, forwards SIGINT/SIGTERM, and
// exits with its code; in the re-run process it returns the CA, which the simulator then signs its
// server certificate with. Under `node --test` the re-run process writes the test runner's own
// protocol to the same stdout, so the runner sees it as the test file.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CA_CERT_FILE, createCertificateAuthority, readCaDir, writeCaDir } from './tls.js';
import type { SimCertificateAuthority } from './tls.js';

/** Names the directory of the CA the current process trusts (set by trustedSimulatorCa). */
export const SIM_CA_DIR_ENV = 'MEDIC_SIM_CA_DIR';

/** The CA this process already trusts through NODE_EXTRA_CA_CERTS, or undefined. */
export function trustedCaFromEnv(env: NodeJS.ProcessEnv = process.env): SimCertificateAuthority | undefined {
  const dir = env[SIM_CA_DIR_ENV];
  const extra = env.NODE_EXTRA_CA_CERTS;
  if (!dir || !extra || resolve(extra) !== resolve(join(dir, CA_CERT_FILE))) return undefined;
  return readCaDir(dir);
}

/**
 * The simulator CA this process trusts. When the process was not started trusting one, this makes
 * one and re-runs the process with it trusted: the call then never returns in this process (it
 * exits with the re-run's exit code).
 */
export async function trustedSimulatorCa(): Promise<SimCertificateAuthority> {
  const trusted = trustedCaFromEnv();
  if (trusted) return trusted;
  const ca = await createCertificateAuthority();
  const dir = writeCaDir(ca);
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, [SIM_CA_DIR_ENV]: dir, NODE_EXTRA_CA_CERTS: join(dir, CA_CERT_FILE) },
  });
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  process.on('SIGINT', forward('SIGINT'));
  process.on('SIGTERM', forward('SIGTERM'));
  const code = await new Promise<number>((done) => {
    child.once('error', () => done(1));
    child.once('exit', (c, signal) => done(c ?? (signal ? 1 : 0)));
  });
  rmSync(dir, { recursive: true, force: true });
  process.exit(code);
}
