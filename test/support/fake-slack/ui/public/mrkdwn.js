// Slack mrkdwn → DOM nodes (never an HTML string): *bold*, _italic_, ~strike~, `code`, ```code
// blocks```, > quotes, <url|links>, <@U…> <!subteam^S…> <#C…> <!here> <!date^…> and :emoji:.
// Text arrives escaped the way Slack sends it (&amp; &lt; &gt;) and is unescaped into text nodes.
import { h } from './dom.js';
import { safeHref } from './dom.js';
import { emojiChar } from './emoji.js';

export function unescapeText(s) {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/**
 * @param {string} text mrkdwn as Slack sends it
 * @param {object} ctx lookups: user(id), group(id), channel(id), openChannel(id)
 */
export function renderMrkdwn(text, ctx) {
  const frag = document.createDocumentFragment();
  const parts = String(text ?? '').split(/```/);
  parts.forEach((part, i) => {
    // Odd parts sit between ``` fences (an unclosed fence stays text, as in Slack).
    if (i % 2 === 1 && i < parts.length - 1) {
      frag.append(
        h('pre', { className: 'md-pre' }, unescapeText(part.replace(/^\n/, '').replace(/\n$/, ''))),
      );
    } else {
      const t = i % 2 === 1 ? '```' + part : part;
      renderLines(frag, i > 0 && i % 2 === 0 ? t.replace(/^\n/, '') : t, ctx);
    }
  });
  return frag;
}

function isQuote(line) {
  return /^(>|&gt;)/.test(line);
}

function renderLines(parent, text, ctx) {
  if (text === '') return;
  const lines = text.split('\n');
  let i = 0;
  let first = true;
  while (i < lines.length) {
    if (isQuote(lines[i])) {
      const q = h('blockquote', { className: 'md-quote' });
      let qFirst = true;
      while (i < lines.length && isQuote(lines[i])) {
        if (!qFirst) q.append(h('br'));
        renderInline(q, lines[i].replace(/^(>|&gt;) ?/, ''), ctx);
        qFirst = false;
        i++;
      }
      parent.append(q);
      first = true;
      continue;
    }
    if (!first) parent.append(h('br'));
    renderInline(parent, lines[i], ctx);
    first = false;
    i++;
  }
}

const PUNCT = /[\s.,;:!?()[\]{}"'`\-/\\|<>*_~]/;
const boundaryBefore = (s, i) => i === 0 || PUNCT.test(s[i - 1]);
const boundaryAfter = (s, i) => i >= s.length || PUNCT.test(s[i]);

/** Inline formatting of one line, appended to `parent`. */
export function renderInline(parent, s, ctx) {
  let buf = '';
  const flush = () => {
    if (buf) parent.append(document.createTextNode(unescapeText(buf)));
    buf = '';
  };
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === '`') {
      const end = s.indexOf('`', i + 1);
      if (end > i + 1) {
        flush();
        parent.append(h('code', { className: 'md-code' }, unescapeText(s.slice(i + 1, end))));
        i = end + 1;
        continue;
      }
    }
    if (c === '<') {
      const end = s.indexOf('>', i + 1);
      if (end > i + 1) {
        flush();
        parent.append(special(s.slice(i + 1, end), ctx));
        i = end + 1;
        continue;
      }
    }
    if ((c === '*' || c === '_' || c === '~') && boundaryBefore(s, i) && s[i + 1] && !/\s/.test(s[i + 1])) {
      let end = s.indexOf(c, i + 1);
      while (end !== -1 && (/\s/.test(s[end - 1]) || !boundaryAfter(s, end + 1))) end = s.indexOf(c, end + 1);
      if (end > i + 1) {
        flush();
        const tag = c === '*' ? 'b' : c === '_' ? 'i' : 's';
        const el = h(tag);
        renderInline(el, s.slice(i + 1, end), ctx);
        parent.append(el);
        i = end + 1;
        continue;
      }
    }
    if (c === ':') {
      const m = /^:([a-z0-9_+'-]+):/.exec(s.slice(i));
      const ch = m && emojiChar(m[1]);
      if (ch) {
        flush();
        parent.append(h('span', { className: 'emoji', title: `:${m[1]}:` }, ch));
        i += m[0].length;
        continue;
      }
    }
    if (c === 'h' && boundaryBefore(s, i)) {
      const m = /^https?:\/\/[^\s<>]+[^\s<>.,;:!?)]/.exec(s.slice(i));
      const href = m && safeHref(m[0]);
      if (href) {
        flush();
        parent.append(h('a', { href, target: '_blank', rel: 'noopener noreferrer' }, m[0]));
        i += m[0].length;
        continue;
      }
    }
    buf += c;
    i++;
  }
  flush();
}

