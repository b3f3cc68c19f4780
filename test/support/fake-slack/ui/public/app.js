// The sandbox page: a Slack-like client of the fake Slack's workspace model. It reads
// /_ui/state, follows /_ui/events (Server-Sent Events) and re-renders only what changed; what a
// person does goes to /_ui/…, where the fake turns it into the request Slack would send the app.
import { h } from './dom.js';
import { renderMrkdwn, renderPlain } from './mrkdwn.js';
import { newSurface, renderAttachments, renderBlocks, surfaceState } from './blocks.js';
import { emojiChar, QUICK_REACTIONS } from './emoji.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

const app = {
  me: params.get('as') ?? localStorage.getItem('sandbox.user') ?? 'U0ONCALL',
  channel: params.get('channel') ?? localStorage.getItem('sandbox.channel') ?? 'C0DATAOPS',
  thread: null, // { channel, ts }
  data: null,
  seen: JSON.parse(localStorage.getItem('sandbox.seen') ?? '{}'),
  rendered: new Map(), // list element → Map(key → { sig, el })
  modalKey: null,
};

// --- server -----------------------------------------------------------------------------------

async function post(route, body) {
  const res = await fetch(`/_ui/${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: app.me, ...body }),
  });
  const json = await res.json().catch(() => ({ ok: false, error: `http_${res.status}` }));
  if (!json.ok && json.error && json.error !== 'unknown_command') toast(`Slack: ${json.error}`);
  return json;
}

let refreshing = false;
let again = false;
async function refresh() {
  if (refreshing) {
    again = true;
    return;
  }
  refreshing = true;
  try {
    do {
      again = false;
      const res = await fetch(`/_ui/state?user=${encodeURIComponent(app.me)}`, { cache: 'no-store' });
      app.data = await res.json();
      render();
    } while (again);
  } catch (err) {
    toast(`Could not read the workspace: ${err.message}`);
  } finally {
    refreshing = false;
  }
}

let timer;
function scheduleRefresh() {
  clearTimeout(timer);
  timer = setTimeout(refresh, 40);
}

function connect() {
  const es = new EventSource('/_ui/events');
  const live = $('live');
  es.onopen = () => {
    live.textContent = '● live';
    live.className = 'live live-on';
    scheduleRefresh();
  };
  es.onmessage = () => scheduleRefresh();
  es.onerror = () => {
    live.textContent = '○ reconnecting…';
    live.className = 'live live-off';
  };
}

// --- lookups for mrkdwn -------------------------------------------------------------------------

const ctx = {
  get me() {
    return app.me;
  },
  user: (id) => app.data?.users.find((u) => u.id === id),
  group: (id) => app.data?.usergroups.find((g) => g.id === id),
  channel: (id) => app.data?.channels.find((c) => c.id === id),
  openChannel: (id) => openChannel(id),
  openMessage: (channel, ts) => openMessage(channel, ts),
  users: () => app.data?.users ?? [],
  channels: () => app.data?.channels ?? [],
};

function channelLabel(c) {
  if (!c.isIm) return c.name;
  const other = c.members.find((m) => m !== app.me) ?? c.members[0];
  return ctx.user(other)?.realName ?? other;
}

function visibleChannels() {
  const cs = app.data.channels.filter(
    (c) => !c.isArchived && (!c.isPrivate && !c.isIm ? true : c.members.includes(app.me)),
  );
  return cs;
}

// --- rendering --------------------------------------------------------------------------------

function render() {
  const d = app.data;
  if (!d) return;
  if (!d.channels.some((c) => c.id === app.channel)) app.channel = d.channels[0]?.id;
  renderSwitcher();
  renderSidebar();
  renderChannel();
  renderThread();
  renderModal();
}

function renderSwitcher() {
  const sel = $('user-switcher');
  const humans = app.data.users.filter((u) => !u.isBot && !u.deleted);
  const sig = humans.map((u) => u.id).join(',') + app.me;
  if (sel.dataset.sig === sig) return;
  sel.dataset.sig = sig;
  sel.replaceChildren(
    ...humans.map((u) =>
      h('option', { value: u.id, selected: u.id === app.me }, `${u.realName} (@${u.name})`),
    ),
  );
}

function topLevel(c) {
  return c.messages.filter((m) => !m.thread_ts || m.thread_ts === m.ts);
}

function renderSidebar() {
  const list = visibleChannels();
  const item = (c) => {
    const count = topLevel(c).length;
    const unread = c.id !== app.channel && count > (app.seen[c.id] ?? 0);
    const mine = c.members.includes(app.me);
    return h(
      'li',
      {},
      h(
        'a',
        {
          href: '#',
          className: `channel-link-item${c.id === app.channel ? ' active' : ''}${unread ? ' unread' : ''}${mine ? '' : ' not-member'}`,
          dataset: { channel: c.id },
          onclick: (e) => {
            e.preventDefault();
            openChannel(c.id);
          },
        },
        h('span', { className: 'hash' }, c.isIm ? '●' : c.isPrivate ? '🔒' : '#'),
        h('span', { className: 'channel-name' }, channelLabel(c)),
      ),
    );
  };
  $('channels').replaceChildren(...list.filter((c) => !c.isIm).map(item));
  $('dms').replaceChildren(...list.filter((c) => c.isIm).map(item));
}

function openChannel(id) {
  app.channel = id;
  app.thread = null;
  localStorage.setItem('sandbox.channel', id);
  for (const el of [$('messages'), $('thread-messages')]) {
    el.replaceChildren();
    app.rendered.delete(el);
  }
  render();
  $('composer-input').focus();
}

/** A permalink: the message's channel, scrolled to the message, which flashes. */
function openMessage(channel, ts) {
  if (channel !== app.channel) openChannel(channel);
  const el = $('messages').querySelector(`.message[data-ts="${CSS.escape(ts)}"]`);
  if (!el) {
    toast('That message is in a thread or no longer exists.');
    return;
  }
  el.scrollIntoView({ block: 'center' });
  el.classList.remove('flash');
  void el.offsetWidth;
  el.classList.add('flash');
}

function fmtTime(ts) {
  const d = new Date(Number(ts) * 1000);
  return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

function initials(name) {
  return name
    .split(/[\s-]+/)
    .map((p) => p[0] ?? '')
    .join('')
    .slice(0, 2)
    .toUpperCase();
}

function avatarColor(id) {
  let n = 0;
  for (const ch of id) n = (n * 31 + ch.charCodeAt(0)) >>> 0;
  return `hsl(${n % 360} 45% 45%)`;
}

/** One message (or ephemeral), its surface wired to the fake's /_ui/action. */
function renderMessage(m, { channel, ephemeral = false, inThread = false, replies = [] }) {
  const author = m.bot_id ? ctx.user(app.data.botUserId) : ctx.user(m.user);
  const isBot = Boolean(m.bot_id) || author?.isBot;
  const name = isBot ? 'Pipeline Medic' : (author?.realName ?? m.user ?? 'unknown');
  const surface = newSurface({
    act: (action) =>
      post('action', { channel, messageTs: m.ts, ephemeral, action, state: surfaceState(surface) }),
    confirm: confirmDialog,
  });
  const body = h('div', { className: 'message-body' });
  if (m.blocks?.length) body.append(renderBlocks(m.blocks, ctx, surface));
  else if (m.text) body.append(h('div', { className: 'message-text' }, renderMrkdwn(m.text, ctx)));
  if (m.attachments?.length) body.append(renderAttachments(m.attachments, ctx, surface));
  for (const f of m.files ?? []) body.append(renderFile(f));

  const avatar = h(
    'div',
    { className: `avatar${isBot ? ' avatar-bot' : ''}` },
    isBot ? '🩺' : initials(name),
  );
  // CSSOM, not a style attribute: the page's CSP allows no inline styles.
  if (!isBot) avatar.style.background = avatarColor(m.user ?? '');
  const el = h(
    'div',
    {
      className: `message${ephemeral ? ' ephemeral' : ''}`,
      dataset: { ts: m.ts, channel, ...(isBot ? { bot: 'true' } : {}) },
    },
    avatar,
    h(
      'div',
      { className: 'message-content' },
      h(
        'div',
        { className: 'message-meta' },
        h('span', { className: 'author' }, name),
        isBot ? h('span', { className: 'app-badge' }, 'APP') : null,
        h('span', { className: 'time', title: m.ts }, fmtTime(m.ts)),
        m.edited ? h('span', { className: 'edited' }, '(edited)') : null,
      ),
      body,
      ephemeral
        ? h(
            'div',
            { className: 'ephemeral-note' },
            '👁 Only visible to you · ',
            h(
              'button',
              {
                type: 'button',
                className: 'link-btn',
                onclick: () => post('dismiss', { channel, ts: m.ts }),
              },
              'Dismiss message',
            ),
          )
        : null,
      renderReactions(m, channel),
      !inThread && replies.length
        ? h(
            'button',
            { type: 'button', className: 'thread-summary', onclick: () => openThread(channel, m.ts) },
            `${replies.length} ${replies.length === 1 ? 'reply' : 'replies'}`,
            h('span', { className: 'thread-last' }, ` Last reply ${fmtTime(replies[replies.length - 1].ts)}`),
          )
        : null,
    ),
  );
  if (!ephemeral) el.append(messageToolbar(m, channel, inThread));
  return el;
}

function renderFile(f) {
  if (/^image\//.test(f.mimetype ?? '') && f.url_private?.startsWith(location.origin)) {
    return h(
      'figure',
      { className: 'file-image' },
      h('figcaption', {}, f.title ?? f.name),
      h(
        'a',
        { href: f.url_private, target: '_blank', rel: 'noopener' },
        h('img', { src: f.url_private, alt: f.alt_txt ?? f.title ?? f.name }),
      ),
    );
  }
  if (/^text\/|json$/.test(f.mimetype ?? '') && f.url_private?.startsWith(location.origin)) {
    // A text snippet (markdown, log, CSV): its content shown as text, fetched from the fake.
    const pre = h('pre', { className: 'md-pre snippet' }, 'Loading…');
    fetch(f.url_private)
      .then((r) => r.text())
      .then((t) => (pre.textContent = t))
      .catch(() => (pre.textContent = '(could not load the file)'));
    return h(
      'details',
      { className: 'snippet-file', open: true },
      h(
        'summary',
        {},
        `📄 ${f.title ?? f.name}`,
        h('span', { className: 'file-type' }, ` ${f.pretty_type ?? ''}`),
      ),
      pre,
    );
  }
  return h(
    'a',
    { className: 'file-chip', href: f.url_private, target: '_blank', rel: 'noopener' },
    `📄 ${f.title ?? f.name}`,
  );
}

function renderReactions(m, channel) {
  if (!m.reactions?.length) return null;
  return h(
    'div',
    { className: 'reactions' },
    m.reactions.map((r) => {
      const mine = r.users.includes(app.me);
      return h(
        'button',
        {
          type: 'button',
          className: `reaction${mine ? ' mine' : ''}`,
          title: `:${r.name}: by ${r.users.map((u) => ctx.user(u)?.name ?? u).join(', ')}`,
          onclick: () => post('reaction', { channel, ts: m.ts, name: r.name, remove: mine }),
        },
        emojiChar(r.name) ?? `:${r.name}:`,
        h('span', { className: 'count' }, String(r.count)),
      );
    }),
  );
}

function messageToolbar(m, channel, inThread) {
  const picker = h(
    'div',
    { className: 'reaction-picker', hidden: true },
    QUICK_REACTIONS.map((name) =>
      h(
        'button',
        {
          type: 'button',
          title: `:${name}:`,
          attrs: { 'aria-label': `React with :${name}:` },
          onclick: () => {
            picker.hidden = true;
            post('reaction', { channel, ts: m.ts, name });
          },
        },
        emojiChar(name) ?? name,
      ),
    ),
  );
  return h(
    'div',
    { className: 'toolbar' },
    h(
      'button',
      {
        type: 'button',
        className: 'icon-btn',
        title: 'Add reaction',
        attrs: { 'aria-label': 'Add reaction' },
        onclick: () => (picker.hidden = !picker.hidden),
      },
      '☺︎+',
    ),
    inThread
      ? null
      : h(
          'button',
          {
            type: 'button',
            className: 'icon-btn',
            title: 'Reply in thread',
            attrs: { 'aria-label': 'Reply in thread' },
            onclick: () => openThread(channel, m.ts),
          },
          '💬',
        ),
    picker,
  );
}

/** Keyed update of a message list: only messages whose JSON changed are rebuilt. */
function reconcile(listEl, items) {
  const atBottom = listEl.scrollHeight - listEl.scrollTop - listEl.clientHeight < 40;
  let cache = app.rendered.get(listEl);
  if (!cache) app.rendered.set(listEl, (cache = new Map()));
  const keep = new Set();
  let prev = null;
  for (const it of items) {
    keep.add(it.key);
    let entry = cache.get(it.key);
    if (!entry) {
      entry = { sig: it.sig, el: it.render() };
      cache.set(it.key, entry);
    } else if (entry.sig !== it.sig) {
      // Updated in place: the same element gets the new content (as chat.update does in Slack).
      // An open reaction picker stays open, as in Slack: a reply landing in the message's thread
      // (its reply count changes) must not close the picker under the user's pointer.
      const pickerOpen = entry.el.querySelector('.reaction-picker:not([hidden])') !== null;
      const fresh = it.render();
      entry.el.className = fresh.className;
      entry.el.replaceChildren(...fresh.childNodes);
      if (pickerOpen) {
        const picker = entry.el.querySelector('.reaction-picker');
        if (picker) picker.hidden = false;
      }
      entry.sig = it.sig;
    }
    const want = prev ? prev.nextSibling : listEl.firstChild;
    if (want !== entry.el) listEl.insertBefore(entry.el, want);
    prev = entry.el;
  }
  for (const [key, entry] of cache) {
    if (!keep.has(key)) {
      entry.el.remove();
      cache.delete(key);
    }
  }
  if (atBottom) listEl.scrollTop = listEl.scrollHeight;
}

function renderChannel() {
  const c = ctx.channel(app.channel);
  if (!c) return;
  const title = $('channel-title');
  title.replaceChildren(
    h('span', { className: 'hash' }, c.isIm ? '' : c.isPrivate ? '🔒 ' : '# '),
    channelLabel(c),
  );
  const members = c.members.filter((u) => !ctx.user(u)?.isBot).length;
  $('channel-topic').replaceChildren(
    c.topic.value ? renderMrkdwn(c.topic.value, ctx) : '',
    c.isIm
      ? ''
      : `${c.topic.value ? ' · ' : ''}${c.members.length} ${c.members.length === 1 ? 'member' : 'members'} (${members} ${members === 1 ? 'person' : 'people'})`,
  );
  const input = $('composer-input');
  input.placeholder = `Message ${c.isIm ? channelLabel(c) : `#${c.name}`} — try /triage MyJob`;

  const top = topLevel(c);
  app.seen[c.id] = top.length;
  localStorage.setItem('sandbox.seen', JSON.stringify(app.seen));
  const repliesOf = (ts) => c.messages.filter((m) => m.thread_ts === ts && m.ts !== ts);
  const items = [
    ...top.map((m) => ({ m, ephemeral: false })),
    ...app.data.ephemerals
      .filter((e) => e.channel === c.id && !e.thread_ts)
      .map((m) => ({ m, ephemeral: true })),
  ].sort((a, b) => Number(a.m.ts) - Number(b.m.ts));
  reconcile($('messages'), [
    { key: `intro${c.id}`, sig: JSON.stringify([c.name, app.me]), render: () => channelIntro(c) },
    ...items.map(({ m, ephemeral }) => {
      const replies = ephemeral ? [] : repliesOf(m.ts);
      return {
        key: `${ephemeral ? 'e' : 'm'}${m.ts}`,
        sig: JSON.stringify([m, replies.length, replies.at(-1)?.ts, app.me]),
        render: () => renderMessage(m, { channel: c.id, ephemeral, replies }),
      };
    }),
  ]);
}

/** Things to try, each a chip that fills the composer. */
const SUGGESTIONS = [
  ['/triage MyJob', 'degraded by small files'],
  ['/triage OomJob', 'failing: out of memory'],
  ['/triage DriftJob', 'failing: schema drift'],
  ['/smallfiles s3://lake-raw/events/', 'a small-file scan'],
  ['/incident declare Orders are late --job OomJob', 'a new incident channel'],
];

/** The top of a channel's history, like Slack's: what it is and what to try here. */
function channelIntro(c) {
  const me = ctx.user(app.me);
  const chips = SUGGESTIONS.map(([cmd, what]) =>
    h(
      'button',
      {
        type: 'button',
        className: 'suggestion',
        title: what,
        onclick: () => {
          const input = $('composer-input');
          input.value = cmd;
          input.focus();
        },
      },
      h('code', {}, cmd),
      h('span', { className: 'suggestion-what' }, what),
    ),
  );
  return h(
    'div',
    { className: 'channel-intro' },
    h('div', { className: 'intro-title' }, c.isIm ? channelLabel(c) : `#${c.name}`),
    h(
      'div',
      { className: 'intro-text' },
      c.isIm
        ? `Your direct messages with ${channelLabel(c)}.`
        : `This is the very beginning of #${c.name}. You are ${me?.realName ?? app.me}; every command goes to the real bot.`,
    ),
    c.isIm ? null : h('div', { className: 'suggestions' }, chips),
  );
}

