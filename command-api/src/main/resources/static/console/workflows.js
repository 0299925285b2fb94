// Workflows: the list (search, paging), one workflow (details, the step editor, clone, delete), the
// form that runs it, and its versions with what changed between two.

import {api} from './api.js';
import {can, navigate} from './app.js';
import {h, fill, field, emptyState, pager, timeTag, attempt, confirmDialog, setTitle} from './ui.js';

const enc = encodeURIComponent;

export async function workflowsPage(main, {query, signal}) {
  setTitle('Workflows');
  const q = query.get('q') || '';
  const page = Number(query.get('page') || 0);
  const list = await api(`/workflows?page=${page}&size=20${q ? `&q=${enc(q)}` : ''}`, {signal});
  const search = h('input', {type: 'search', name: 'q', value: q, placeholder: 'Name or description'});
  const createBox = h('div');
  fill(main,
    h('div', {class: 'page-head'}, h('h1', {}, 'Workflows'),
      can('editor') ? h('button', {type: 'button', class: 'btn btn-primary', onclick: () => showCreate(createBox)},
        'New workflow') : null),
    createBox,
    h('form', {class: 'search', role: 'search', onsubmit: e => {
      e.preventDefault();
      navigate(search.value.trim() ? `/workflows?q=${enc(search.value.trim())}` : '/workflows');
    }}, field('Search workflows', search), h('button', {type: 'submit', class: 'btn'}, 'Search')),
    list.content.length === 0
      ? emptyState(q ? `No workflow's name or description contains “${q}”.` : 'No workflows yet.',
        q ? h('a', {href: '/workflows'}, 'Show them all') : null,
        !q && can('editor') ? h('button', {type: 'button', class: 'btn btn-primary', onclick: () => showCreate(createBox)},
          'Create the first one') : null)
      : h('div', {class: 'table-wrap'}, h('table', {},
        h('caption', {class: 'sr-only'}, 'Workflows, newest first'),
        h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Name'), h('th', {scope: 'col', class: 'wide'}, 'Description'),
          h('th', {scope: 'col'}, 'Steps'), h('th', {scope: 'col', class: 'wide'}, 'Version'),
          h('th', {scope: 'col', class: 'wide'}, 'Updated'))),
        h('tbody', {}, list.content.map(w => h('tr', {},
          h('td', {}, h('a', {href: `/workflows/${w.id}`}, w.name)),
          h('td', {class: 'wide clip'}, w.description || ''),
          h('td', {}, String(w.stepCount)),
          h('td', {class: 'wide'}, `v${w.definitionVersion}`),
          h('td', {class: 'wide'}, timeTag(w.updatedAt))))))),
    pager(list, n => `/workflows?page=${n}${q ? `&q=${enc(q)}` : ''}`));
}

function showCreate(box) {
  const name = h('input', {type: 'text', name: 'name', required: true, maxlength: 200});
  const description = h('textarea', {name: 'description', rows: 2, maxlength: 4000});
  const status = h('div');
  fill(box, h('form', {class: 'card', 'aria-label': 'New workflow', onsubmit: e => {
    e.preventDefault();
    attempt(status, 'Not created',
      () => api('/workflows', {method: 'POST', body: {name: name.value, description: description.value || undefined}}),
      created => `Workflow “${created.name}” created`, created => navigate(`/workflows/${created.id}`));
  }},
  h('h2', {}, 'New workflow'), field('Name', name), field('Description', description), status,
  h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'btn btn-primary'}, 'Create'),
    h('button', {type: 'button', class: 'btn', onclick: () => fill(box)}, 'Cancel'))));
  name.focus();
}

function agentSelect(agents, selected) {
  const select = h('select', {name: 'agentId', required: true},
    selected ? null : h('option', {value: ''}, 'Choose an agent…'),
    agents.map(a => h('option', {value: a.id, selected: a.id === selected}, `${a.name} (${a.id}, ${a.type})`)));
  if (selected && !agents.some(a => a.id === selected)) {
    select.prepend(h('option', {value: selected, selected: true}, `${selected} (not registered)`));
  }
  return select;
}

