// Block Kit limits Slack enforces (REFERENCE.md, Slack section). Slack refuses a message or a view
// that breaks one with `invalid_blocks`; the fake does the same, so a renderer that grows past a
// limit fails in tests, not in production.

export type Surface = 'message' | 'modal';

const MAX_BLOCKS: Record<Surface, number> = { message: 50, modal: 100 };

interface TextObj {
  type?: unknown;
  text?: unknown;
}

function textOf(t: unknown): string | undefined {
  if (t && typeof t === 'object' && typeof (t as TextObj).text === 'string')
    return (t as TextObj).text as string;
  return undefined;
}

function check(errors: string[], cond: boolean, message: string): void {
  if (!cond) errors.push(message);
}

function checkText(errors: string[], t: unknown, max: number, where: string, plainOnly = false): void {
  if (t === undefined) return;
  const s = textOf(t);
  if (s === undefined) {
    errors.push(`${where} must be a text object`);
    return;
  }
  const type = (t as TextObj).type;
  check(errors, type === 'plain_text' || (!plainOnly && type === 'mrkdwn'), `${where} has invalid text type`);
  check(errors, s.length >= 1, `${where} must not be empty`);
  check(errors, s.length <= max, `${where} must be at most ${max} characters`);
}

function checkOptions(errors: string[], options: unknown, max: number, where: string): void {
  if (options === undefined) return;
  if (!Array.isArray(options)) {
    errors.push(`${where} must be an array`);
    return;
  }
  check(errors, options.length <= max, `${where} must have at most ${max} items`);
  options.forEach((o: Record<string, unknown>, i) => {
    checkText(errors, o?.text, 75, `${where}[${i}].text`);
    check(
      errors,
      typeof o?.value === 'string' && o.value.length <= 150,
      `${where}[${i}].value must be a string of at most 150 characters`,
    );
  });
}

function checkElement(errors: string[], el: Record<string, unknown>, where: string): void {
  if (typeof el.action_id === 'string') {
    check(errors, el.action_id.length <= 255, `${where}.action_id must be at most 255 characters`);
  }
  switch (el.type) {
    case 'button':
      checkText(errors, el.text, 75, `${where}.text`, true);
      if (el.value !== undefined)
        check(errors, String(el.value).length <= 2000, `${where}.value must be at most 2000 characters`);
      if (el.url !== undefined)
        check(errors, String(el.url).length <= 3000, `${where}.url must be at most 3000 characters`);
      break;
    case 'checkboxes':
      checkOptions(errors, el.options, 10, `${where}.options`);
      break;
    case 'static_select':
    case 'multi_static_select':
      checkOptions(errors, el.options, 100, `${where}.options`);
      break;
    case 'overflow':
      checkOptions(errors, el.options, 5, `${where}.options`);
      break;
    case 'radio_buttons':
      checkOptions(errors, el.options, 10, `${where}.options`);
      break;
    default:
  }
  const confirm = el.confirm as Record<string, unknown> | undefined;
  if (confirm) {
    checkText(errors, confirm.title, 100, `${where}.confirm.title`, true);
    checkText(errors, confirm.text, 300, `${where}.confirm.text`);
    checkText(errors, confirm.confirm, 30, `${where}.confirm.confirm`, true);
    checkText(errors, confirm.deny, 30, `${where}.confirm.deny`, true);
  }
}

/** Slack's own validation of `blocks`, reduced to the limits the bot can hit. [] when valid. */
export function validateBlocks(blocks: unknown, surface: Surface = 'message'): string[] {
  const errors: string[] = [];
  if (!Array.isArray(blocks)) return ['blocks must be an array'];
  check(
    errors,
    blocks.length <= MAX_BLOCKS[surface],
    `no more than ${MAX_BLOCKS[surface]} items allowed [json-pointer:/blocks]`,
  );
  const blockIds = new Set<string>();
  blocks.forEach((raw: unknown, i) => {
    const where = `/blocks/${i}`;
    if (!raw || typeof raw !== 'object') {
      errors.push(`${where} must be an object`);
      return;
    }
    const b = raw as Record<string, unknown>;
    if (typeof b.block_id === 'string') {
      check(errors, b.block_id.length <= 255, `${where}/block_id must be at most 255 characters`);
      check(errors, !blockIds.has(b.block_id), `${where}/block_id is not unique`);
      blockIds.add(b.block_id);
    }
    switch (b.type) {
      case 'section': {
        checkText(errors, b.text, 3000, `${where}/text`);
        const fields = b.fields;
        if (fields !== undefined) {
          if (!Array.isArray(fields)) errors.push(`${where}/fields must be an array`);
          else {
            check(errors, fields.length <= 10, `${where}/fields must have at most 10 items`);
            fields.forEach((f, j) => checkText(errors, f, 2000, `${where}/fields/${j}`));
          }
        }
        check(errors, b.text !== undefined || fields !== undefined, `${where} needs text or fields`);
        if (b.accessory && typeof b.accessory === 'object') {
          checkElement(errors, b.accessory as Record<string, unknown>, `${where}/accessory`);
        }
        break;
      }
      case 'header':
        check(errors, b.text !== undefined, `${where}/text is required`);
        checkText(errors, b.text, 150, `${where}/text`, true);
        break;
      case 'actions': {
        const els = Array.isArray(b.elements) ? (b.elements as Record<string, unknown>[]) : [];
        check(errors, els.length >= 1 && els.length <= 25, `${where}/elements must have 1 to 25 items`);
        const actionIds = new Set<string>();
        els.forEach((el, j) => {
          checkElement(errors, el, `${where}/elements/${j}`);
          if (typeof el.action_id === 'string') {
            check(errors, !actionIds.has(el.action_id), `${where}/elements/${j}/action_id is not unique`);
            actionIds.add(el.action_id);
          }
        });
        break;
      }
      case 'context': {
        const els = Array.isArray(b.elements) ? b.elements : [];
        check(errors, els.length >= 1 && els.length <= 10, `${where}/elements must have 1 to 10 items`);
        break;
      }
      case 'image':
        check(
          errors,
          typeof b.alt_text === 'string' && b.alt_text.length <= 2000,
          `${where}/alt_text is required`,
        );
        check(
          errors,
          typeof b.image_url === 'string' || (b.slack_file !== undefined && typeof b.slack_file === 'object'),
          `${where} needs image_url or slack_file`,
        );
        break;
      case 'input':
        checkText(errors, b.label, 2000, `${where}/label`, true);
        if (b.element && typeof b.element === 'object') {
          checkElement(errors, b.element as Record<string, unknown>, `${where}/element`);
        }
        break;
      case 'divider':
      case 'table':
      case 'context_actions':
      case 'rich_text':
      case 'markdown':
      case 'file':
      case 'video':
        break;
      default:
        errors.push(`${where}/type "${String(b.type)}" is not a known block type`);
    }
  });
  return errors;
}
