// Secret redaction for anything quoted from logs, error messages or job arguments before it reaches
// Slack, the timeline or a post-mortem. Patterns are deliberately anchored on a key, a prefix or a
// URL shape, so ordinary words ("token count", "password policy") survive and excerpts stay readable.

/** What a secret is replaced with. */
export const REDACTED = '‹redacted›';

// Key names whose value is a secret. The key must end with one of these (so "tokenizer=" or
// "secretName=" do not match); a prefix is allowed ("db_password", "SecretAccessKey", "x-api-key").
const SECRET_KEY =
  '[A-Za-z0-9_.-]*?(?:password|passwd|pwd|secret|secret[_-]?key|secret[_-]?access[_-]?key|token|access[_-]?token|refresh[_-]?token|session[_-]?token|id[_-]?token|api[_-]?key|apikey|access[_-]?key(?:[_-]?id)?|private[_-]?key|account[_-]?key|shared[_-]?access[_-]?key|client[_-]?secret|credentials?|signature|sig)';

interface Rule {
  name: string;
  pattern: RegExp;
  replace: (match: string, ...groups: string[]) => string;
}

const RULES: readonly Rule[] = [
  {
    name: 'private key block',
    pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
    replace: () => REDACTED,
  },
  {
    // scheme://user:pass@host — keep the user and host, they help the reader.
    name: 'password in URL',
    pattern: /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/?#@'"]+:)([^\s@/'"]+)@/gi,
    replace: (_m, head: string) => `${head}${REDACTED}@`,
  },
  {
    name: 'authorization header',
    pattern: /\b(authorization\s*["']?\s*[:=]\s*["']?\s*)(?:(bearer|basic|token|digest)\s+)?[^\s"',;]+/gi,
    replace: (_m, head: string, scheme: string | undefined) =>
      `${head}${scheme ? `${scheme} ` : ''}${REDACTED}`,
  },
  {
    // A token has a digit or punctuation; "bearer authentication" is prose.
    name: 'bearer token',
    pattern: /\b(bearer\s+)(?!‹)(?=[A-Za-z]*[0-9._~+/=-])[A-Za-z0-9._~+/=-]{8,}/gi,
    replace: (_m, head: string) => `${head}${REDACTED}`,
  },
  {
    name: 'Slack token',
    pattern: /\b(?:xox[abposr]|xapp)-[A-Za-z0-9-]{8,}/g,
    replace: () => REDACTED,
  },
  {
    name: 'AWS access key id',
    pattern: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ABIA|ACCA)[A-Z0-9]{16}\b/g,
    replace: () => REDACTED,
  },
  {
    // "password": "x" / 'token': 'x' (JSON, Python dict reprs)
    name: 'quoted key and value',
    pattern: new RegExp(`(["'])(${SECRET_KEY})\\1(\\s*[:=]\\s*)(["'])((?:\\\\.|(?!\\4).)*)\\4`, 'gi'),
    replace: (m, q: string, key: string, sep: string, vq: string, value: string) =>
      value === '' || value === REDACTED ? m : `${q}${key}${q}${sep}${vq}${REDACTED}${vq}`,
  },
  {
    // Glue arguments as printed by Python: ['--db_password', 'x'] or --db-password x
    name: 'command-line secret argument',
    pattern: new RegExp(`(--${SECRET_KEY})(["']?(?:\\s*,\\s*|\\s+)["']?)([^\\s"',\\]]+)`, 'gi'),
    replace: (m, flag: string, sep: string, value: string) =>
      value.startsWith('--') || value === REDACTED ? m : `${flag}${sep}${REDACTED}`,
  },
  {
    // key=value, key: value, ?password=x&, ;password=x; (JDBC), export SECRET=x
    name: 'key and value',
    pattern: new RegExp(
      `(?<![A-Za-z0-9_.-])(${SECRET_KEY})(["']?[ \\t]*(?:=|:(?!//))[ \\t]*)(["']?)([^\\s"',;&)}\\]]+)`,
      'gi',
    ),
    replace: (m, key: string, sep: string, quote: string, value: string) =>
      value === REDACTED || value.startsWith('‹') ? m : `${key}${sep}${quote}${REDACTED}`,
  },
];

/** Replaces secrets in free text with REDACTED; everything else is left as it was. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const rule of RULES) {
    out = out.replace(rule.pattern, rule.replace as (substring: string, ...args: unknown[]) => string);
  }
  return out;
}

/** Whether redaction would change the text: for tests and for logging that a secret was seen. */
export function containsSecret(text: string): boolean {
  return redactSecrets(text) !== text;
}
