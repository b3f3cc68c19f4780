// `medic`: the bot's analyses from a terminal, with the same configuration and code paths.
//   medic triage <job> [--json] [--threshold PCT] [--consecutive N] [--runs N] [--input URI]
//   medic smallfiles <uri> [--json] [--threshold SIZE] [--compare URI]
//   medic cost <job | tag=value> [--days N] [--json]
//   medic config check [--config PATH]
//   medic parity <job> [--staging JOB] [--json]
//   medic schema-plan --job J --proposed FILE [--wait 30m]   (the CI gate, through the bot's API)
//   medic perf-smoke --job J --sample URI [--max-over 30%]   (the CI perf gate, through the bot's API)
import { loadConfig, ConfigError, type AppConfig } from '../config/index.js';
import { createLogger } from '../logger.js';
import { createProviders } from '../providers/registry.js';
import { parseCommand } from '../../commands/args.js';
import { SMALLFILES, TRIAGE } from '../../commands/specs.js';
import { validateTriage } from '../../commands/triage.js';
import { TriageGatherer } from '../../jobs/triage-gather.js';
import { triageText } from './text-report.js';
import { runSmallFilesCli } from './smallfiles.js';
import { configCheck } from './config-check.js';
import { SCHEMA_PLAN_USAGE, schemaPlanCli } from './schema-plan.js';
import { COST } from '../../commands/specs.js';
import { validateCost } from '../../commands/cost.js';
import { runCostCli } from './cost.js';
import { PERF_SMOKE_USAGE, perfSmokeCli } from './perf-smoke.js';
import { PARITY_USAGE, runParityCli } from './parity.js';
import { cliRequestBudget } from './budget.js';

const USAGE = `Usage:
  medic triage <job> [--json] [--threshold PCT] [--consecutive N] [--runs N] [--input URI]
  medic smallfiles <uri> [--json] [--threshold SIZE] [--compare URI]
  medic cost <job | tag=value> [--days N] [--json]   cost, budget and forecast (default 30 days)
  medic config check [--config PATH]   medic.yml valid for dev, staging and prod, overlays at parity
  ${PARITY_USAGE}
  ${SCHEMA_PLAN_USAGE}
  ${PERF_SMOKE_USAGE}

Configuration comes from the same environment variables and medic.yml as the bot
(AWS credentials from the standard SDK chain; no Slack token needed). With a request budget
configured (monitor.maxRequestsPerSecond), set REDIS_URL and MEDIC_PREFIX as the bot's to share it.`;

function stripJson(args: string[]): { json: boolean; rest: string[] } {
  const rest = args.filter((a) => a !== '--json');
  return { json: rest.length !== args.length, rest };
}

/** Quote words so the slash-command parser sees them as typed. */
function asText(words: string[]): string {
  return words.map((w) => (/[\s"']/.test(w) ? `"${w.replace(/"/g, '')}"` : w)).join(' ');
}

export async function cli(
  argv: string[],
  io = { out: process.stdout, err: process.stderr },
): Promise<number> {
  const [cmd, ...args] = argv;
  if (!cmd || cmd === 'help' || cmd === '--help' || cmd === '-h') {
    io.out.write(USAGE + '\n');
    return cmd ? 0 : 2;
  }
  // Checks the file alone, for CI: no environment variables are needed.
  if (cmd === 'config' && args[0] === 'check') return configCheck(args.slice(1), process.env, io);
  // Talks to a running bot's CI API: no cloud credentials or medic.yml needed.
  if (cmd === 'schema-plan') return schemaPlanCli(args, { env: process.env, io });
  if (cmd === 'perf-smoke') return perfSmokeCli(args, { env: process.env, io });
  let config: AppConfig;
  try {
    config = loadConfig(process.env, { requireSlack: false });
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err.write(`medic: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn' }, process.stderr);
  // The bot's request budget (monitor.maxRequestsPerSecond) holds for the CLI's cloud calls too.
  const budget = cliRequestBudget(config, process.env, (line) => io.err.write(`${line}\n`));
  const providers = createProviders({
    env: config.env,
    ...(config.medic.region ? { region: config.medic.region } : {}),
    pricing: config.medic.defaults.pricing,
    jobs: config.medic.jobs,
    azure: config.medic.azure,
    ...(budget.requestBudgets ? { requestBudgets: budget.requestBudgets } : {}),
  });
  const { json, rest } = stripJson(args);
  try {
    if (cmd === 'triage') {
      const v = validateTriage(asText(rest));
      if (!v.ok) {
        io.err.write(
          v.help ? TRIAGE.usage.replace(/[*`]/g, '') + '\n' : `medic triage: ${v.problem}\n\n${USAGE}\n`,
        );
        return v.help ? 0 : 2;
      }
      const gatherer = new TriageGatherer(
        { config, providers, logger, now: Date.now },
        { ...v.request, requestedAt: Date.now() },
        async (m) => {
          if (!json) io.err.write(`… ${m.steps.map((s) => `${s.name}: ${s.state}`).join(', ')}\n`);
        },
      );
      const outcome = await gatherer.run();
      if (json)
        io.out.write(JSON.stringify({ ...outcome.model, phasesMs: outcome.phasesMs }, null, 2) + '\n');
      else io.out.write(triageText(outcome.model) + '\n');
      return outcome.failed ? 1 : 0;
    }
    if (cmd === 'smallfiles') {
      const parsed = parseCommand(SMALLFILES, asText(rest));
      if (parsed.kind !== 'ok') {
        io.err.write(
          parsed.kind === 'help' ? `${USAGE}\n` : `medic smallfiles: ${parsed.message}\n\n${USAGE}\n`,
        );
        return parsed.kind === 'help' ? 0 : 2;
      }
      return await runSmallFilesCli(
        { config, providers, json, io },
        {
          uri: parsed.positional[0]!,
          ...(parsed.flags.threshold !== undefined
            ? { thresholdBytes: parsed.flags.threshold as number }
            : {}),
          ...(parsed.flags.compare ? { compareUri: parsed.flags.compare as string } : {}),
        },
      );
    }
    if (cmd === 'cost') {
      const v = validateCost(asText(rest));
      if (!v.ok) {
        io.err.write(
          v.help ? COST.usage.replace(/[*`]/g, '') + '\n' : `medic cost: ${v.problem}\n\n${USAGE}\n`,
        );
        return v.help ? 0 : 2;
      }
      return await runCostCli({ config, providers, logger, json, io }, v.request);
    }
    if (cmd === 'parity') return await runParityCli({ config, providers, json, io }, rest);
    io.err.write(`medic: unknown command "${cmd}"\n\n${USAGE}\n`);
    return 2;
  } finally {
    providers.close();
    await budget.close();
  }
}
