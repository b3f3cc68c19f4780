// Pipeline parameters between the core and Synapse. The core names the parameters it sets itself
// in one spelling (`input_path`, `output_path`, `backfill_from`, `medic_backfill`, …, Glue's
// convention without the `--`); Synapse pipelines usually spell them `inputPath`. So:
// - a parameter given to a run is matched to the pipeline's declared parameter of the same name
//   ignoring case, `_` and `-` (`input_path` → `inputPath`), and typed as declared (Int, Bool,
//   Object …); a name the pipeline does not declare is refused (Synapse would refuse it, or
//   silently run without it), except the optional backfill tag;
// - a run's parameters come back with the core's own names in the core's spelling, and every other
//   parameter as the pipeline names it.
import { ProviderError } from '../ports.js';
import type { PipelineDefinition } from './synapse-client.js';

/** The parameters the core itself sets on runs (backfills, consumers, compaction). */
export const CORE_PARAMETERS = [
  'input_path',
  'output_path',
  'backfill_from',
  'backfill_to',
  'backfill_id',
  'medic_backfill',
] as const;

/** Parameters a run may go without when the pipeline does not declare them (a tag, not an input). */
export const OPTIONAL_PARAMETERS: ReadonlySet<string> = new Set(['medic_backfill']);

/** `input_path`, `inputPath`, `Input-Path` → `inputpath`. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[_\-\s]/g, '');
}

const CORE_BY_NORM = new Map<string, string>(CORE_PARAMETERS.map((n) => [normalizeName(n), n]));

/** A run's parameters as the core reads them. */
export function coreParameters(run: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(run)) out[CORE_BY_NORM.get(normalizeName(k)) ?? k] = v;
  return out;
}

/** The declared parameter a given name stands for, or undefined. */
export function declaredName(def: Pick<PipelineDefinition, 'parameters'>, name: string): string | undefined {
  if (Object.hasOwn(def.parameters, name)) return name;
  const n = normalizeName(name);
  return Object.keys(def.parameters).find((k) => normalizeName(k) === n);
}

/** A string value as the declared type wants it in the createRun body. */
export function typedValue(
  pipeline: string,
  name: string,
  type: string,
  value: string,
): string | number | boolean | unknown[] | Record<string, unknown> {
  const bad = (what: string) =>
    new ProviderError(
      'INVALID_INPUT',
      `parameter ${name} of pipeline ${pipeline} is ${what}, not "${value.slice(0, 80)}"`,
      { retryable: false },
    );
  switch (type.toLowerCase()) {
    case 'int': {
      const n = Number(value);
      if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw bad('an Int');
      return n;
    }
    case 'float': {
      const n = Number(value);
      if (!value.trim() || !Number.isFinite(n)) throw bad('a Float');
      return n;
    }
    case 'bool':
      if (!/^(true|false)$/i.test(value.trim())) throw bad('a Bool');
      return value.trim().toLowerCase() === 'true';
    case 'object':
    case 'array': {
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch {
        throw bad(`JSON (${type})`);
      }
      const isArray = Array.isArray(parsed);
      if (type.toLowerCase() === 'array' ? !isArray : isArray || typeof parsed !== 'object' || !parsed)
        throw bad(`a JSON ${type.toLowerCase()}`);
      return parsed as unknown[] | Record<string, unknown>;
    }
    default:
      return value;
  }
}

/**
 * The createRun body for these parameters: each under the pipeline's declared name, typed.
 * Throws INVALID_INPUT listing what the pipeline does not declare (and what it does).
 */
export function pipelineParameters(
  given: Readonly<Record<string, string>>,
  def: PipelineDefinition,
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const missing: string[] = [];
  for (const [name, value] of Object.entries(given)) {
    const declared = declaredName(def, name);
    if (!declared) {
      if (!OPTIONAL_PARAMETERS.has(CORE_BY_NORM.get(normalizeName(name)) ?? name)) missing.push(name);
      continue;
    }
    body[declared] = typedValue(def.name, declared, def.parameters[declared]!.type, value);
  }
  if (missing.length) {
    const declared = Object.keys(def.parameters);
    throw new ProviderError(
      'INVALID_INPUT',
      `pipeline ${def.name} declares no parameter ${missing.join(', ')} (matched ignoring case and underscores; it declares ${declared.length ? declared.join(', ') : 'none'}): add ${missing.length === 1 ? 'it' : 'them'} to the pipeline (README, "Synapse pipeline parameters")`,
      { retryable: false },
    );
  }
  return body;
}

/** Default parameter values as strings (objects as JSON), under the core's names where it has one. */
export function defaultParameters(def: PipelineDefinition): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, p] of Object.entries(def.parameters)) {
    if (p.defaultValue === undefined || p.defaultValue === null) continue;
    out[k] = typeof p.defaultValue === 'string' ? p.defaultValue : JSON.stringify(p.defaultValue);
  }
  return coreParameters(out);
}

/** Where a pipeline reads and writes, by its parameters' conventional names. */
export const INPUT_PARAMETER_NAMES = ['input_path', 'source_path', 'input'] as const;
export const OUTPUT_PARAMETER_NAMES = ['output_path', 'target_path', 'output'] as const;

export function conventionalLocation(
  params: Readonly<Record<string, string>>,
  names: readonly string[],
): string | undefined {
  const byNorm = new Map(Object.entries(params).map(([k, v]) => [normalizeName(k), v]));
  for (const n of names) {
    const v = byNorm.get(normalizeName(n));
    if (v) return v;
  }
  return undefined;
}
