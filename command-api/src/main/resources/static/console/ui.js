import {api} from './api.js';

// Small DOM helpers: every text goes in as a text node (never as HTML), so nothing the API returns
// can inject markup or script.

/** Creates an element: h('a', {href: '/x', class: 'btn'}, 'text', child, ...). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) {
      continue;
    }
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (name === 'value') {
      el.value = value;
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) {
      continue;
    }
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces the element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export function statusBadge(status) {
  const s = String(status || 'UNKNOWN');
  return h('span', {class: `badge badge-${s.toLowerCase()}`}, s.replaceAll('_', ' '));
}

export function formatTime(iso) {
  if (!iso) {
    return '—';
  }
  const d = new Date(iso);
  return d.toLocaleString(undefined, {year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit',
    minute: '2-digit', second: '2-digit'});
}

export function timeTag(iso) {
  return iso ? h('time', {datetime: iso, title: iso}, formatTime(iso)) : '—';
}

export function formatDuration(ms) {
  if (ms === undefined || ms === null || ms < 0) {
    return '—';
  }
  if (ms < 1000) {
    return `${ms} ms`;
  }
  const s = ms / 1000;
  if (s < 60) {
    return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  }
  const m = Math.floor(s / 60);
  if (m < 60) {
    return `${m} min ${Math.round(s % 60)} s`;
  }
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** A labelled form field; `control` is an input, select or textarea (it gets the id). */
export function field(label, control, hint) {
  const id = control.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  control.id = id;
  const hintId = hint ? `${id}-hint` : undefined;
  if (hintId) {
    control.setAttribute('aria-describedby', hintId);
  }
  return h('div', {class: 'field'}, h('label', {for: id}, label), control,
    hint ? h('p', {class: 'hint', id: hintId}, hint) : null);
}

/** The problem an API call answered, as an alert: its detail and each field at fault. */
export function problemBox(error, prefix) {
  const message = error ? error.message : 'Something went wrong';
  // each field at fault (an ApiError's problem), unless the detail already says it
  const lines = ((error && error.problem && error.problem.errors) || []).filter(e => !message.includes(e.message))
    .map(e => (e.field ? `${e.field}: ` : '') + e.message);
  return h('div', {class: 'error', role: 'alert'},
    h('p', {}, prefix ? `${prefix}: ` : '', message),
    lines.length ? h('ul', {}, lines.map(l => h('li', {}, l))) : null);
}

export function emptyState(text, ...actions) {
  return h('div', {class: 'empty'}, h('p', {}, text), actions);
}

export function loading(text = 'Loading…') {
  return h('p', {class: 'loading', role: 'status'}, text);
}

/**
 * Runs `call` (a write to the API): on success shows `done` (a text, or a function of the answer)
 * and goes on with `then(answer)`; on failure shows the problem in `status`, prefixed `failed`.
 */
export async function attempt(status, failed, call, done, then = () => {}) {
  let answer;
  try {
    answer = await call();
  } catch (e) {
    fill(status, problemBox(e, failed));
    return;
  }
  toast(typeof done === 'function' ? done(answer) : done);
  await then(answer);
}

/** Shows a short message for screen readers and eyes alike. */
export function toast(text) {
  const el = document.getElementById('toast');
  el.textContent = text;
  el.classList.add('shown');
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => el.classList.remove('shown'), 4000);
}

/** Previous / next links for a page answer of the API; `hrefFor(n)` is the URL of page n. */
export function pager(page, hrefFor) {
  const number = page.page ? page.page.number : 0;
  const pages = page.totalPages || 0;
  if (pages <= 1) {
    return null;
  }
  return h('nav', {class: 'pager', 'aria-label': 'Pages'},
    number > 0 ? h('a', {href: hrefFor(number - 1), rel: 'prev'}, '← Previous') : h('span', {class: 'muted'}, '← Previous'),
    h('span', {}, `Page ${number + 1} of ${pages} (${page.totalElements})`),
    number + 1 < pages ? h('a', {href: hrefFor(number + 1), rel: 'next'}, 'Next →') : h('span', {class: 'muted'}, 'Next →'));
}

/** A text block that may be long: shown in a scrollable pre, with a link to the whole payload when cut. */
export function payload(text, truncated, href, label) {
  if (text === null || text === undefined) {
    return h('span', {class: 'muted'}, '—');
  }
  const pre = h('pre', {tabindex: '0', 'aria-label': label}, text === '' ? h('span', {class: 'muted'}, '(empty)') : text);
  const whole = truncated && href ? h('button', {type: 'button', class: 'btn btn-small', onclick: async () => {
    whole.disabled = true;
    try {
      fill(pre, await api(href.replace(/^\/api\/v1/, ''), {headers: {Accept: 'text/plain'}}));
      whole.remove();
    } catch (e) {
      whole.replaceWith(problemBox(e, 'Could not load the payload'));
    }
  }}, 'Load it whole') : null;
  return h('div', {class: 'payload'}, pre,
    truncated ? h('p', {class: 'hint'}, 'Shown cut (agentflow.api.detail-payload-bytes). ', whole) : null);
}

/**
 * A confirmation dialog (the native <dialog>, which keeps focus inside and closes on Escape), with
 * `fields` above its buttons: resolves true when confirmed.
 */
function ask(title, text, confirmLabel, ...fields) {
  return new Promise(resolve => {
    const dialog = h('dialog', {class: 'dialog', 'aria-labelledby': 'dlg-title'},
      h('h2', {id: 'dlg-title'}, title), h('p', {}, text),
      h('form', {method: 'dialog'}, fields,
        h('div', {class: 'actions'},
          h('button', {value: 'cancel', class: 'btn'}, 'Keep it'),
          h('button', {value: 'ok', class: 'btn btn-danger'}, confirmLabel))));
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue === 'ok');
      dialog.remove();
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

export function confirmDialog(title, text, confirmLabel) {
  return ask(title, text, confirmLabel);
}

/**
 * A confirmation that asks why (a cancel, a rejection): resolves with the reason given ('' for none),
 * or null when the user keeps things as they are.
 */
export async function reasonDialog(title, text, confirmLabel) {
  const reason = h('textarea', {name: 'reason', rows: 3, maxlength: 2000});
  const asked = ask(title, text, confirmLabel, field('Reason (optional)', reason, 'Recorded in the run\'s history.'));
  reason.focus();
  return await asked ? reason.value.trim() : null;
}

export function setTitle(...parts) {
  document.title = [...parts, 'agentflow'].filter(Boolean).join(' · ');
}
