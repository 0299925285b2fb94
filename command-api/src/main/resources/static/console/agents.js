// The agents a step can name: the catalog from GET /api/v1/agents (never a URL or a key).

import {api} from './api.js';
import {h, fill, emptyState, setTitle} from './ui.js';

export async function agentsPage(main, {signal}) {
  setTitle('Agents');
  const agents = await api('/agents', {signal});
  fill(main,
    h('h1', {}, 'Agents'),
    h('p', {class: 'muted'}, 'Built-in agents, and those configured under agentflow.agents (see docs/agents.md).'),
    agents.length === 0 ? emptyState('No agents.') : h('ul', {class: 'cards'}, agents.map(a => h('li', {class: 'card'},
      h('h2', {}, a.name, ' ', h('code', {class: 'small'}, a.id)),
      h('p', {}, a.description || h('span', {class: 'muted'}, 'No description')),
      h('dl', {class: 'meta'},
        h('dt', {}, 'Type'), h('dd', {}, a.type),
        h('dt', {}, 'Model'), h('dd', {}, a.model || '—'),
        h('dt', {}, 'Tools'), h('dd', {}, a.tools.length === 0 ? '—' : h('ul', {class: 'tools'}, a.tools.map(t =>
          h('li', {}, h('code', {}, t), (a.approvalTools || []).includes(t)
            ? h('span', {class: 'badge badge-paused'}, 'needs approval') : null)))))))));
}