function openThread(channel, ts) {
  app.thread = { channel, ts };
  $('thread-messages').replaceChildren();
  app.rendered.delete($('thread-messages'));
  render();
  $('thread-input').focus();
}

function renderThread() {
  const panel = $('thread');
  const t = app.thread;
  const c = t && ctx.channel(t.channel);
  const parent = c?.messages.find((m) => m.ts === t.ts);
  if (!t || !parent) {
    panel.hidden = true;
    return;
  }
  panel.hidden = false;
  $('thread-channel').textContent = c.isIm ? channelLabel(c) : `#${c.name}`;
  const replies = c.messages.filter((m) => m.thread_ts === t.ts && m.ts !== t.ts);
  const eph = app.data.ephemerals.filter((e) => e.channel === c.id && e.thread_ts === t.ts);
  const items = [
    {
      key: `p${parent.ts}`,
      sig: JSON.stringify([parent, app.me]),
      render: () => renderMessage(parent, { channel: c.id, inThread: true }),
    },
    {
      key: 'sep',
      sig: String(replies.length),
      render: () =>
        h(
          'div',
          { className: 'thread-sep' },
          `${replies.length} ${replies.length === 1 ? 'reply' : 'replies'}`,
        ),
    },
    ...[...replies.map((m) => ({ m, e: false })), ...eph.map((m) => ({ m, e: true }))]
      .sort((a, b) => Number(a.m.ts) - Number(b.m.ts))
      .map(({ m, e }) => ({
        key: `${e ? 'e' : 'm'}${m.ts}`,
        sig: JSON.stringify([m, app.me]),
        render: () => renderMessage(m, { channel: c.id, ephemeral: e, inThread: true }),
      })),
  ];
  reconcile($('thread-messages'), items);
}

