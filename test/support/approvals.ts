// The approval flow as a person goes through it, for the tests and bench/chaos.ts: submit a modal
// keeping its prefilled values, then wait for the approval request the submission posts and read
// its Approve button's value (the approval id).
import type { FakeSlack } from './fake-slack/index.js';
import type { FakeMessage } from './fake-slack/types.js';
import { waitFor } from './wait.js';
import type { TestMedic } from './medic.js';
import { IncidentStore } from '../../src/store/incidents.js';

/** A modal as views.open received it. */
export type ModalView = { callback_id: string; private_metadata: string; blocks: Record<string, unknown>[] };
/** view_submission state values: block_id → action_id → value. */
export type ModalValues = Record<string, Record<string, Record<string, unknown>>>;

/** A message's blocks and text, one string to match against. */
export const messageText = (m: FakeMessage | undefined): string =>
  JSON.stringify(m?.blocks ?? []) + '\n' + (m?.text ?? '');

/** What the user submits when they keep every prefilled value (then `change` applies, per block_id). */
export function prefilled(
  view: { blocks: Record<string, unknown>[] },
  change: Record<string, Record<string, unknown>> = {},
): ModalValues {
  const values: ModalValues = {};
  for (const b of view.blocks) {
    if (b.type !== 'input') continue;
    const el = b.element as Record<string, unknown>;
    const id = b.block_id as string;
    let v: Record<string, unknown>;
    switch (el.type) {
      case 'plain_text_input':
        v = { type: el.type, value: (el.initial_value as string | undefined) ?? null };
        break;
      case 'static_select':
      case 'radio_buttons':
        v = { type: el.type, selected_option: el.initial_option ?? null };
        break;
      case 'checkboxes':
        v = { type: el.type, selected_options: el.initial_options ?? [] };
        break;
      case 'users_select':
        v = { type: el.type, selected_user: el.initial_user ?? null };
        break;
      default:
        v = { type: el.type };
    }
    values[id] = { [el.action_id as string]: { ...v, ...change[id] } };
  }
  return values;
}

/** The value of the button `actionId` in a message's actions blocks. */
export function buttonValue(m: FakeMessage | undefined, actionId: string): string | undefined {
  for (const b of (m?.blocks ?? []) as {
    type?: string;
    elements?: { action_id?: string; value?: string }[];
  }[]) {
    if (b.type !== 'actions') continue;
    const el = b.elements?.find((e) => e.action_id === actionId);
    if (el) return el.value;
  }
  return undefined;
}

/**
 * The approval request a submission with `reason` posted in `channel` (waited for), and the value
 * of its Approve button: the approval id.
 */
export async function approvalRequest(
  slack: FakeSlack,
  channel: string,
  reason: string,
  opts: { what?: string; timeoutMs?: number } = {},
): Promise<{ message: FakeMessage; approvalId: string | undefined }> {
  const message = await waitFor(
    opts.what ?? 'the approval request',
    () => slack.topLevel(channel).find((m) => messageText(m).includes(reason)),
    opts.timeoutMs,
  );
  return { message, approvalId: buttonValue(message, 'medic.mitigation.approve') };
}

/**
 * An open incident for `job` in `channel` (staging, Glue), the channel created with `members` and
 * the first member as commander; returns its id.
 */
export async function openIncidentFor(
  t: TestMedic,
  channel: string,
  job: string,
  members: string[],
): Promise<string> {
  t.slack.addChannel({ id: channel, name: channel.toLowerCase(), members });
  const { incident } = await new IncidentStore(t.medic.state, t.prefix).openForChannel(channel, {
    title: `${job} degradation`,
    job,
    provider: 'glue',
    env: 'staging',
    commander: members[0]!,
  });
  return incident.id;
}
