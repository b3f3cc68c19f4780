// `medic config check [--config PATH]`: for CI — medic.yml validates for every environment
// (dev, staging, prod, each with its overlay) and the overlays carry the same keys (parity).
// Needs no Slack token, Redis or cloud credentials.
import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError, parseConfigText } from '../config/index.js';

const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;

export function configCheck(
  args: string[],
  env: NodeJS.ProcessEnv,
  io: { out: NodeJS.WritableStream; err: NodeJS.WritableStream },
): number {
  const i = args.indexOf('--config');
  const path =
    (i >= 0 ? args[i + 1] : undefined) ??
    env.MEDIC_CONFIG ??
    (existsSync('medic.yml') ? 'medic.yml' : undefined);
  if (!path) {
    io.err.write('medic config check: no medic.yml here; give --config PATH (or MEDIC_CONFIG)\n');
    return 2;
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    io.err.write(
      `medic config check: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}\n`,
    );
    return 2;
  }
  const problems = new Map<string, string[]>();
  for (const name of ENVIRONMENTS) {
    try {
      parseConfigText(text, name, path);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      for (const p of err.problems) problems.set(p, [...(problems.get(p) ?? []), name]);
    }
  }
  if (problems.size) {
    io.err.write(`${path}: ${problems.size} problem${problems.size === 1 ? '' : 's'}\n`);
    for (const [p, envs] of problems) {
      const where = envs.length === ENVIRONMENTS.length ? '' : ` [${envs.join(', ')}]`;
      io.err.write(`  - ${p}${where}\n`);
    }
    return 1;
  }
  const overlays = (parseYaml(text) as { environments?: Record<string, unknown> } | null)?.environments ?? {};
  const names = Object.keys(overlays);
  io.out.write(
    `${path}: valid for ${ENVIRONMENTS.join(', ')}` +
      (names.length
        ? `; the ${names.join(', ')} overlays carry the same keys\n`
        : '; no environment overlays\n'),
  );
  return 0;
}
