// `medic parity <job> [--staging JOB] [--json]`: the job's staging definition against production's
// (runtime, script content, workers, timeout, default arguments, connections). For CI and for
// whoever is about to trust a staging run: exit 0 at parity, 3 when something differs.
import type { AppConfig } from '../config/index.js';
import { ProviderError, type Providers } from '../providers/ports.js';
import { gatherParity } from '../../jobs/parity.js';
import { parityLines } from '../domain/parity.js';

export const PARITY_USAGE =
  'medic parity <job> [--staging JOB] [--json]   staging definition against production (exit 3 when they differ)';

interface Io {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}

export async function runParityCli(
  ctx: { config: AppConfig; providers: Providers; json: boolean; io: Io },
  args: string[],
): Promise<number> {
  const { io } = ctx;
  const positional: string[] = [];
  let staging: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--staging') {
      staging = args[++i];
      if (!staging || staging.startsWith('--')) {
        io.err.write(`medic parity: --staging needs a job name\n\nUsage: ${PARITY_USAGE}\n`);
        return 2;
      }
    } else if (a.startsWith('--')) {
      io.err.write(`medic parity: unknown option ${a}\n\nUsage: ${PARITY_USAGE}\n`);
      return 2;
    } else positional.push(a);
  }
  if (positional.length !== 1) {
    io.err.write(`medic parity: name one job\n\nUsage: ${PARITY_USAGE}\n`);
    return 2;
  }
  const job = positional[0]!;
  try {
    const outcome = await gatherParity(ctx, job, staging);
    if (!outcome.ok) {
      io.err.write(`medic parity: ${outcome.problem}\n`);
      return 2;
    }
    io.out.write(
      (ctx.json ? JSON.stringify(outcome.report, null, 2) : parityLines(outcome.report).join('\n')) + '\n',
    );
    return outcome.report.atParity ? 0 : 3;
  } catch (err) {
    if (err instanceof ProviderError) {
      io.err.write(`medic parity: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
