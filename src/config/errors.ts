/** Invalid configuration: every problem found, each named by its path, reported at once. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'CONFIG_INVALID';
  readonly problems: string[];
  readonly source: string;

  constructor(source: string, problems: string[]) {
    super(`invalid configuration in ${source}:\n` + problems.map((p) => `  - ${p}`).join('\n'));
    this.problems = problems;
    this.source = source;
  }
}

/** "path.to.key: message" for each zod issue. */
export function describeIssues(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
  prefix = '',
): string[] {
  return issues.map((i) => {
    const path = [prefix, ...i.path.map(String)].filter(Boolean).join('.');
    return `${path || '(root)'}: ${i.message}`;
  });
}
