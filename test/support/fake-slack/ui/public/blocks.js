// Block Kit → DOM. A surface (a message or a modal) keeps the current value of each of its
// interactive elements, so a click sends `state.values` the way Slack does.
import { h, localImage, safeHref } from './dom.js';
import { renderInline, renderPlain, renderText } from './mrkdwn.js';
import { emojiChar } from './emoji.js';

/**
 * A surface: `values` holds getters (block_id → action_id → () => state value); `act(action)`
 * sends a block action; `confirm(obj)` resolves true when a person confirms a dialog.
 */
export function newSurface({ act, confirm }) {
  return { getters: new Map(), act, confirm, errors: {} };
}

export function surfaceState(surface) {
  const values = {};
  for (const [blockId, actions] of surface.getters) {
    values[blockId] = {};
    for (const [actionId, get] of actions) values[blockId][actionId] = get();
  }
  return values;
}

function track(surface, blockId, actionId, get) {
  if (!actionId) return;
  if (!surface.getters.has(blockId)) surface.getters.set(blockId, new Map());
  surface.getters.get(blockId).set(actionId, get);
}

const optionJson = (o) =>
  o ? { text: o.text, value: o.value, ...(o.description ? { description: o.description } : {}) } : null;
const sameOption = (a, b) => a && b && a.value === b.value;

export function renderBlocks(blocks, ctx, surface) {
  const wrap = h('div', { className: 'blocks' });
  (blocks ?? []).forEach((b, i) => {
    const blockId = b.block_id ?? `b${i}`;
    let el;
    try {
      el = renderBlock(b, blockId, ctx, surface);
    } catch (err) {
      el = h(
        'div',
        { className: 'block-unsupported' },
        `[block ${b.type} could not be shown: ${err.message}]`,
      );
    }
    if (el) {
      el.dataset.blockId = blockId;
      el.classList.add('block', `block-${b.type}`);
      wrap.append(el);
    }
  });
  return wrap;
}

function renderBlock(b, blockId, ctx, surface) {
  switch (b.type) {
    case 'header':
      return h('div', {}, renderPlain(b.text?.text, b.text?.emoji !== false));
    case 'divider':
      return h('hr');
    case 'section': {
      const main = h('div', { className: 'section-main' });
      if (b.text) main.append(h('div', { className: 'section-text' }, renderText(b.text, ctx)));
      if (b.fields?.length)
        main.append(
          h(
            'div',
            { className: 'section-fields' },
            b.fields.map((f) => h('div', { className: 'field' }, renderText(f, ctx))),
          ),
        );
      const el = h('div', {}, main);
      if (b.accessory)
        el.append(h('div', { className: 'accessory' }, renderElement(b.accessory, blockId, ctx, surface)));
      return el;
    }
    case 'context':
      return h(
        'div',
        {},
        (b.elements ?? []).map((e) =>
          e.type === 'image'
            ? imageEl(e.image_url ?? e.slack_file?.url, e.alt_text, 'context-image')
            : h('span', { className: 'context-el' }, renderText(e, ctx)),
        ),
      );
    case 'image': {
      const el = h('figure', {});
      if (b.title) el.append(h('figcaption', {}, renderPlain(b.title.text, b.title.emoji !== false)));
      el.append(
        imageEl(b.image_url ?? b.slack_file?.url ?? b.slack_file?.url_private, b.alt_text, 'block-img'),
      );
      return el;
    }
    case 'actions':
      return h(
        'div',
        {},
        (b.elements ?? []).map((e) => renderElement(e, blockId, ctx, surface)),
      );
    case 'input': {
      const err = surface.errors?.[blockId];
      return h(
        'div',
        { className: err ? 'has-error' : '' },
        h(
          'label',
          { className: 'input-label' },
          renderPlain(b.label?.text, b.label?.emoji !== false),
          b.optional ? h('span', { className: 'optional' }, ' (optional)') : null,
        ),
        renderElement(b.element, blockId, ctx, surface, { input: true }),
        b.hint ? h('div', { className: 'input-hint' }, renderPlain(b.hint.text)) : null,
        err ? h('div', { className: 'input-error', attrs: { role: 'alert' } }, err) : null,
      );
    }
    case 'rich_text':
      return h(
        'div',
        {},
        (b.elements ?? []).map((e) => richText(e, ctx)),
      );
    case 'file':
      return h('div', { className: 'file-chip' }, '📄 ', b.external_id ?? 'file');
    default:
      return h('div', { className: 'block-unsupported' }, `[${b.type} block]`);
  }
}