// --- modal, confirm, toasts ------------------------------------------------------------------

function renderModal() {
  const root = $('overlay-root');
  const v = app.data.modal;
  const key = v ? `${v.id}:${v.hash}` : null;
  const existing = root.querySelector('.modal-backdrop[data-kind="view"]');
  if (key === app.modalKey && (existing || !v)) return;
  app.modalKey = key;
  existing?.remove();
  if (!v) return;
  const surface = newSurface({
    act: (action) => post('action', { viewId: v.id, action, state: surfaceState(surface) }),
    confirm: confirmDialog,
  });
  const body = h('div', { className: 'modal-body' });
  const paint = (errors = {}) => {
    surface.getters.clear();
    surface.errors = errors;
    body.replaceChildren(renderBlocks(v.blocks, ctx, surface));
  };
  paint();
  const close = () => post('close', { viewId: v.id });
  const submit = async () => {
    submitBtn.disabled = true;
    try {
      const res = await post('submit', { viewId: v.id, values: surfaceState(surface) });
      if (res.errors) {
        // Keep what was typed: collect, repaint with errors, restore.
        const values = surfaceState(surface);
        paint(res.errors);
        restoreValues(body, values);
      }
    } finally {
      submitBtn.disabled = false;
    }
  };
  const submitBtn = v.submit
    ? h('button', { type: 'button', className: 'btn btn-primary', onclick: submit }, v.submit.text)
    : null;
  const dialog = h(
    'div',
    {
      className: 'modal',
      attrs: { role: 'dialog', 'aria-modal': 'true', 'aria-label': v.title?.text ?? 'Modal' },
    },
    h(
      'div',
      { className: 'modal-header' },
      h('span', { className: 'modal-title' }, renderPlain(v.title?.text)),
      h(
        'button',
        { type: 'button', className: 'icon-btn', attrs: { 'aria-label': 'Close' }, onclick: close },
        '✕',
      ),
    ),
    body,
    h(
      'div',
      { className: 'modal-footer' },
      h('button', { type: 'button', className: 'btn', onclick: close }, v.close?.text ?? 'Cancel'),
      submitBtn,
    ),
  );
  root.append(h('div', { className: 'modal-backdrop', dataset: { kind: 'view' } }, dialog));
}