/** What sits between < and >: links, mentions, special commands, dates. */
function special(body, ctx) {
  const bar = body.indexOf('|');
  const target = bar === -1 ? body : body.slice(0, bar);
  const label = bar === -1 ? undefined : body.slice(bar + 1);
  if (target.startsWith('@')) {
    const id = target.slice(1);
    const u = ctx.user(id);
    const name = u ? u.name : (label ?? id);
    return h(
      'span',
      { className: `mention${id === ctx.me ? ' mention-me' : ''}`, title: u?.realName ?? id },
      `@${name}`,
    );
  }
  if (target.startsWith('#')) {
    const id = target.slice(1);
    const c = ctx.channel(id);
    const name = c ? c.name : (label ?? id);
    return h(
      'a',
      {
        className: 'mention channel-link',
        href: '#',
        onclick: (e) => (e.preventDefault(), ctx.openChannel(id)),
      },
      `#${name}`,
    );
  }
  if (target.startsWith('!subteam^')) {
    const id = target.slice('!subteam^'.length);
    const g = ctx.group(id);
    return h(
      'span',
      { className: 'mention', title: g?.name ?? id },
      g ? `@${g.handle}` : (label ?? `@${id}`),
    );
  }
  if (target.startsWith('!date^')) {
    const [, epoch] = target.split('^');
    const d = new Date(Number(epoch) * 1000);
    return document.createTextNode(
      Number.isFinite(d.getTime()) ? d.toLocaleString() : unescapeText(label ?? ''),
    );
  }
  if (target.startsWith('!')) {
    const word = target.slice(1);
    return h('span', { className: 'mention' }, `@${label?.replace(/^@/, '') ?? word}`);
  }
  const url = unescapeText(target);
  const href = safeHref(url);
  const text = unescapeText(label ?? url.replace(/^mailto:/, ''));
  if (!href) return document.createTextNode(text);
  // A permalink to a message of this workspace opens it here instead of on slack.com.
  const permalink = /^https:\/\/[a-z0-9-]+\.slack\.com\/archives\/([A-Z0-9]+)\/p(\d{10})(\d{6})/.exec(href);
  if (permalink && ctx.channel(permalink[1])) {
    const [, channel, sec, micro] = permalink;
    return h(
      'a',
      {
        href,
        title: 'Open the message',
        onclick: (e) => (e.preventDefault(), ctx.openMessage(channel, `${sec}.${micro}`)),
      },
      text,
    );
  }
  return h('a', { href, target: '_blank', rel: 'noopener noreferrer', title: href }, text);
}

/** plain_text objects: emoji shortcodes only (when `emoji` is not false), no formatting. */
export function renderPlain(text, emoji = true) {
  const frag = document.createDocumentFragment();
  const s = String(text ?? '');
  if (!emoji) {
    frag.append(s);
    return frag;
  }
  let last = 0;
  for (const m of s.matchAll(/:([a-z0-9_+'-]+):/g)) {
    const ch = emojiChar(m[1]);
    if (!ch) continue;
    frag.append(s.slice(last, m.index), h('span', { className: 'emoji', title: m[0] }, ch));
    last = m.index + m[0].length;
  }
  frag.append(s.slice(last));
  return frag;
}

/** A Block Kit text object (plain_text or mrkdwn). */
export function renderText(obj, ctx) {
  if (!obj) return document.createDocumentFragment();
  if (typeof obj === 'string') return renderMrkdwn(obj, ctx);
  return obj.type === 'plain_text' ? renderPlain(obj.text, obj.emoji !== false) : renderMrkdwn(obj.text, ctx);
}