function imageEl(url, alt, className) {
  const src = url ? localImage(url) : undefined;
  if (!src)
    return h(
      'div',
      { className: `${className} image-placeholder`, title: url ?? '' },
      `🖼 ${alt ?? 'image'} (not loaded: outside the sandbox)`,
    );
  return h('img', { className, src, alt: alt ?? '', loading: 'lazy' });
}

function richText(e, ctx) {
  const inline = (parent, elements) => {
    for (const x of elements ?? []) {
      let node;
      if (x.type === 'text') {
        node = document.createTextNode(x.text);
        if (x.style?.code) node = h('code', { className: 'md-code' }, x.text);
        if (x.style?.bold) node = h('b', {}, node);
        if (x.style?.italic) node = h('i', {}, node);
        if (x.style?.strike) node = h('s', {}, node);
      } else if (x.type === 'link') {
        const href = safeHref(x.url);
        node = href
          ? h('a', { href, target: '_blank', rel: 'noopener noreferrer' }, x.text ?? x.url)
          : document.createTextNode(x.text ?? x.url);
      } else if (x.type === 'emoji')
        node = h('span', { className: 'emoji' }, emojiChar(x.name) ?? `:${x.name}:`);
      else if (x.type === 'user')
        node = h('span', { className: 'mention' }, `@${ctx.user(x.user_id)?.name ?? x.user_id}`);
      else if (x.type === 'usergroup')
        node = h('span', { className: 'mention' }, `@${ctx.group(x.usergroup_id)?.handle ?? x.usergroup_id}`);
      else if (x.type === 'channel')
        node = h('span', { className: 'mention' }, `#${ctx.channel(x.channel_id)?.name ?? x.channel_id}`);
      else if (x.type === 'broadcast') node = h('span', { className: 'mention' }, `@${x.range}`);
      else node = document.createTextNode('');
      parent.append(node);
    }
    return parent;
  };
  switch (e.type) {
    case 'rich_text_section':
      return inline(h('div', { className: 'rt-section' }), e.elements);
    case 'rich_text_preformatted':
      return inline(h('pre', { className: 'md-pre' }), e.elements);
    case 'rich_text_quote':
      return inline(h('blockquote', { className: 'md-quote' }), e.elements);
    case 'rich_text_list':
      return h(
        e.style === 'ordered' ? 'ol' : 'ul',
        { className: 'rt-list' },
        (e.elements ?? []).map((s) => inline(h('li'), s.elements)),
      );
    default:
      return h('div');
  }
}

function optionLabel(o) {
  return o?.text?.text ?? o?.value ?? '';
}