function configText(config) {
  if (!config || Object.keys(config).length === 0) {
    return '';
  }
  const compact = JSON.stringify(config);
  return compact.length <= 60 ? compact : JSON.stringify(config, null, 2);
}

/** The config textarea's JSON object, or an error naming the field. */
function parseConfig(text) {
  if (!text.trim()) {
    return {};
  }
  let value;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Error(`config: not valid JSON (${e.message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error('config: must be a JSON object, such as {"maxAttempts": 1}');
  }
  return value;
}

export async function workflowPage(main, {params: [id], signal}) {
  // the agents once, for the pickers; the workflow again after each change
  const [workflow, agents] = await Promise.all([api(`/workflows/${id}`, {signal}), api('/agents', {signal})]);
  const reload = async () => showWorkflow(main, await api(`/workflows/${id}`, {signal}), agents, reload);
  showWorkflow(main, workflow, agents, reload);
}

function showWorkflow(main, workflow, agents, reload) {
  const id = workflow.id;
  setTitle(workflow.name, 'Workflows');
  const editor = can('editor');
  const status = h('div');
  fill(main,
    h('nav', {class: 'crumbs', 'aria-label': 'Breadcrumb'}, h('a', {href: '/workflows'}, 'Workflows'), ' / '),
    h('div', {class: 'page-head'}, h('h1', {}, workflow.name),
      h('div', {class: 'actions'},
        can('operator') ? h('a', {class: 'btn btn-primary', href: `/workflows/${id}/run`}, 'Run') : null,
        h('a', {class: 'btn', href: `/workflows/${id}/runs`}, 'Runs'),
        h('a', {class: 'btn', href: `/workflows/${id}/versions`}, 'Versions'),
        editor ? h('button', {type: 'button', class: 'btn', onclick: () => attempt(status, 'Not cloned',
          () => api(`/workflows/${id}/clone`, {method: 'POST'}), clone => `Cloned as “${clone.name}”`,
          clone => navigate(`/workflows/${clone.id}`))}, 'Clone') : null,
        editor ? h('button', {type: 'button', class: 'btn btn-danger', onclick: async () => {
          if (await confirmDialog('Delete this workflow?', `“${workflow.name}” and its steps will be gone from the lists; `
              + 'its runs and its history stay readable.', 'Delete')) {
            attempt(status, 'Not deleted', () => api(`/workflows/${id}`, {method: 'DELETE'}),
              `Workflow “${workflow.name}” deleted`, () => navigate('/workflows'));
          }
        }}, 'Delete') : null)),
    status,
    h('dl', {class: 'meta'},
      h('dt', {}, 'Id'), h('dd', {}, h('code', {}, workflow.id)),
      h('dt', {}, 'Version'), h('dd', {}, `v${workflow.definitionVersion}`),
      h('dt', {}, 'Created'), h('dd', {}, timeTag(workflow.createdAt)),
      h('dt', {}, 'Updated'), h('dd', {}, timeTag(workflow.updatedAt)),
      workflow.clonedFrom ? [h('dt', {}, 'Cloned from'), h('dd', {}, h('a', {href: `/workflows/${workflow.clonedFrom}`},
        workflow.clonedFrom))] : null),
    h('p', {class: 'lead'}, workflow.description || h('span', {class: 'muted'}, 'No description')),
    editor ? detailsForm(workflow, reload) : null,
    h('section', {'aria-labelledby': 'steps-title'},
      h('h2', {id: 'steps-title'}, `Steps (${workflow.steps.length})`),
      workflow.steps.length === 0 ? emptyState(editor ? 'No steps yet: add the first one below. A run feeds its input to '
        + 'step 1 and each step\'s output to the next.' : 'No steps yet.') : null,
      h('ol', {class: 'steps'}, workflow.steps.map(step => stepItem(workflow, step, agents, reload))),
      editor ? addStepForm(workflow, agents, reload) : null));
}

function detailsForm(workflow, reload) {
  const name = h('input', {type: 'text', name: 'name', value: workflow.name, required: true, maxlength: 200});
  const description = h('textarea', {name: 'description', rows: 2, maxlength: 4000}, workflow.description || '');
  const status = h('div');
  return h('details', {class: 'card'}, h('summary', {}, 'Edit name and description'),
    h('form', {'aria-label': 'Name and description', onsubmit: e => {
      e.preventDefault();
      attempt(status, 'Not saved', () => api(`/workflows/${workflow.id}`, {method: 'PATCH', body: {name: name.value,
        description: description.value === '' ? null : description.value}}), 'Saved', reload);
    }}, field('Name', name), field('Description', description), status,
    h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'btn btn-primary'}, 'Save'))));
}

function stepItem(workflow, step, agents, reload) {
  const n = workflow.steps.length;
  const label = `Step ${step.stepOrder}`;
  if (!can('editor')) {
    return h('li', {class: 'step card', 'aria-label': label},
      h('h3', {}, `${label} · `, h('code', {}, step.agentId)),
      step.action ? h('pre', {class: 'action'}, step.action) : h('p', {class: 'muted'}, 'No action: the agent gets the input only.'),
      configText(step.config) ? h('pre', {class: 'config'}, configText(step.config)) : null);
  }
  const agent = agentSelect(agents, step.agentId);
  const action = h('textarea', {name: 'action', rows: 3}, step.action || '');
  const config = h('textarea', {name: 'config', rows: 2, class: 'mono', placeholder: '{"maxAttempts": 3}'},
    configText(step.config));
  const status = h('div');
  const stepPath = `/workflows/${workflow.id}/steps/${step.id}`;
  const patch = (body, done) => attempt(status, 'Not changed', () => api(stepPath, {method: 'PATCH', body: body()}),
    done, reload);
  return h('li', {class: 'step card', 'aria-label': label, dataset: {stepId: step.id}},
    h('form', {onsubmit: e => {
      e.preventDefault();
      patch(() => ({agentId: agent.value, action: action.value, config: parseConfig(config.value)}), `${label} saved`);
    }},
    h('div', {class: 'step-head'}, h('h3', {}, label),
      h('div', {class: 'actions'},
        h('button', {type: 'button', class: 'btn btn-small', disabled: step.stepOrder === 1,
          'aria-label': `Move step ${step.stepOrder} up`,
          onclick: () => patch(() => ({stepOrder: step.stepOrder - 1}), `${label} moved up`)}, '↑ Up'),
        h('button', {type: 'button', class: 'btn btn-small', disabled: step.stepOrder === n,
          'aria-label': `Move step ${step.stepOrder} down`,
          onclick: () => patch(() => ({stepOrder: step.stepOrder + 1}), `${label} moved down`)}, '↓ Down'),
        h('button', {type: 'button', class: 'btn btn-small btn-danger', 'aria-label': `Delete step ${step.stepOrder}`,
          onclick: async () => {
            if (await confirmDialog(`Delete step ${step.stepOrder}?`, 'The later steps move up. Runs already '
                + 'started keep the steps they started with.', 'Delete step')) {
              attempt(status, 'Not deleted', () => api(stepPath, {method: 'DELETE'}), `${label} deleted`, reload);
            }
          }}, 'Delete'))),
    h('div', {class: 'grid2'}, field('Agent', agent), field('Config (JSON)', config,
      'maxAttempts, timeoutMs, retryBackoffMs; http agents get it all')),
    field('Action', action, 'The instruction for the agent; the step\'s input is the previous step\'s output.'),
    status,
    h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'btn'}, `Save step ${step.stepOrder}`))));
}

function addStepForm(workflow, agents, reload) {
  const agent = agentSelect(agents, null);
  const action = h('textarea', {name: 'action', rows: 3});
  const config = h('textarea', {name: 'config', rows: 2, class: 'mono', placeholder: '{"maxAttempts": 3}'});
  const status = h('div');
  const describe = h('p', {class: 'hint', 'aria-live': 'polite'});
  agent.addEventListener('change', () => {
    const a = agents.find(x => x.id === agent.value);
    describe.textContent = a ? `${a.description || a.name}${a.tools.length ? ` Tools: ${a.tools.join(', ')}.` : ''}` : '';
  });
  return h('form', {class: 'card add-step', 'aria-label': 'Add a step', onsubmit: e => {
    e.preventDefault();
    attempt(status, 'Not added', () => api(`/workflows/${workflow.id}/steps`, {method: 'POST',
      body: {agentId: agent.value, action: action.value, config: parseConfig(config.value)}}),
    `Step ${workflow.steps.length + 1} added`, reload);
  }},
  h('h3', {}, 'Add a step'),
  h('div', {class: 'grid2'}, h('div', {}, field('Agent', agent), describe), field('Config (JSON)', config)),
  field('Action', action), status,
  h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'btn btn-primary'}, 'Add step')));
}

export async function runFormPage(main, {params: [id], signal}) {
  const workflow = await api(`/workflows/${id}`, {signal});
  setTitle(`Run ${workflow.name}`);
  const input = h('textarea', {name: 'input', rows: 10, class: 'big'});
  const session = h('input', {type: 'text', name: 'sessionId', maxlength: 200, pattern: '[A-Za-z0-9._:\\-]{1,200}'});
  const key = h('input', {type: 'text', name: 'idempotencyKey', maxlength: 255});
  const status = h('div');
  fill(main,
    h('nav', {class: 'crumbs', 'aria-label': 'Breadcrumb'}, h('a', {href: '/workflows'}, 'Workflows'), ' / ',
      h('a', {href: `/workflows/${id}`}, workflow.name), ' / '),
    h('h1', {}, `Run ${workflow.name}`),
    workflow.steps.length === 0 ? h('div', {class: 'error', role: 'alert'}, 'This workflow has no steps yet: ',
      h('a', {href: `/workflows/${id}`}, 'add one'), ' before running it.') : null,
    h('form', {class: 'card', 'aria-label': 'Run the workflow', onsubmit: async e => {
      e.preventDefault();
      const submit = e.submitter;
      if (submit) {
        submit.disabled = true;
      }
      const headers = key.value.trim() ? {'Idempotency-Key': key.value.trim()} : {};
      await attempt(status, 'Not started', () => api(`/workflows/${id}/run`, {method: 'POST', headers,
        body: {input: input.value, sessionId: session.value.trim() || undefined}}), 'Run started',
      started => navigate(`/runs/${started.runId}`));
      if (submit) {
        submit.disabled = false; // the page is still here when the run was refused
      }
    }},
    field('Input', input, 'Step 1 gets it; each step\'s output is the next step\'s input.'),
    h('div', {class: 'grid2'},
      field('Session id (optional)', session, 'Runs of one session share their history with the agents.'),
      field('Idempotency key (optional)', key, 'The same key and input within 24 h start nothing new: you get the first run.')),
    status,
    h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'btn btn-primary'}, 'Start run'))));
  input.focus();
}

export async function versionsPage(main, {params: [id], query, signal}) {
  const [workflow, versions] = await Promise.all([api(`/workflows/${id}`, {signal}),
    api(`/workflows/${id}/versions?size=100`, {signal})]);
  setTitle(`Versions of ${workflow.name}`);
  const latest = workflow.definitionVersion;
  const b = Number(query.get('to') || latest);
  const a = Number(query.get('from') || Math.max(1, b - 1));
  const options = selected => versions.content.map(v => h('option', {value: v.definitionVersion,
    selected: v.definitionVersion === selected}, `v${v.definitionVersion} · ${v.name}`));
  const from = h('select', {name: 'from'}, options(a));
  const to = h('select', {name: 'to'}, options(b));
  const diffBox = h('section', {'aria-labelledby': 'diff-title', 'aria-live': 'polite'});
  fill(main,
    h('nav', {class: 'crumbs', 'aria-label': 'Breadcrumb'}, h('a', {href: '/workflows'}, 'Workflows'), ' / ',
      h('a', {href: `/workflows/${id}`}, workflow.name), ' / '),
    h('h1', {}, 'Versions'),
    h('div', {class: 'table-wrap'}, h('table', {},
      h('caption', {class: 'sr-only'}, 'Versions, newest first'),
      h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Version'), h('th', {scope: 'col'}, 'Name'),
        h('th', {scope: 'col'}, 'Steps'), h('th', {scope: 'col', class: 'wide'}, 'When'), h('th', {scope: 'col'}, 'By'))),
      h('tbody', {}, versions.content.map(v => h('tr', {},
        h('td', {}, `v${v.definitionVersion}`), h('td', {}, v.name), h('td', {}, String(v.stepCount)),
        h('td', {class: 'wide'}, timeTag(v.createdAt)), h('td', {}, v.createdBy || '—')))))),
    h('form', {class: 'inline-form', 'aria-label': 'Compare two versions', onsubmit: e => {
      e.preventDefault();
      navigate(`/workflows/${id}/versions?from=${from.value}&to=${to.value}`);
    }}, field('From', from), field('To', to), h('button', {type: 'submit', class: 'btn'}, 'Compare')),
    diffBox);
  if (versions.content.length > 1 || a !== b) {
    const version = v => api(`/workflows/${id}/versions/${v}`, {signal});
    const [va, other] = await Promise.all([version(a), a === b ? null : version(b)]);
    const vb = other || va;
    fill(diffBox, h('h2', {id: 'diff-title'}, `What changed from v${a} to v${b}`), diffView(va, vb));
  }
}

/** The changes between two versions: name, description, and each step added, removed, moved or changed. */
function diffView(a, b) {
  const rows = [];
  if (a.name !== b.name) {
    rows.push(['Name', a.name, b.name]);
  }
  if ((a.description || '') !== (b.description || '')) {
    rows.push(['Description', a.description || '', b.description || '']);
  }
  const before = new Map(a.steps.map(s => [s.id, s]));
  const after = new Map(b.steps.map(s => [s.id, s]));
  for (const s of b.steps) {
    const old = before.get(s.id);
    if (!old) {
      rows.push([`Step ${s.stepOrder} added`, '', `${s.agentId}: ${s.action || ''}`]);
      continue;
    }
    if (old.stepOrder !== s.stepOrder) {
      rows.push([`Step ${s.agentId} moved`, `position ${old.stepOrder}`, `position ${s.stepOrder}`]);
    }
    if (old.agentId !== s.agentId) {
      rows.push([`Step ${s.stepOrder} agent`, old.agentId, s.agentId]);
    }
    if ((old.action || '') !== (s.action || '')) {
      rows.push([`Step ${s.stepOrder} action`, old.action || '', s.action || '']);
    }
    if (JSON.stringify(old.config || {}) !== JSON.stringify(s.config || {})) {
      rows.push([`Step ${s.stepOrder} config`, configText(old.config), configText(s.config)]);
    }
  }
  for (const s of a.steps) {
    if (!after.has(s.id)) {
      rows.push([`Step ${s.stepOrder} removed`, `${s.agentId}: ${s.action || ''}`, '']);
    }
  }
  if (rows.length === 0) {
    return h('p', {}, 'No differences.');
  }
  return h('div', {class: 'table-wrap'}, h('table', {class: 'diff'},
    h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'What'), h('th', {scope: 'col'}, `v${a.definitionVersion}`),
      h('th', {scope: 'col'}, `v${b.definitionVersion}`))),
    h('tbody', {}, rows.map(([what, x, y]) => h('tr', {}, h('th', {scope: 'row'}, what),
      h('td', {}, x ? h('del', {}, x) : '—'), h('td', {}, y ? h('ins', {}, y) : '—'))))));
}