function restoreValues(body, values) {
  for (const [blockId, actions] of Object.entries(values)) {
    const block = body.querySelector(`[data-block-id="${CSS.escape(blockId)}"]`);
    if (!block) continue;
    for (const v of Object.values(actions)) {
      const input = block.querySelector('input.text-input, textarea.text-input');
      if (input && 'value' in v) input.value = v.value ?? '';
      const sel = block.querySelector('select');
      if (sel && v.selected_option) sel.value = v.selected_option.value;
      for (const box of block.querySelectorAll('input[type=checkbox], input[type=radio]')) {
        const chosen = v.selected_options ?? (v.selected_option ? [v.selected_option] : []);
        box.checked = chosen.some((o) => o?.value === box.value);
      }
    }
  }
}

/** Block Kit's confirm object as a dialog; resolves true on confirm. */
function confirmDialog(c, style) {
  return new Promise((resolve) => {
    const done = (ok) => {
      backdrop.remove();
      resolve(ok);
    };
    const danger = c.style === 'danger' || style === 'danger';
    const backdrop = h(
      'div',
      { className: 'modal-backdrop', dataset: { kind: 'confirm' } },
      h(
        'div',
        {
          className: 'modal confirm',
          attrs: {
            role: 'alertdialog',
            'aria-modal': 'true',
            'aria-label': c.title?.text ?? 'Are you sure?',
          },
        },
        h(
          'div',
          { className: 'modal-header' },
          h('span', { className: 'modal-title' }, renderPlain(c.title?.text ?? 'Are you sure?')),
        ),
        h(
          'div',
          { className: 'modal-body' },
          c.text
            ? c.text.type === 'plain_text'
              ? renderPlain(c.text.text)
              : renderMrkdwn(c.text.text, ctx)
            : '',
        ),
        h(
          'div',
          { className: 'modal-footer' },
          h(
            'button',
            { type: 'button', className: 'btn', onclick: () => done(false) },
            c.deny?.text ?? 'Cancel',
          ),
          h(
            'button',
            {
              type: 'button',
              className: `btn ${danger ? 'btn-danger' : 'btn-primary'}`,
              onclick: () => done(true),
            },
            c.confirm?.text ?? 'Yes',
          ),
        ),
      ),
    );
    $('overlay-root').append(backdrop);
    backdrop.querySelector('.btn-primary, .btn-danger').focus();
  });
}