function renderElement(e, blockId, ctx, surface, opts = {}) {
  if (!e) return h('span');
  const send = (action) => surface.act({ ...action, block_id: blockId });
  switch (e.type) {
    case 'button': {
      const href = e.url ? safeHref(e.url) : undefined;
      const btn = h(
        'button',
        {
          className: `btn${e.style === 'primary' ? ' btn-primary' : e.style === 'danger' ? ' btn-danger' : ''}`,
          type: 'button',
          dataset: { actionId: e.action_id ?? '' },
          title: e.accessibility_label ?? '',
          onclick: async () => {
            if (e.confirm && !(await surface.confirm(e.confirm, e.style))) return;
            if (href) window.open(href, '_blank', 'noopener');
            btn.disabled = true;
            try {
              await send({
                type: 'button',
                action_id: e.action_id,
                text: e.text,
                ...(e.value !== undefined ? { value: e.value } : {}),
              });
            } finally {
              btn.disabled = false;
            }
          },
        },
        renderPlain(e.text?.text, e.text?.emoji !== false),
      );
      return btn;
    }
    case 'static_select':
    case 'external_select': {
      const groups = e.option_groups ?? [{ options: e.options ?? [] }];
      const all = groups.flatMap((g) => g.options ?? []);
      const sel = h('select', { className: 'select', dataset: { actionId: e.action_id ?? '' } });
      sel.append(
        h(
          'option',
          { value: '', disabled: true, selected: !e.initial_option },
          e.placeholder?.text ?? 'Select an option',
        ),
      );
      for (const g of groups) {
        const parent = g.label ? h('optgroup', { label: g.label.text }) : sel;
        for (const o of g.options ?? [])
          parent.append(
            h('option', { value: o.value, selected: sameOption(o, e.initial_option) }, optionLabel(o)),
          );
        if (parent !== sel) sel.append(parent);
      }
      const current = () => optionJson(all.find((o) => o.value === sel.value));
      track(surface, blockId, e.action_id, () => ({ type: 'static_select', selected_option: current() }));
      sel.addEventListener('change', async () => {
        if (opts.input && !e.dispatch_action) return;
        if (e.confirm && !(await surface.confirm(e.confirm))) return;
        await send({ type: 'static_select', action_id: e.action_id, selected_option: current() });
      });
      return sel;
    }
    case 'users_select':
    case 'conversations_select':
    case 'channels_select': {
      // The workspace's people (or channels), like Slack's pickers.
      const users = e.type === 'users_select';
      const items = users
        ? ctx
            .users()
            .filter((u) => !u.isBot && !u.deleted)
            .map((u) => [u.id, `${u.realName} (@${u.name})`])
        : ctx
            .channels()
            .filter((c) => !c.isIm)
            .map((c) => [c.id, `#${c.name}`]);
      const initial = users ? e.initial_user : (e.initial_conversation ?? e.initial_channel);
      const sel = h('select', { className: 'select', dataset: { actionId: e.action_id ?? '' } });
      sel.append(
        h(
          'option',
          { value: '', disabled: true, selected: !initial },
          e.placeholder?.text ?? (users ? 'Select a person' : 'Select a channel'),
        ),
      );
      for (const [id, label] of items)
        sel.append(h('option', { value: id, selected: id === initial }, label));
      const key = users
        ? 'selected_user'
        : e.type === 'channels_select'
          ? 'selected_channel'
          : 'selected_conversation';
      track(surface, blockId, e.action_id, () => ({ type: e.type, [key]: sel.value || null }));
      return sel;
    }
    case 'multi_static_select': {
      const all = (e.option_groups ?? [{ options: e.options ?? [] }]).flatMap((g) => g.options ?? []);
      const sel = h('select', { className: 'select', multiple: true, size: Math.min(6, all.length) });
      for (const o of all)
        sel.append(
          h(
            'option',
            { value: o.value, selected: (e.initial_options ?? []).some((i) => sameOption(i, o)) },
            optionLabel(o),
          ),
        );
      const current = () =>
        [...sel.selectedOptions].map((so) => optionJson(all.find((o) => o.value === so.value)));
      track(surface, blockId, e.action_id, () => ({
        type: 'multi_static_select',
        selected_options: current(),
      }));
      return sel;
    }
    case 'checkboxes':
    case 'radio_buttons': {
      const radio = e.type === 'radio_buttons';
      const name = `${blockId}-${e.action_id}-${Math.random().toString(36).slice(2)}`;
      const inputs = [];
      const box = h('div', {
        className: radio ? 'radios' : 'checkboxes',
        attrs: { role: radio ? 'radiogroup' : 'group' },
      });
      const current = () => inputs.filter(([i]) => i.checked).map(([, o]) => optionJson(o));
      const onChange = async () => {
        if (opts.input && !e.dispatch_action) return;
        if (radio)
          await send({
            type: 'radio_buttons',
            action_id: e.action_id,
            selected_option: current()[0] ?? null,
          });
        else await send({ type: 'checkboxes', action_id: e.action_id, selected_options: current() });
      };
      for (const o of e.options ?? []) {
        const checked = radio
          ? sameOption(o, e.initial_option)
          : (e.initial_options ?? []).some((i) => sameOption(i, o));
        const input = h('input', {
          type: radio ? 'radio' : 'checkbox',
          name,
          value: o.value,
          checked,
          onchange: onChange,
        });
        inputs.push([input, o]);
        box.append(
          h(
            'label',
            { className: 'option' },
            input,
            h(
              'span',
              { className: 'option-text' },
              h('span', { className: 'option-label' }, renderText(o.text, ctx)),
              o.description ? h('span', { className: 'option-desc' }, renderText(o.description, ctx)) : null,
            ),
          ),
        );
      }
      track(surface, blockId, e.action_id, () =>
        radio
          ? { type: 'radio_buttons', selected_option: current()[0] ?? null }
          : { type: 'checkboxes', selected_options: current() },
      );
      return box;
    }
    case 'overflow': {
      const menu = h('div', { className: 'overflow-menu', hidden: true });
      const btn = h(
        'button',
        {
          className: 'btn btn-overflow',
          type: 'button',
          title: 'More actions',
          onclick: () => (menu.hidden = !menu.hidden),
        },
        '⋮',
      );
      for (const o of e.options ?? []) {
        menu.append(
          h(
            'button',
            {
              type: 'button',
              className: 'overflow-item',
              onclick: async () => {
                menu.hidden = true;
                if (e.confirm && !(await surface.confirm(e.confirm))) return;
                await send({ type: 'overflow', action_id: e.action_id, selected_option: optionJson(o) });
              },
            },
            renderPlain(o.text?.text),
          ),
        );
      }
      return h('span', { className: 'overflow' }, btn, menu);
    }
    case 'plain_text_input':
    case 'email_text_input':
    case 'url_text_input':
    case 'number_input': {
      const input = e.multiline
        ? h('textarea', { className: 'text-input', rows: 4 })
        : h('input', {
            className: 'text-input',
            type:
              e.type === 'number_input'
                ? 'number'
                : e.type === 'email_text_input'
                  ? 'email'
                  : e.type === 'url_text_input'
                    ? 'url'
                    : 'text',
          });
      input.placeholder = e.placeholder?.text ?? '';
      input.value = e.initial_value ?? '';
      if (e.max_length) input.maxLength = e.max_length;
      track(surface, blockId, e.action_id, () => ({
        type: e.type,
        value: input.value === '' ? null : input.value,
      }));
      return input;
    }
    case 'datepicker': {
      const input = h('input', { className: 'text-input', type: 'date', value: e.initial_date ?? '' });
      track(surface, blockId, e.action_id, () => ({
        type: 'datepicker',
        selected_date: input.value || null,
      }));
      return input;
    }
    case 'image':
      return imageEl(e.image_url ?? e.slack_file?.url, e.alt_text, 'accessory-image');
    default:
      return h('span', { className: 'block-unsupported' }, `[${e.type}]`);
  }
}

