// The inbox: runs of every workflow waiting for an operator, oldest first, each with the approval
// request as its agent made it; approve (as proposed or edited) or reject.

import {api} from './api.js';
import {can} from './app.js';
import {decision, runAction, shortId, workflowName} from './runs.js';
import {h, fill, emptyState, pager, timeTag, setTitle} from './ui.js';

export async function inboxPage(main, {query, signal}) {
  setTitle('Inbox');
  const page = Number(query.get('page') || 0);
  const list = await api(`/workflows/runs?status=PAUSED&page=${page}&size=10`, {signal});
  const runs = await Promise.all(list.content.map(r => api(`/workflows/runs/${r.id}`, {signal}).catch(() => null)));
  const wfNames = await Promise.all(list.content.map(r => workflowName(r.workflowId, signal)));
  const reload = () => inboxPage(main, {query, signal});
  fill(main,
    h('div', {class: 'page-head'}, h('h1', {}, 'Inbox'),
      h('p', {class: 'muted'}, `${list.totalElements} run${list.totalElements === 1 ? '' : 's'} waiting for approval, oldest first`)),
    list.content.length === 0 ? emptyState('Nothing waits for approval. Runs that pause at an approval step show up here.')
      : h('ul', {class: 'inbox'}, list.content.map((summary, i) => {
        const run = runs[i];
        if (!run || run.status !== 'PAUSED' || !run.pendingApproval) {
          return h('li', {class: 'card'}, h('a', {href: `/runs/${summary.id}`}, shortId(summary.id)), ' is no longer waiting.');
        }
        const status = h('div');
        return h('li', {class: 'inbox-item', 'aria-label': `Run ${run.id}`},
          h('p', {}, h('a', {href: `/runs/${run.id}`, class: 'mono'}, shortId(run.id)), ' of ',
            h('a', {href: `/workflows/${run.workflowId}`}, wfNames[i]), ' · paused at step ', String(run.currentStepOrder),
            ' · waiting since ', timeTag(run.updatedAt), ' · started by ', run.startedBy || '—'),
          can('operator') ? decision(run, runAction(run.id, status, reload)) : h('p', {class: 'muted'}, 'Operators approve or reject it.'),
          status);
      })),
    pager(list, n => `/inbox?page=${n}`));
}
