// Syntax of each slash command (DESIGN.md "Slash commands"); the usage text is what `help` and
// every input error show.
import type { CommandSpec } from './args.js';
import { PROVIDER_NAMES } from '../src/providers/names.js';

export const TRIAGE: CommandSpec = {
  name: '/triage',
  usage: [
    `*Usage:* \`/triage <job> [--provider ${PROVIDER_NAMES.join('|')}] [--env dev|staging|prod] [--runs N] [--threshold PCT] [--consecutive N] [--input URI]\``,
    '• `<job>` the Glue job or Synapse pipeline name',
    '• `--runs N` how many recent runs to read (5–2000, default from config)',
    '• `--threshold PCT` degraded when runs are more than PCT% over the baseline (1–1000, default 30)',
    '• `--consecutive N` how many latest runs must be over the threshold (1–50, default 3)',
    '• `--input URI` input location for the small-file check (`s3://bucket/prefix`, Azure Blob URL, `abfss://…`, `az://…`)',
    'Example: `/triage MyJob --threshold 50`',
  ].join('\n'),
  positional: ['job'],
  required: 1,
  flags: {
    provider: { type: 'string', choices: [...PROVIDER_NAMES] },
    env: { type: 'string', choices: ['dev', 'staging', 'prod'] },
    runs: { type: 'int', min: 5, max: 2000, what: 'how many runs' },
    threshold: { type: 'number', min: 1, max: 1000, what: 'a percentage over the baseline' },
    consecutive: { type: 'int', min: 1, max: 50, what: 'how many consecutive runs' },
    input: { type: 'string' },
  },
};

export const SMALLFILES: CommandSpec = {
  name: '/smallfiles',
  usage: [
    '*Usage:* `/smallfiles <uri> [--threshold SIZE] [--compare URI]`',
    '• `<uri>` `s3://bucket/prefix`, `https://ACCOUNT.blob.core.windows.net/CONTAINER/prefix`, `abfss://CONTAINER@ACCOUNT.dfs.core.windows.net/prefix` or `az://ACCOUNT/CONTAINER/prefix`',
    '• `--threshold SIZE` files below this size are small (`32MiB`, `32MB` or bytes; default 32 MiB)',
    '• `--compare URI` compare with another location',
    'Example: `/smallfiles s3://lake-raw/events/ --threshold 64MiB`',
  ].join('\n'),
  positional: ['uri'],
  required: 1,
  flags: {
    threshold: { type: 'size', min: 1, max: 1024 ** 4 },
    compare: { type: 'string' },
  },
};

export const INCIDENT: CommandSpec = {
  name: '/incident',
  usage: [
    '*Usage:* `/incident <declare|status|timeline|checklist|note|escalate|resolve|postmortem> …`',
    '• `/incident declare <title> [--job J] [--severity sev1|sev2|sev3]` open an incident and its channel',
    '• `/incident status` · `/incident timeline` · `/incident checklist [runbook]` (attach a runbook: missing-data, schema-drift, failed-backfill or one of medic.yml)',
    '• `/incident note <text>` add a note to the timeline',
    '• `/incident escalate` notify the Data Owner and the on-call SRE now',
    '• `/incident resolve [--cause TEXT]` · `/incident postmortem`',
    '• `--incident INC-…` which incident, when the channel has several open',
  ].join('\n'),
  positional: ['action', 'rest'],
  required: 1,
  flags: {
    job: { type: 'string' },
    severity: { type: 'string', choices: ['sev1', 'sev2', 'sev3'] },
    cause: { type: 'string' },
    incident: { type: 'string' },
  },
};

export const MISSING: CommandSpec = {
  name: '/missing',
  usage: [
    '*Usage:* `/missing <job|uri> [--from YYYY-MM-DD --to YYYY-MM-DD]`',
    '• `<job>` a job of medic.yml (its `output`, else `input`), or a location (`s3://bucket/prefix`, Azure Blob URL, `abfss://…`, `az://…`)',
    '• `--from`/`--to` the window (at most 366 days; default the 7 days up to yesterday)',
    'Partitions absent, empty or much smaller than their neighbours, freshness, and the runs behind them.',
    'Example: `/missing MyJob --from 2026-11-01 --to 2026-11-20`',
  ].join('\n'),
  positional: ['target'],
  required: 1,
  flags: {
    from: { type: 'date' },
    to: { type: 'date' },
  },
};

export const BACKFILL: CommandSpec = {
  name: '/backfill',
  usage: [
    '*Usage:* `/backfill <job> --from YYYY-MM-DD --to YYYY-MM-DD [--env staging] [--dry-run]`',
    'Snapshot → isolated run → quality checks → validate → approve → promote → re-run consumers.',
  ].join('\n'),
  positional: ['job'],
  required: 1,
  flags: {
    from: { type: 'date' },
    to: { type: 'date' },
    env: { type: 'string', choices: ['dev', 'staging', 'prod'] },
    'dry-run': { type: 'boolean' },
  },
};

export const SCHEMA: CommandSpec = {
  name: '/schema',
  usage: [
    '*Usage:* `/schema <job|database.table> [--since YYYY-MM-DD]`',
    "The schema-drift report: the catalog's changes, the newest data's schema against the catalog, and the migration plan.",
    '• `<job>` a job of medic.yml with a `table` (and an `input` whose Parquet footers are read)',
    '• `--since` compare with the catalog as it was that day (default: its previous version)',
  ].join('\n'),
  positional: ['target'],
  required: 1,
  flags: {
    since: { type: 'date' },
  },
};

/** Longest /cost window: a year (Glue keeps run history 90 days; some documents say 365). */
export const COST_MAX_DAYS = 366;

export const COST: CommandSpec = {
  name: '/cost',
  usage: [
    '*Usage:* `/cost <job | tag=value> [--days N]`',
    '• `<job>` a Glue job or Synapse pipeline; `tag=value` every job carrying that tag (e.g. `cost-center=growth`)',
    `• \`--days N\` the window in days, today included (1–${COST_MAX_DAYS}, default 30)`,
    'Cost and DPU-hours, cost per run and its trend, the extra cost of degraded runs, the share spent on failed runs, this month against its budget and forecast; for a tag, the top jobs. A chart of cost per day goes in the thread.',
    'Example: `/cost MyJob --days 60` · `/cost cost-center=growth`',
  ].join('\n'),
  positional: ['subject'],
  required: 1,
  flags: {
    days: { type: 'int', min: 1, max: COST_MAX_DAYS, what: 'a number of days' },
  },
};
