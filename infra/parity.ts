// Environment parity: two environments' templates must have the same resources (logical ids
// and types) and the same properties, except those declared as sizing. Used by the tests for the
// CDK stacks (infra/aws) and the ARM parameter files (infra/azure).

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export interface Difference {
  /** Where, e.g. `Resources.Redis.Properties.TransitEncryptionEnabled`. */
  path: string;
  detail: string;
}

const isObject = (v: unknown): v is Record<string, Json> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Replace the environment's name where it stands as a word (`medic-prod`, `/medic/prod/web`,
 * `Pipeline Medic (prod)`) with `<env>`, in every string of a document.
 */
export function maskEnvironmentName(doc: Json, envName: string): Json {
  const word = (w: string) => new RegExp(`(?<![A-Za-z0-9])${w}(?![A-Za-z0-9])`, 'g');
  const name = word(envName);
  // The CDK stack of the environment (MedicDev, MedicProd) names paths in tags: `MedicDev/Vpc`.
  const stack = word(`[A-Z][A-Za-z]*${envName[0]!.toUpperCase()}${envName.slice(1)}`);
  const walk = (v: Json): Json => {
    if (typeof v === 'string') return v.replace(name, '<env>').replace(stack, '<stack>');
    if (Array.isArray(v)) return v.map(walk);
    if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, c]) => [k, walk(c)]));
    return v;
  };
  return walk(doc);
}

/** Every leaf where two documents differ, with its path. */
export function diffJson(a: Json | undefined, b: Json | undefined, path: string[] = []): string[][] {
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => diffJson(a[k], b[k], [...path, k]));
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    return a.flatMap((item, i) => diffJson(item, b[i], [...path, String(i)]));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [path];
}

/** Does a property path (from Properties down) fall under one of the declared sizing paths? */
function declared(path: string[], allowed: readonly string[]): boolean {
  return allowed.some((pattern) => {
    const parts = pattern.split('.');
    return parts.length <= path.length && parts.every((p, i) => p === '*' || p === path[i]);
  });
}

/**
 * Differences between two CloudFormation templates that parity does not allow: resources only in
 * one, a logical id with another type, and any difference outside the declared sizing properties
 * of that resource type. The environments' names are masked first.
 */
export function templateParity(
  base: { name: string; template: Json },
  other: { name: string; template: Json },
  sizing: Record<string, readonly string[]>,
): Difference[] {
  const a = maskEnvironmentName(base.template, base.name) as Record<string, Json>;
  const b = maskEnvironmentName(other.template, other.name) as Record<string, Json>;
  const out: Difference[] = [];
  const ra = (a.Resources ?? {}) as Record<string, Record<string, Json>>;
  const rb = (b.Resources ?? {}) as Record<string, Record<string, Json>>;
  for (const id of [...new Set([...Object.keys(ra), ...Object.keys(rb)])].sort()) {
    const x = ra[id];
    const y = rb[id];
    if (!x || !y) {
      out.push({
        path: `Resources.${id}`,
        detail: `only in ${x ? base.name : other.name} (${String((x ?? y)!.Type)})`,
      });
      continue;
    }
    if (x.Type !== y.Type) {
      out.push({
        path: `Resources.${id}.Type`,
        detail: `${String(x.Type)} in ${base.name}, ${String(y.Type)} in ${other.name}`,
      });
      continue;
    }
    const allowed = sizing[String(x.Type)] ?? [];
    for (const p of diffJson(x, y)) {
      if (p[0] === 'Properties' && declared(p.slice(1), allowed)) continue;
      out.push({ path: ['Resources', id, ...p].join('.'), detail: describe(x, y, p, base.name, other.name) });
    }
  }
  for (const section of Object.keys({ ...a, ...b })
    .filter((s) => s !== 'Resources')
    .sort()) {
    for (const p of diffJson(a[section], b[section], [section])) {
      out.push({ path: p.join('.'), detail: describe(a, b, p, base.name, other.name) });
    }
  }
  return out;
}

function at(doc: Json | undefined, path: string[]): Json | undefined {
  let v: Json | undefined = doc;
  for (const k of path) v = isObject(v) ? v[k] : Array.isArray(v) ? v[Number(k)] : undefined;
  return v;
}

function describe(a: Json, b: Json, path: string[], an: string, bn: string): string {
  const show = (v: Json | undefined): string =>
    v === undefined ? '(absent)' : JSON.stringify(v).slice(0, 120);
  return `${show(at(a, path))} in ${an}, ${show(at(b, path))} in ${bn}`;
}

/** The differences a declared sizing property makes (for reports and to show the check compares). */
export function sizingDifferences(
  base: { name: string; template: Json },
  other: { name: string; template: Json },
): string[] {
  const a = maskEnvironmentName(base.template, base.name);
  const b = maskEnvironmentName(other.template, other.name);
  return diffJson(a, b).map((p) => p.join('.'));
}

/**
 * Parity of ARM parameter files: the same parameter names in every file, each a parameter of
 * the template, and different values only where the template declares the parameter as sizing
 * (`metadata.sizing: true`) or it is `environmentName` (which must name the file's environment).
 */
export function parameterFileParity(
  files: Record<string, { parameters: Record<string, { value: Json }> }>,
  template: { parameters: Record<string, { metadata?: { sizing?: boolean } }> },
): Difference[] {
  const out: Difference[] = [];
  const names = Object.keys(files);
  const [first, ...rest] = names;
  if (!first) return out;
  for (const env of names) {
    const params = files[env]!.parameters;
    for (const key of Object.keys(params)) {
      if (!template.parameters[key])
        out.push({ path: `${env}.${key}`, detail: 'not a parameter of the template' });
    }
    if (params.environmentName?.value !== env)
      out.push({
        path: `${env}.environmentName`,
        detail: `is ${JSON.stringify(params.environmentName?.value)}, not ${env}`,
      });
  }
  const base = files[first]!.parameters;
  for (const env of rest) {
    const other = files[env]!.parameters;
    for (const key of [...new Set([...Object.keys(base), ...Object.keys(other)])].sort()) {
      if (!(key in base) || !(key in other)) {
        out.push({
          path: key,
          detail: `set in ${key in base ? first : env} but not in ${key in base ? env : first}`,
        });
        continue;
      }
      if (key === 'environmentName' || template.parameters[key]?.metadata?.sizing) continue;
      if (JSON.stringify(base[key]!.value) !== JSON.stringify(other[key]!.value))
        out.push({
          path: key,
          detail: `${JSON.stringify(base[key]!.value)} in ${first}, ${JSON.stringify(other[key]!.value)} in ${env} (not declared as sizing)`,
        });
    }
  }
  return out;
}