function toast(text) {
  const el = h('div', { className: 'toast', attrs: { role: 'status' } }, text);
  $('toasts').append(el);
  setTimeout(() => el.remove(), 6000);
}

// --- composer ---------------------------------------------------------------------------------

function wireComposer(form, input, target) {
  const hints = form.querySelector('.command-hints');
  const send = async () => {
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    autosize();
    if (hints) hints.hidden = true;
    const t = target();
    await post('message', { channel: t.channel, text, ...(t.threadTs ? { threadTs: t.threadTs } : {}) });
  };
  const autosize = () => {
    input.style.height = 'auto';
    input.style.height = `${Math.min(input.scrollHeight, 200)}px`;
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    send();
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      send();
    }
  });
  input.addEventListener('input', () => {
    autosize();
    if (!hints) return;
    const m = /^\/(\S*)$/.exec(input.value);
    const cmds = (app.data?.commands ?? []).filter((c) => m && c.startsWith(`/${m[1]}`));
    hints.hidden = !m || cmds.length === 0;
    hints.replaceChildren(
      ...cmds.map((c) =>
        h(
          'button',
          {
            type: 'button',
            className: 'command-hint',
            onclick: () => {
              input.value = `${c} `;
              hints.hidden = true;
              input.focus();
            },
          },
          c,
        ),
      ),
    );
  });
}

