// DOM helpers. Every piece of text becomes a text node: nothing from a message is ever parsed as
// HTML (no innerHTML anywhere in the page).

/**
 * `h('div', { className: 'x', onclick }, 'text', child)`: an element with properties, event
 * handlers (`on…`), `dataset` and `attrs`, and children (strings become text nodes; null skipped).
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'attrs') for (const [a, av] of Object.entries(v)) el.setAttribute(a, String(av));
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else el[k] = v;
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Only links a person could safely follow: http(s) and mailto. */
export function safeHref(url) {
  try {
    const u = new URL(url, location.href);
    return ['http:', 'https:', 'mailto:'].includes(u.protocol) ? u.href : undefined;
  } catch {
    return undefined;
  }
}

/** Images are loaded only from this server (the fake's files); nothing comes from the Internet. */
export function localImage(url) {
  try {
    const u = new URL(url, location.href);
    return u.origin === location.origin ? u.href : undefined;
  } catch {
    return undefined;
  }
}
