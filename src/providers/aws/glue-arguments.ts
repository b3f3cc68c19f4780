// Glue names job arguments with a leading `--` (`--input_path`); the core names parameters without
// any platform prefix (`input_path`), so the same backfill or compaction parameters reach a Glue job
// and a Synapse pipeline alike.

/** `{input_path: x}` → `{--input_path: x}`; a key that already starts with `--` is kept. */
export function toGlueArguments(params: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) out[k.startsWith('--') ? k : `--${k}`] = v;
  return out;
}

/** `{--input_path: x}` → `{input_path: x}`. */
export function fromGlueArguments(args: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(args)) out[k.startsWith('--') ? k.slice(2) : k] = v;
  return out;
}

/** Arguments a job reads its input location from, by convention, in the order tried. */
export const INPUT_PARAMETERS = ['input_path', 'source_path', 'input'] as const;
export const OUTPUT_PARAMETER = 'output_path';

/** Parameters Glue sets on runs by itself; a difference there is not a change to the job. */
export const GLUE_PER_RUN_PARAMETERS: ReadonlySet<string> = new Set([
  'JOB_ID',
  'JOB_RUN_ID',
  'JOB_NAME',
  'job-bookmark-option',
]);
