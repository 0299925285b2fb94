// The operator console: a small single-page app of static ES modules, served as they are (no build
// step, no Node.js). Each page has its own URL (History API; the server answers every page's URL
// with index.html), renders from the public REST API, and cleans up its streams when left.

import {api, signIn, signOut, whenUnauthorized, ApiError} from './api.js';
import {h, fill, field, problemBox, loading, setTitle} from './ui.js';
import {workflowsPage, workflowPage, runFormPage, versionsPage} from './workflows.js';
import {runsPage, runPage} from './runs.js';
import {inboxPage} from './inbox.js';
import {agentsPage} from './agents.js';

/** Who is signed in: {actor, roles, authentication} from GET /api/v1/me, or null. */
export const session = {me: null};

/** Whether the signed-in user's roles allow `role` (the API checks anyway). */
export function can(role) {
  return Boolean(session.me && session.me.roles.includes(role));
}

const routes = [
  [/^\/(?:workflows)?$/, workflowsPage],
  [/^\/workflows\/([\w-]+)$/, workflowPage],
  [/^\/workflows\/([\w-]+)\/run$/, runFormPage],
  [/^\/workflows\/([\w-]+)\/versions$/, versionsPage],
  [/^\/workflows\/([\w-]+)\/runs$/, runsPage],
  [/^\/runs$/, runsPage],
  [/^\/runs\/([\w-]+)$/, runPage],
  [/^\/inbox$/, inboxPage],
  [/^\/agents$/, agentsPage],
];

let current = null; // the AbortController of the page shown

export function navigate(url, {replace = false} = {}) {
  if (replace) {
    history.replaceState(null, '', url);
  } else {
    history.pushState(null, '', url);
  }
  render();
}

async function render() {
  if (current) {
    current.abort();
  }
  const controller = new AbortController();
  current = controller;
  const main = document.getElementById('main');
  const path = location.pathname.replace(/\/+$/, '') || '/';
  const query = new URLSearchParams(location.search);
  markNav(path);
  if (path === '/sign-in') {
    return signInPage(main, query);
  }
  if (!session.me) {
    fill(main, loading());
    if (!(await loadSession())) {
      return;
    }
  }
  for (const [pattern, page] of routes) {
    const match = path.match(pattern);
    if (match) {
      fill(main, loading());
      try {
        await page(main, {params: match.slice(1), query, signal: controller.signal});
      } catch (e) {
        if (e.name !== 'AbortError' && !controller.signal.aborted) {
          setTitle(e.status === 404 ? 'Not found' : 'Error');
          fill(main, h('h1', {}, e.status === 404 ? 'Not found' : 'Something went wrong'), problemBox(e),
            h('p', {}, h('a', {href: '/workflows'}, 'Go to the workflows')));
        }
      }
      return;
    }
  }
  setTitle('Not found');
  fill(main, h('h1', {}, 'Page not found'), h('p', {}, 'There is no page at ', h('code', {}, path), '. ',
    h('a', {href: '/workflows'}, 'Go to the workflows'), '.'));
}

function markNav(path) {
  const section = path === '/' ? 'workflows' : path.split('/')[1];
  for (const link of document.querySelectorAll('[data-nav]')) {
    if (link.dataset.nav === section) {
      link.setAttribute('aria-current', 'page');
    } else {
      link.removeAttribute('aria-current');
    }
  }
}

/** Asks the API who we are; false (and the sign-in page shown) when a credential is needed. */
async function loadSession() {
  try {
    const me = await api('/me');
    if (me.authentication === 'required' && me.roles.length === 0) {
      toSignIn(); // signed out: GET /api/v1/me tells without a 401
      return false;
    }
    session.me = me;
    showWho();
    startInboxBadge();
    return true;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      return false; // whenUnauthorized took us to the sign-in page
    }
    fill(document.getElementById('main'), h('h1', {}, 'The console cannot reach the API'), problemBox(e));
    return false;
  }
}

