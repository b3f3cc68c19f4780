// Block Kit builders that keep to Slack's limits whatever the data: texts are cut (with an
// ellipsis) at the limit instead of making Slack refuse the whole message.
import type { KnownBlock } from '@slack/web-api';
import { truncate } from '../mrkdwn.js';

export type Block = Record<string, unknown>;

/** Our builders keep to the shapes Slack accepts; this only tells the Web API client's types so. */
export function slackBlocks(blocks: Block[]): KnownBlock[] {
  return blocks as unknown as KnownBlock[];
}

export const LIMITS = {
  blocksPerMessage: 50,
  sectionText: 3000,
  fieldText: 2000,
  fields: 10,
  header: 150,
  buttonText: 75,
  buttonValue: 2000,
  contextElements: 10,
  actionsElements: 25,
  checkboxOptions: 10,
  optionText: 75,
  fallbackText: 3000,
} as const;

const plain = (text: string, max: number) => ({
  type: 'plain_text',
  text: truncate(text || ' ', max),
  emoji: true,
});
const mrkdwn = (text: string, max: number) => ({ type: 'mrkdwn', text: truncate(text || ' ', max) });

export function header(text: string): Block {
  return { type: 'header', text: plain(text, LIMITS.header) };
}

export function section(
  text: string,
  extra: { fields?: string[]; blockId?: string; accessory?: Block } = {},
): Block {
  return {
    type: 'section',
    ...(extra.blockId ? { block_id: extra.blockId } : {}),
    text: mrkdwn(text, LIMITS.sectionText),
    ...(extra.fields?.length
      ? { fields: extra.fields.slice(0, LIMITS.fields).map((f) => mrkdwn(f, LIMITS.fieldText)) }
      : {}),
    ...(extra.accessory ? { accessory: extra.accessory } : {}),
  };
}

export function fields(items: string[]): Block {
  return { type: 'section', fields: items.slice(0, LIMITS.fields).map((f) => mrkdwn(f, LIMITS.fieldText)) };
}

export function context(...texts: string[]): Block {
  return { type: 'context', elements: texts.slice(0, LIMITS.contextElements).map((t) => mrkdwn(t, 2000)) };
}

export function divider(): Block {
  return { type: 'divider' };
}

export function button(opts: {
  text: string;
  actionId: string;
  value?: string;
  style?: 'primary' | 'danger';
  url?: string;
  confirm?: { title: string; text: string; confirm: string; deny: string };
}): Block {
  return {
    type: 'button',
    action_id: opts.actionId,
    text: plain(opts.text, LIMITS.buttonText),
    ...(opts.value !== undefined ? { value: opts.value.slice(0, LIMITS.buttonValue) } : {}),
    ...(opts.style ? { style: opts.style } : {}),
    ...(opts.url ? { url: opts.url } : {}),
    ...(opts.confirm
      ? {
          confirm: {
            title: plain(opts.confirm.title, 100),
            text: mrkdwn(opts.confirm.text, 300),
            confirm: plain(opts.confirm.confirm, 30),
            deny: plain(opts.confirm.deny, 30),
          },
        }
      : {}),
  };
}

export function actions(elements: Block[], blockId?: string): Block {
  return {
    type: 'actions',
    ...(blockId ? { block_id: blockId } : {}),
    elements: elements.slice(0, LIMITS.actionsElements),
  };
}

export function image(url: string, alt: string, title?: string): Block {
  return {
    type: 'image',
    image_url: url,
    alt_text: truncate(alt, 2000),
    ...(title ? { title: plain(title, 2000) } : {}),
  };
}

/** Keep a message within 50 blocks: the tail is replaced by a note pointing at the thread. */
export function capBlocks(blocks: Block[], note = '_More in the thread._'): Block[] {
  if (blocks.length <= LIMITS.blocksPerMessage) return blocks;
  return [...blocks.slice(0, LIMITS.blocksPerMessage - 1), context(note)];
}

/** Split long mrkdwn into section-sized chunks on line boundaries. */
export function chunkLines(lines: string[], max: number = LIMITS.sectionText): string[] {
  const chunks: string[] = [];
  let cur = '';
  for (const line of lines) {
    const l = truncate(line, max);
    if (cur && cur.length + 1 + l.length > max) {
      chunks.push(cur);
      cur = l;
    } else cur = cur ? `${cur}\n${l}` : l;
  }
  if (cur) chunks.push(cur);
  return chunks;
}