// --- start ------------------------------------------------------------------------------------

$('user-switcher').addEventListener('change', (e) => {
  if (e.target.value === app.me) return;
  app.me = e.target.value;
  localStorage.setItem('sandbox.user', app.me);
  app.modalKey = null;
  $('overlay-root').replaceChildren();
  for (const el of [$('messages'), $('thread-messages')]) {
    el.replaceChildren();
    app.rendered.delete(el);
  }
  refresh();
  toast(`Now acting as ${ctx.user(app.me)?.realName ?? app.me}`);
});
$('thread-close').addEventListener('click', () => {
  app.thread = null;
  renderThread();
});
wireComposer($('composer'), $('composer-input'), () => ({ channel: app.channel }));
wireComposer($('thread-composer'), $('thread-input'), () => ({
  channel: app.thread?.channel,
  threadTs: app.thread?.ts,
}));
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape') {
    const confirm = document.querySelector(
      '.modal-backdrop[data-kind="confirm"] .btn:not(.btn-primary):not(.btn-danger)',
    );
    if (confirm) confirm.click();
    else if (app.data?.modal) post('close', { viewId: app.data.modal.id });
    else for (const el of document.querySelectorAll('.reaction-picker, .overflow-menu')) el.hidden = true;
  }
});
connect();
refresh();
