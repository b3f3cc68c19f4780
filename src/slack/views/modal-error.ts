// The answer to a modal submission the bot cannot act on (its private_metadata unreadable, its job's
// platform gone): an error shown in the modal itself (response_action: errors on its first input
// block), never a modal that closes as if it had worked. A modal with no input block is replaced
// by one that says what went wrong.
import type { ViewOutput } from '@slack/bolt';

export const UNREADABLE_MODAL =
  'This form is out of date or was changed, so nothing was started. Close it and run the command again.';

export function modalError(view: Pick<ViewOutput, 'blocks'> | undefined, message: string) {
  const blocks = (Array.isArray(view?.blocks) ? view.blocks : []) as { type?: string; block_id?: string }[];
  const input = blocks.find((b) => b?.type === 'input' && typeof b.block_id === 'string')?.block_id;
  if (input) return { response_action: 'errors' as const, errors: { [input]: message.slice(0, 150) } };
  return {
    response_action: 'update' as const,
    view: {
      type: 'modal' as const,
      title: { type: 'plain_text' as const, text: 'Pipeline Medic' },
      close: { type: 'plain_text' as const, text: 'Close' },
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `:warning: ${message}` } }],
    },
  };
}
