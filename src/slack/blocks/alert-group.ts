// The storm message: one message listing every job that became DEGRADED or FAILING within the
// group window in a channel, each with its "Triage now" button, and the shared-cause hint when
// their degradations started together. Updated in place as more jobs arrive.
import { code, escapeMrkdwn } from '../mrkdwn.js';
import { context, header, section, type Block } from './kit.js';
import { plural } from '../../domain/format.js';
import { sharedCause, type GroupEntry } from '../../domain/alert-group.js';
import { triageNowButton, type RenderedMessage } from './monitor-alert.js';

/** Jobs listed one block each (each its own button); the rest are named in one line. */
const LISTED = 40;

const ICON = { DEGRADED: ':red_circle:', FAILING: ':rotating_light:' } as const;

function utc(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

export function renderAlertGroup(entries: readonly GroupEntry[], windowMinutes: number): RenderedMessage {
  const n = entries.length;
  const title = `${plural(n, 'job')} degraded within ${windowMinutes} min`;
  const blocks: Block[] = [header(`:warning: ${title}`)];
  const cause = sharedCause(entries);
  if (cause) {
    const span = Math.round((cause.to - cause.from) / 60_000);
    blocks.push(
      section(
        `*Likely a shared cause:* the degradations of ${cause.jobs.length === n ? `all ${n}` : `${cause.jobs.length} of the ${n}`} jobs began within ${span} min of each other (${utc(cause.from)} – ${utc(cause.to)}). Look upstream first — a late or changed source, the account's capacity, a platform incident — and triage one of them before the rest.`,
      ),
    );
  }
  const listed = entries.slice(0, LISTED);
  for (const e of listed)
    blocks.push(
      section(
        `${ICON[e.verdict]} ${code(e.job)} *${e.verdict}* · ${escapeMrkdwn(e.size)} · since ${utc(e.since)}`,
        {
          accessory: triageNowButton(e.job),
        },
      ),
    );
  if (entries.length > LISTED)
    blocks.push(
      section(
        `…and ${entries.length - LISTED} more: ${entries
          .slice(LISTED)
          .map((e) => code(e.job))
          .join(', ')}`,
      ),
    );
  blocks.push(
    context(
      `Each job's own alert is folded into this message while the storm lasts; the monitor keeps evaluating every job and updates this list.`,
    ),
  );
  const names = entries.map((e) => e.job).join(', ');
  return { text: `${title}: ${names}`.slice(0, 3000), blocks };
}