function showWho() {
  const who = document.getElementById('who');
  const me = session.me;
  if (!me) {
    fill(who);
    document.getElementById('inbox-badge').hidden = true;
    return;
  }
  fill(who,
    h('span', {class: 'actor', title: `Roles: ${me.roles.join(', ')}`}, me.actor,
      h('span', {class: 'roles'}, ` (${topRole(me.roles)})`)),
    me.authentication === 'required' ? h('button', {type: 'button', class: 'btn btn-small', onclick: () => {
      signOut();
      session.me = null;
      showWho();
      navigate('/sign-in', {replace: true});
    }}, 'Sign out') : null);
}

function topRole(roles) {
  return ['admin', 'editor', 'operator', 'viewer'].find(r => roles.includes(r)) || 'no role';
}

function signInPage(main, query) {
  setTitle('Sign in');
  const next = safeNext(query.get('next'));
  const token = h('input', {type: 'password', name: 'credential', autocomplete: 'current-password', required: true,
    spellcheck: 'false'});
  const remember = h('input', {type: 'checkbox', name: 'remember'});
  const status = h('div', {'aria-live': 'polite'});
  const form = h('form', {class: 'card narrow', onsubmit: async event => {
    event.preventDefault();
    signIn(token.value.trim(), remember.checked);
    session.me = null;
    try {
      const me = await api('/me');
      if (me.roles.length === 0) {
        throw new Error('This credential has no role here: ask for viewer, operator, editor or admin.');
      }
      session.me = me;
      showWho();
      startInboxBadge();
      navigate(next, {replace: true});
    } catch (e) {
      signOut();
      fill(status, problemBox(e, 'Not signed in'));
      token.value = '';
      token.focus();
    }
  }},
  h('h1', {}, 'Sign in'),
  h('p', {}, 'This agentflow asks for a credential: an API key (', h('code', {}, 'af_…'),
    ') or a JWT from your identity provider. Your administrator gives you one.'),
  field('API key or token', token),
  h('div', {class: 'field check'}, remember, h('label', {for: 'remember'}, 'Keep me signed in on this browser')),
  status,
  h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'btn btn-primary'}, 'Sign in')));
  remember.id = 'remember';
  fill(main, form);
  token.focus();
}

/** Only a path of this site (history.pushState refuses another origin anyway); never the sign-in page. */
function safeNext(next) {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\')
    && !next.startsWith('/sign-in') ? next : '/workflows';
}

// The inbox badge, on every page: how many runs wait for an operator, asked every few seconds (and at
// once after this console resumes or cancels a run).
let badgeTimer = null;
export async function refreshInboxBadge() {
  const badge = document.getElementById('inbox-badge');
  try {
    const page = await api('/workflows/runs?status=PAUSED&size=1');
    const n = page.totalElements;
    badge.textContent = String(n);
    badge.hidden = n === 0;
    badge.setAttribute('aria-label', `${n} waiting for approval`);
  } catch (e) {
    badge.hidden = true;
  }
}

function startInboxBadge() {
  clearInterval(badgeTimer);
  refreshInboxBadge();
  badgeTimer = setInterval(() => {
    if (!document.hidden && session.me) {
      refreshInboxBadge();
    }
  }, 3000);
}

/** To the sign-in page, coming back here afterwards. */
function toSignIn() {
  session.me = null;
  clearInterval(badgeTimer);
  showWho();
  if (location.pathname !== '/sign-in') {
    const next = location.pathname + location.search;
    history.replaceState(null, '', `/sign-in?next=${encodeURIComponent(next)}`);
    render();
  }
}

// A credential the API no longer takes (revoked, expired): sign in again.
whenUnauthorized(toSignIn);

// Links inside the console change the page without reloading it.
document.addEventListener('click', event => {
  const link = event.target.closest('a[href]');
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey
      || event.altKey || link.target || link.hasAttribute('download')) {
    return;
  }
  const url = new URL(link.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith('/api/') || url.pathname.startsWith('/swagger')
      || url.pathname.startsWith('/v3/') || url.pathname.startsWith('/actuator')) {
    return;
  }
  if (link.getAttribute('href').startsWith('#')) {
    return;
  }
  event.preventDefault();
  navigate(url.pathname + url.search);
  document.getElementById('main').focus({preventScroll: true});
  window.scrollTo(0, 0);
});

window.addEventListener('popstate', render);
render();
