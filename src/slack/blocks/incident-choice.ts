// The questions an incident channel asks when it holds another job's incident, or several: a
// triage of a new job there ("Add to INC-…" / "Open a new incident"), an `/incident …` command
// that could be about more than one incident, and the "Declare anyway" of a report that opened
// none. Pure: model in, blocks out; every user or cloud string escaped.
import type { Incident } from '../../store/incidents.js';
import { jobsOf } from '../../store/incidents.js';
import { verdictLabel } from '../../domain/format.js';
import { code, escapeMrkdwn } from '../mrkdwn.js';
import { actions, button, context, section, type Block } from './kit.js';

export const TRIAGE_ADD_ACTION_ID = 'medic.incident.triage-add';
export const TRIAGE_NEW_ACTION_ID = 'medic.incident.triage-new';
export const DECLARE_ANYWAY_ACTION_ID = 'medic.incident.declare-anyway';

/** At most this many "Add to INC-…" buttons (the newest open incidents). */
const MAX_ADD_BUTTONS = 4;

/** "INC-20261201-3 (`MyJob`, `SkewJob`)": an incident by its id and jobs. */
export function incidentLabel(i: Pick<Incident, 'id' | 'job' | 'jobs' | 'title'>): string {
  const jobs = jobsOf(i);
  return `*${escapeMrkdwn(i.id)}* (${jobs.length ? jobs.map(code).join(', ') : escapeMrkdwn(i.title)})`;
}

/** The ephemeral question of `/triage <job>` in a channel with other jobs' open incidents. */
export function renderTriageQuestion(
  job: string,
  open: Pick<Incident, 'id' | 'job' | 'jobs' | 'title'>[],
  askId: string,
): { text: string; blocks: Block[] } {
  const shown = open.slice(0, MAX_ADD_BUTTONS);
  const which =
    open.length === 1
      ? `an open incident, ${incidentLabel(open[0]!)}`
      : `${open.length} open incidents: ${open.map(incidentLabel).join(', ')}`;
  const text = `This channel has ${which}. Is the triage of ${code(job)} part of it?`;
  return {
    text: `:question: ${text}`,
    blocks: [
      section(`:question: ${text}`),
      actions(
        [
          ...shown.map((i) =>
            button({
              text: `Add to ${i.id}`,
              actionId: shown.length === 1 ? TRIAGE_ADD_ACTION_ID : `${TRIAGE_ADD_ACTION_ID}.${i.id}`,
              value: `${askId}|${i.id}`,
            }),
          ),
          button({
            text: 'Open a new incident',
            actionId: TRIAGE_NEW_ACTION_ID,
            value: askId,
            style: 'primary',
          }),
        ],
        'medic-triage-incident',
      ),
      context(
        `Either way the triage runs now. "Open a new incident" opens one only if ${code(job)} is DEGRADED or FAILING.`,
      ),
    ],
  };
}

/** What the report says when its verdict opened no incident, with the button that opens one. */
export function noIncidentBlocks(verdict: string, value: string): Block[] {
  return [
    section(
      `:information_source: No incident was opened: the verdict is ${verdictLabel(verdict)}. If something is still wrong, declare one anyway.`,
    ),
    actions(
      [button({ text: 'Declare anyway', actionId: DECLARE_ANYWAY_ACTION_ID, value })],
      'medic-declare-anyway',
    ),
  ];
}

/** The ephemeral answer of `/incident <action>` in a channel with several open incidents. */
export function whichIncidentText(
  action: string,
  open: Pick<Incident, 'id' | 'job' | 'jobs' | 'title'>[],
): string {
  return [
    `:information_source: This channel has ${open.length} open incidents; say which one \`/incident ${escapeMrkdwn(action)}\` is about:`,
    ...open.map(
      (i) => `• ${incidentLabel(i)}: \`/incident ${escapeMrkdwn(action)} --incident ${escapeMrkdwn(i.id)}\``,
    ),
    'Nothing was changed.',
  ].join('\n');
}
