// "Did you mean …?" for names typed in Slack: the closest job names to what was asked for.
// Pure: no I/O. Case is ignored (people type `myjob` for `MyJob`); an adjacent transposition
// counts as one edit (optimal string alignment, a restricted Damerau-Levenshtein), because swapped
// letters are the most common typo.

/** Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  // Three rolling rows: the one two back is needed for transpositions.
  let prev2: number[] = new Array<number>(b.length + 1).fill(0);
  let prev: number[] = Array.from({ length: b.length + 1 }, (_, j) => j);
  let cur: number[] = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, prev2[j - 2]! + 1);
      cur[j] = d;
    }
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[b.length]!;
}

/** Edits tolerated for a typed name of this length: 1 for short names, a third of longer ones. */
function tolerance(length: number): number {
  return Math.max(1, Math.min(4, Math.floor(length / 3)));
}

interface Scored {
  name: string;
  score: number;
  distance: number;
}

/**
 * Up to `max` candidates closest to `wanted`, best first: a case-insensitive exact match, then
 * names within a few edits, names that start with what was typed, and names that contain it
 * (3 characters at least, so `a` does not match everything). Candidates too far away are left out,
 * so the result may be empty. Duplicates are returned once.
 */
export function suggestNames(wanted: string, candidates: Iterable<string>, max = 3): string[] {
  const w = wanted.trim().toLowerCase();
  if (w === '' || max <= 0) return [];
  const seen = new Set<string>();
  const scored: Scored[] = [];
  for (const name of candidates) {
    if (seen.has(name)) continue;
    seen.add(name);
    const c = name.toLowerCase();
    const distance = editDistance(w, c);
    let score = Number.POSITIVE_INFINITY;
    if (distance <= tolerance(w.length)) score = distance;
    // A prefix is as good as one edit: `MyJob` for `MyJob-compaction` is a likely intent.
    if (w.length >= 2 && c.startsWith(w)) score = Math.min(score, 1);
    if (w.length >= 3 && c.includes(w)) score = Math.min(score, 2);
    if (Number.isFinite(score)) scored.push({ name, score, distance });
  }
  scored.sort(
    (a, b) =>
      a.score - b.score ||
      a.distance - b.distance ||
      a.name.length - b.name.length ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  return scored.slice(0, max).map((s) => s.name);
}
