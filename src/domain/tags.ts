// Resource tags for cost allocation (runbook 5.4 "Tagging, budgets and alerts"), pure: which of the
// required tags a job lacks, and the `key=value` selector people type (`/cost cost-center=growth`,
// `budgets: [{ tag: cost-center=growth }]`).

/** A tag selector: every job carrying tag `key` with value `value`. */
export interface TagSelector {
  key: string;
  value: string;
}

/** What is wrong with a job's tags against `costControls.requiredTags`. */
export interface TagCheck {
  /** Required keys the job does not carry (or carries with an empty value), in the required order. */
  missing: string[];
  /** Missing keys the job has under another case ("Owner" for "owner"): AWS tag keys are case-sensitive. */
  nearMisses: { required: string; found: string }[];
}

/**
 * The required tags a job lacks. A key counts only with a non-blank value; keys compare exactly,
 * as AWS and Azure tag keys do for cost allocation, and a key present under another case is named
 * so the fix is a rename rather than a second tag.
 */
export function checkRequiredTags(
  tags: Readonly<Record<string, string>>,
  required: readonly string[],
): TagCheck {
  const missing: string[] = [];
  const nearMisses: TagCheck['nearMisses'] = [];
  const keys = Object.keys(tags);
  for (const key of new Set(required)) {
    const value = Object.hasOwn(tags, key) ? tags[key] : undefined;
    if (value !== undefined && value.trim() !== '') continue;
    missing.push(key);
    const other = keys.find((k) => k !== key && k.toLowerCase() === key.toLowerCase() && tags[k]?.trim());
    if (other) nearMisses.push({ required: key, found: other });
  }
  return { missing, nearMisses };
}

/** Tag keys and values as AWS and Azure accept them, bounded: no control characters, no `=` in keys. */
const MAX_KEY = 128;
const MAX_VALUE = 256;

/** `key=value` → a selector, or what is wrong with it. The first `=` splits (values may hold `=`). */
export function parseTagSelector(
  text: string,
): { ok: true; selector: TagSelector } | { ok: false; problem: string } {
  const i = text.indexOf('=');
  if (i < 0) return { ok: false, problem: `"${text}" is not a tag selector: write it as key=value` };
  const key = text.slice(0, i).trim();
  const value = text.slice(i + 1).trim();
  if (!key) return { ok: false, problem: `"${text}" has no tag key before the "="` };
  if (!value) return { ok: false, problem: `"${text}" has no tag value after the "="` };
  if (key.length > MAX_KEY) return { ok: false, problem: `the tag key is longer than ${MAX_KEY} characters` };
  if (value.length > MAX_VALUE)
    return { ok: false, problem: `the tag value is longer than ${MAX_VALUE} characters` };
  return { ok: true, selector: { key, value } };
}

/** `cost-center=growth` */
export function formatTagSelector(s: TagSelector): string {
  return `${s.key}=${s.value}`;
}

/** Whether a job's tags carry the selector's key with exactly its value. */
export function matchesTag(tags: Readonly<Record<string, string>>, s: TagSelector): boolean {
  return Object.hasOwn(tags, s.key) && tags[s.key] === s.value;
}

/** The missing keys as one stable string, for remembering what was already said about a job. */
export function missingTagsFingerprint(missing: readonly string[]): string {
  return [...new Set(missing)].sort().join('\n');
}

/** A job's tags as the cost views show them: read (with what is missing and the fix), or why not. */
export type JobTagInfo =
  | { state: 'read'; tags: Record<string, string>; missing: string[]; command?: string }
  | { state: 'unavailable'; reason: string };
