// Slack mrkdwn escaping. Every piece of text that came from a user or a cloud goes through
// escapeMrkdwn before it is put into a message: Slack only needs &, < and > escaped, and an
// unescaped '<' would let a job name or a log line forge a mention or a link.

export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Inline code span for untrusted text: escaped, and backticks replaced so the span cannot end early. */
export function code(text: string): string {
  return '`' + escapeMrkdwn(text.replace(/`/g, "'")) + '`';
}

/** A link whose label came from outside; the URL is ours but is escaped too. */
export function link(url: string, label: string): string {
  return `<${url.replace(/[<>|]/g, encodeURIComponent)}|${escapeMrkdwn(label).replace(/\|/g, '¦')}>`;
}

/** Cut text to at most max characters, on a character boundary, marking the cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return chars.slice(0, Math.max(0, max - 1)).join('') + '…';
}

/**
 * The one time format of messages: Slack's date token, which every reader sees in their own zone
 * ("Today at 13:05"), with an ISO 8601 UTC fallback for clients that cannot render it.
 */
export function slackDate(ms: number): string {
  const sec = Math.floor(ms / 1000);
  return `<!date^${sec}^{date_short_pretty} {time}|${new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z')}>`;
}

const ISO_INSTANT = /\b\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?Z\b/g;

/**
 * Domain texts (finding evidence, timeline entries) carry instants as ISO 8601 with zone, right
 * for exports; in a message each becomes a date token. For text already escaped (an instant has
 * nothing to escape), after any truncation (a token is never cut).
 */
export function slackDatesIn(escaped: string): string {
  return escaped.replace(ISO_INSTANT, (iso) => {
    const ms = Date.parse(iso);
    return Number.isFinite(ms) ? slackDate(ms) : iso;
  });
}