/** Legacy attachments: a colour bar with text, fields and blocks. */
export function renderAttachments(attachments, ctx, surface) {
  return h(
    'div',
    { className: 'attachments' },
    (attachments ?? []).map((a) => {
      const el = h('div', { className: 'attachment' });
      if (a.color)
        el.style.borderLeftColor = /^#?[0-9a-f]{3,8}$/i.test(a.color)
          ? a.color.startsWith('#')
            ? a.color
            : `#${a.color}`
          : a.color === 'danger'
            ? '#e01e5a'
            : a.color === 'warning'
              ? '#ecb22e'
              : a.color === 'good'
                ? '#2eb67d'
                : '#ddd';
      if (a.title) el.append(h('div', { className: 'attachment-title' }, renderInline(h('b'), a.title, ctx)));
      if (a.text) el.append(h('div', {}, renderText({ type: 'mrkdwn', text: a.text }, ctx)));
      if (a.fields?.length)
        el.append(
          h(
            'div',
            { className: 'section-fields' },
            a.fields.map((f) =>
              h(
                'div',
                { className: 'field' },
                h('b', {}, f.title ?? ''),
                h('div', {}, renderText({ type: 'mrkdwn', text: f.value ?? '' }, ctx)),
              ),
            ),
          ),
        );
      if (a.blocks) el.append(renderBlocks(a.blocks, ctx, surface));
      if (a.footer) el.append(h('div', { className: 'block-context' }, a.footer));
      return el;
    }),
  );
}
