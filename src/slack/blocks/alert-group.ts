// The storm message: one message listing every job that became DEGRADED or FAILING within the
// group window in a channel, each with its "Triage now" button, and the shared-cause hint when
// their degradations started together. Updated in place as more jobs arrive — and, once people
// triage from it, it is the storm's dashboard: each row says where its triage is (queued →
// triaging… → verdict and top cause), the full reports going into its thread.
import { code, escapeMrkdwn } from '../mrkdwn.js';
import { context, header, section, type Block } from './kit.js';
import { plural, verdictLabel } from '../../domain/format.js';
import { sharedCause, type GroupRow } from '../../domain/alert-group.js';
import { triageNowButton, type RenderedMessage } from './monitor-alert.js';

/** Jobs listed one block each (each its own button); the rest are counted and named in one line. */
export const LISTED = 40;
/** The "…and N more" line names jobs up to this many characters, then only counts the rest. */
const MORE_CHARS = 2500;

const ICON = { DEGRADED: ':red_circle:', FAILING: ':rotating_light:' } as const;

function utc(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

function triageLine(r: GroupRow): string | undefined {
  const t = r.triage;
  if (!t) return undefined;
  switch (t.state) {
    case 'queued':
      return ':hourglass_flowing_sand: triage queued';
    case 'triaging':
      return ':mag: triaging…';
    case 'failed':
      return `:warning: triage could not finish${t.cause ? `: ${escapeMrkdwn(t.cause)}` : ''}${t.reported ? ' · report in the thread' : ''}`;
    case 'done':
      return `:white_check_mark: triaged: *${escapeMrkdwn(verdictLabel(t.verdict ?? '?'))}*${t.cause ? ` — ${escapeMrkdwn(t.cause)}` : ''}${t.reported ? ' · full report in the thread' : ' · report coming in the thread'}`;
  }
}

function row(r: GroupRow): string {
  const alert = `${ICON[r.verdict]} ${code(r.job)} *${r.verdict}* · ${escapeMrkdwn(r.size)} · since ${utc(r.since)}`;
  const lines = [
    r.recoveredAt !== undefined
      ? `~${alert}~ :large_green_circle: healthy again at ${utc(r.recoveredAt)}`
      : alert,
  ];
  const t = triageLine(r);
  if (t) lines.push(t);
  return lines.join('\n');
}

/** "3 triaged (2 DEGRADED, 1 HEALTHY) · 2 triaging · 1 queued" over every row, listed or not. */
function progress(rows: readonly GroupRow[]): string | undefined {
  const tri = rows.filter((r) => r.triage);
  if (!tri.length) return undefined;
  const by = (s: string) => tri.filter((r) => r.triage!.state === s);
  const done = by('done');
  const verdicts = new Map<string, number>();
  for (const r of done)
    verdicts.set(r.triage!.verdict ?? '?', (verdicts.get(r.triage!.verdict ?? '?') ?? 0) + 1);
  const parts = [
    done.length
      ? `${done.length} triaged (${[...verdicts].map(([v, n]) => `${n} ${verdictLabel(v)}`).join(', ')})`
      : '',
    by('failed').length ? `${by('failed').length} could not finish` : '',
    by('triaging').length ? `${by('triaging').length} triaging` : '',
    by('queued').length ? `${by('queued').length} queued` : '',
  ].filter(Boolean);
  const reported = tri.filter((r) => r.triage!.reported).length;
  return `*Triage:* ${parts.join(' · ')} — ${plural(reported, 'full report')} in the thread so far.`;
}

/** "…and 12 more: `a`, `b`, … and 5 more" — every job beyond the listed ones is counted. */
function moreLine(rest: readonly GroupRow[]): string {
  const names: string[] = [];
  let chars = 0;
  for (const r of rest) {
    const c = code(r.job);
    if (chars + c.length + 2 > MORE_CHARS) break;
    names.push(c);
    chars += c.length + 2;
  }
  const unnamed = rest.length - names.length;
  return `…and ${rest.length} more: ${names.join(', ')}${unnamed ? ` and ${unnamed} more` : ''}`;
}

export function renderAlertGroup(rows: readonly GroupRow[], windowMinutes: number): RenderedMessage {
  const n = rows.length;
  const title = `${plural(n, 'job')} degraded within ${windowMinutes} min`;
  const blocks: Block[] = [header(`:warning: ${title}`)];
  const cause = sharedCause(rows);
  if (cause) {
    const span = Math.round((cause.to - cause.from) / 60_000);
    blocks.push(
      section(
        `*Likely a shared cause:* the degradations of ${cause.jobs.length === n ? `all ${n}` : `${cause.jobs.length} of the ${n}`} jobs began within ${span} min of each other (${utc(cause.from)} – ${utc(cause.to)}). Look upstream first — a late or changed source, the account's capacity, a platform incident — and triage one of them before the rest.`,
      ),
    );
  }
  const p = progress(rows);
  if (p) blocks.push(section(p));
  for (const r of rows.slice(0, LISTED))
    blocks.push(
      section(row(r), { blockId: `medic-group-${r.job}`.slice(0, 255), accessory: triageNowButton(r.job) }),
    );
  if (n > LISTED) blocks.push(section(moreLine(rows.slice(LISTED))));
  blocks.push(
    context(
      `Each job's own alert is folded into this message while the storm lasts; the monitor keeps evaluating every job and updates this list. Triages started here report on this message, each full report in its thread.`,
    ),
  );
  // The notification text names the jobs up to Slack's 3,000 characters, and counts the rest.
  let text = `${title}: `;
  let named = 0;
  for (const r of rows) {
    const add = (named ? ', ' : '') + escapeMrkdwn(r.job);
    if (text.length + add.length > 2900) break;
    text += add;
    named += 1;
  }
  if (named < n) text += ` and ${n - named} more`;
  return { text, blocks };
}
