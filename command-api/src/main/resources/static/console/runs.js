// Runs: the list (every workflow's or one's, by status, newest first) and one run, live: its steps as a
// timeline fed by the run's event stream (agents' answers appear as they stream), its event history
// with who did what, and retry, fork, cancel and approve.

import {api, stream} from './api.js';
import {can, navigate, refreshInboxBadge} from './app.js';
import {h, fill, field, emptyState, pager, timeTag, toast, statusBadge, formatDuration, payload, attempt,
  reasonDialog, setTitle} from './ui.js';

const STATUSES = ['RUNNING', 'PAUSED', 'COMPLETED', 'FAILED', 'CANCELLED'];
const FINISHED = ['COMPLETED', 'FAILED', 'CANCELLED'];

/** Workflow names by id, for the lists (a run names its workflow by id). */
const names = new Map();
export async function workflowName(id, signal) {
  if (!names.has(id)) {
    names.set(id, api(`/workflows/${id}`, {signal}).then(w => w.name).catch(() => id));
  }
  return names.get(id);
}

export async function runsPage(main, {params: [workflowId], query, signal}) {
  const status = STATUSES.includes(query.get('status')) ? query.get('status') : '';
  const page = Number(query.get('page') || 0);
  const base = workflowId ? `/workflows/${workflowId}/runs` : '/runs';
  const path = workflowId ? `/workflows/${workflowId}/runs?page=${page}&size=20`
    : `/workflows/runs?order=newest&page=${page}&size=20`;
  const [list, title] = await Promise.all([api(`${path}${status ? `&status=${status}` : ''}`, {signal}),
    workflowId ? workflowName(workflowId, signal) : Promise.resolve(null)]);
  setTitle(title ? `Runs of ${title}` : 'Runs');
  const wfNames = await Promise.all(list.content.map(r => workflowName(r.workflowId, signal)));
  const filter = h('select', {name: 'status'}, h('option', {value: ''}, 'Any status'),
    STATUSES.map(s => h('option', {value: s, selected: s === status}, s)));
  fill(main,
    workflowId ? h('nav', {class: 'crumbs', 'aria-label': 'Breadcrumb'}, h('a', {href: '/workflows'}, 'Workflows'),
      ' / ', h('a', {href: `/workflows/${workflowId}`}, title), ' / ') : null,
    h('div', {class: 'page-head'}, h('h1', {}, title ? `Runs of ${title}` : 'Runs'),
      workflowId && can('operator') ? h('a', {class: 'btn btn-primary', href: `/workflows/${workflowId}/run`}, 'Run') : null),
    h('form', {class: 'inline-form', 'aria-label': 'Filter the runs', onsubmit: e => {
      e.preventDefault();
      navigate(`${base}${filter.value ? `?status=${filter.value}` : ''}`);
    }}, field('Status', filter), h('button', {type: 'submit', class: 'btn'}, 'Show')),
    list.content.length === 0
      ? emptyState(status ? `No ${status.toLowerCase()} runs.` : 'No runs yet.',
        workflowId && can('operator') ? h('a', {href: `/workflows/${workflowId}/run`}, 'Start one') : null)
      : h('div', {class: 'table-wrap'}, h('table', {},
        h('caption', {class: 'sr-only'}, 'Runs, newest first'),
        h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Run'), h('th', {scope: 'col'}, 'Status'),
          workflowId ? null : h('th', {scope: 'col'}, 'Workflow'), h('th', {scope: 'col'}, 'Step'),
          h('th', {scope: 'col'}, 'Duration'), h('th', {scope: 'col', class: 'wide'}, 'Started'))),
        h('tbody', {}, list.content.map((r, i) => h('tr', {},
          h('td', {}, h('a', {href: `/runs/${r.id}`, class: 'mono'}, shortId(r.id))),
          h('td', {}, statusBadge(r.status)),
          workflowId ? null : h('td', {}, h('a', {href: `/workflows/${r.workflowId}`}, wfNames[i])),
          h('td', {}, r.currentStepOrder ? String(r.currentStepOrder) : '—'),
          h('td', {}, formatDuration(r.durationMs)),
          h('td', {class: 'wide'}, timeTag(r.createdAt))))))),
    pager(list, n => `${base}?page=${n}${status ? `&status=${status}` : ''}`));
}

export function shortId(id) {
  return id.length > 14 ? `${id.slice(0, 11)}…` : id;
}

export async function runPage(main, {params: [runId], signal}) {
  const [run, history] = await Promise.all([api(`/workflows/runs/${runId}`, {signal}),
    api(`/workflows/runs/${runId}/events?page=0&size=1000`, {signal})]);
  // lastVersion: the newest event shown; deltas: the streamed text of each running step, by step
  const state = {run, lastVersion: 0, deltas: new Map(), refreshing: false, again: false, controlsKey: null};
  const wfName = await workflowName(run.workflowId, signal);
  const head = h('div');
  const controls = h('div');
  const timeline = h('ol', {class: 'timeline', 'aria-label': 'Steps'});
  const eventsBody = h('tbody');
  const liveNote = h('span', {class: 'live', 'aria-live': 'polite'});
  fill(main,
    h('nav', {class: 'crumbs', 'aria-label': 'Breadcrumb'}, h('a', {href: '/runs'}, 'Runs'), ' / ',
      h('a', {href: `/workflows/${state.run.workflowId}`}, wfName), ' / '),
    head, controls,
    h('section', {'aria-labelledby': 'tl-title'}, h('h2', {id: 'tl-title'}, 'Steps ', liveNote), timeline),
    h('section', {'aria-labelledby': 'ev-title'}, h('h2', {id: 'ev-title'}, 'Event history'),
      h('div', {class: 'table-wrap'}, h('table', {class: 'events'},
        h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, '#'), h('th', {scope: 'col'}, 'Event'),
          h('th', {scope: 'col'}, 'By'), h('th', {scope: 'col', class: 'wide'}, 'When'), h('th', {scope: 'col'}, 'Details'))),
        eventsBody))));
  const addEvent = event => {
    if (event.version > state.lastVersion) { // in version order; a repeat (none is expected) is skipped
      state.lastVersion = event.version;
      eventsBody.append(eventRow(event));
    }
  };
  history.content.forEach(addEvent);

  const draw = () => {
    const run = state.run;
    setTitle(`${run.status} · ${shortId(run.id)}`, wfName);
    fill(head, runHeader(run, wfName));
    const key = `${run.status}|${run.currentStepOrder}|${run.steps.length}`;
    if (state.controlsKey !== key) { // not while someone types in the approval or fork form
      state.controlsKey = key;
      fill(controls, runControls(run, state, refresh, follow));
    }
    fill(timeline, run.steps.map(step => stepEntry(run, step, state.deltas)));
    liveNote.textContent = FINISHED.includes(run.status) ? '' : '· live';
  };

  // Each event the stream brings: into the history at once; the run's view asked again (the stream sends
  // an event once the views have applied it, so the view shows it).
  const refresh = async () => {
    if (state.refreshing) {
      state.again = true;
      return;
    }
    state.refreshing = true;
    try {
      do {
        state.again = false;
        state.run = await api(`/workflows/runs/${runId}`, {signal});
      } while (state.again);
      draw();
    } catch (e) {
      if (!signal.aborted) {
        toast(`Could not refresh the run: ${e.message}`);
      }
    } finally {
      state.refreshing = false;
    }
  };

  let following = false;
  const follow = () => {
    if (following) {
      return;
    }
    following = true;
    stream(`/workflows/runs/${runId}/stream`, {lastEventId: state.lastVersion ? String(state.lastVersion) : undefined,
      signal,
      onEvent: message => {
        const data = JSON.parse(message.data);
        if (message.event === 'delta') {
          const key = `${data.stepOrder}`;
          const d = state.deltas.get(key) || {attempt: data.attempt, text: ''};
          if (d.attempt !== data.attempt) {
            d.attempt = data.attempt;
            d.text = '';
          }
          d.text += data.kind === 'tool_call' ? (data.tool ? `\n[${data.tool}] ` : '') + data.text : data.text;
          state.deltas.set(key, d);
          const live = timeline.querySelector(`[data-stream="${key}"]`);
          if (live) {
            live.textContent = d.text;
          } else {
            refresh();
          }
          return;
        }
        addEvent(data);
        if (/^Step(Completed|Failed|AttemptFailed)$/.test(data.type)) {
          state.deltas.delete(`${data.data && data.data.stepOrder}`);
        }
        refresh();
        if (/^Run(Paused|Resumed|Completed|Failed|Cancelled)$/.test(data.type)) {
          refreshInboxBadge();
        }
      },
      onEnd: () => {
        following = false;
        refresh();
      },
      onError: e => {
        liveNote.textContent = `· reconnecting (${e.message})`;
      }});
  };

  draw();
  follow();
}

function runHeader(run, wfName) {
  const meta = [
    ['Run', h('code', {}, run.id)],
    ['Workflow', h('span', {}, h('a', {href: `/workflows/${run.workflowId}`}, wfName),
      run.definitionVersion ? ` (v${run.definitionVersion})` : '')],
    ['Started', timeTag(run.createdAt)],
    ['Duration', formatDuration(run.durationMs)],
    ['Started by', run.startedBy || '—'],
    ['Session', h('code', {}, run.sessionId)],
  ];
  if (run.cancelledBy) {
    meta.push(['Cancelled by', run.cancelledBy]);
  }
  if (run.cancelReason) {
    meta.push(['Reason', run.cancelReason]);
  }
  if (run.forkedFrom) {
    meta.push(['Forked from', h('span', {}, h('a', {href: `/runs/${run.forkedFrom.runId}`}, shortId(run.forkedFrom.runId)),
      ` at step ${run.forkedFrom.fromStep}`)]);
  }
  if (run.forks && run.forks.length) {
    meta.push(['Forks', h('span', {}, run.forks.map((f, i) => [i ? ', ' : '', h('a', {href: `/runs/${f}`}, shortId(f))]))]);
  }
  if (run.traceId) {
    meta.push(['Trace', h('code', {}, run.traceId)]);
  }
  return [
    h('div', {class: 'page-head'}, h('h1', {}, 'Run ', h('span', {class: 'mono'}, shortId(run.id)), ' ',
      h('span', {id: 'run-status'}, statusBadge(run.status)))),
    h('dl', {class: 'meta'}, meta.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
    run.error ? h('div', {class: 'error', role: 'alert'}, h('strong', {}, 'Error: '), run.error) : null,
    h('details', {class: 'card'}, h('summary', {}, 'Input'), payload(run.input, run.inputTruncated, run.inputHref, 'Run input')),
    run.status === 'COMPLETED' ? h('section', {class: 'card', 'aria-labelledby': 'out-title'},
      h('h2', {id: 'out-title'}, 'Output'), payload(run.output, run.outputTruncated, run.outputHref, 'Run output')) : null,
  ];
}

function runControls(run, state, refresh, follow) {
  if (!can('operator')) {
    return null;
  }
  const status = h('div');
  const act = runAction(run.id, status, async () => {
    await refresh();
    follow();
  });
  const parts = [];
  if (run.status === 'PAUSED' && run.pendingApproval) {
    parts.push(decision(run, act));
  }
  const buttons = [];
  if (run.status === 'RUNNING' || run.status === 'PAUSED') {
    buttons.push(h('button', {type: 'button', class: 'btn btn-danger', onclick: async () => {
      const reason = await reasonDialog('Cancel this run?', 'It ends as CANCELLED at once; a retry can take it up again.',
        'Cancel run');
      if (reason !== null) {
        act('cancel', reason ? {reason} : undefined, 'Run cancelled');
      }
    }}, 'Cancel run'));
  }
  if (run.status === 'FAILED' || run.status === 'CANCELLED') {
    buttons.push(h('button', {type: 'button', class: 'btn btn-primary', onclick: () => act('retry', undefined,
      `Retrying from step ${run.currentStepOrder || 1}`)}, 'Retry'));
  }
  const forkBox = h('div');
  if (run.steps.length) {
    buttons.push(h('button', {type: 'button', class: 'btn', onclick: () => fill(forkBox, forkForm(run, forkBox))},
      'Fork…'));
  }
  parts.push(h('div', {class: 'actions'}, buttons), forkBox, status);
  return parts;
}

/** A write of the run (`path`: resume, cancel, retry), then `after`; a refusal shows in `status`. */
export function runAction(runId, status, after) {
  return (path, body, done) => attempt(status, 'Not done',
    () => api(`/workflows/runs/${runId}/${path}`, {method: 'POST', body}), done, () => {
      refreshInboxBadge();
      return after();
    });
}

/** The approval request, approved with the output as proposed or edited, or rejected with a reason. */
export function decision(run, act) {
  return approvalForm(run, output => act('resume', {output}, 'Approved: the run goes on'), async () => {
    const reason = await reasonDialog('Reject and cancel this run?', 'The run ends as CANCELLED; its history stays.',
      'Reject');
    if (reason !== null) {
      act('cancel', reason ? {reason} : undefined, 'Rejected: the run is cancelled');
    }
  });
}

/** The approval request as the agent made it, and approve (as proposed or edited) or reject. */
function approvalForm(run, approve, reject) {
  const pending = run.pendingApproval;
  const output = h('textarea', {name: 'output', rows: 6}, pending.proposedOutput || '');
  return h('form', {class: 'card approval', 'aria-label': 'Approval', onsubmit: e => {
    e.preventDefault();
    approve(output.value);
  }},
  h('h2', {}, 'Waiting for approval'),
  h('dl', {class: 'meta'},
    h('dt', {}, 'Step'), h('dd', {}, String(run.currentStepOrder)),
    pending.reason ? [h('dt', {}, 'Reason'), h('dd', {}, pending.reason)] : null,
    pending.tool ? [h('dt', {}, 'Tool'), h('dd', {}, h('code', {}, pending.tool))] : null),
  pending.arguments ? h('div', {}, h('h3', {}, 'Arguments'), h('pre', {tabindex: '0'}, pretty(pending.arguments))) : null,
  field('Output to continue with', output, 'As the agent proposed it; edit it before approving if needed. The next step gets it as its input.'),
  h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'btn btn-primary'}, 'Approve'),
    h('button', {type: 'button', class: 'btn btn-danger', onclick: reject}, 'Reject')));
}

function pretty(value) {
  if (typeof value !== 'string') {
    return JSON.stringify(value, null, 2);
  }
  try {
    return JSON.stringify(JSON.parse(value), null, 2);
  } catch (e) {
    return value;
  }
}

function forkForm(run, box) {
  const steps = run.steps.map(s => s.stepOrder);
  const from = h('select', {name: 'fromStep'}, steps.map(n => h('option', {value: n}, `Step ${n}`)));
  const input = h('textarea', {name: 'input', rows: 5});
  const prefill = () => {
    const s = run.steps.find(x => x.stepOrder === Number(from.value));
    input.value = s && s.input !== null && !s.inputTruncated ? s.input : '';
  };
  from.addEventListener('change', prefill);
  prefill();
  const status = h('div');
  return h('form', {class: 'card', 'aria-label': 'Fork the run', onsubmit: e => {
    e.preventDefault();
    attempt(status, 'Not forked', () => api(`/workflows/runs/${run.id}/fork`, {method: 'POST',
      body: {fromStep: Number(from.value), input: input.value}}), `Forked from step ${from.value}`,
    forked => navigate(`/runs/${forked.runId}`));
  }},
  h('h2', {}, 'Fork from a step'),
  h('p', {class: 'hint'}, 'A new run takes over this run\'s outputs of the earlier steps and executes from the chosen step.'),
  field('From step', from), field('Input of that step', input), status,
  h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'btn btn-primary'}, 'Start fork'),
    h('button', {type: 'button', class: 'btn', onclick: () => fill(box)}, 'Close')));
}

function stepEntry(run, step, deltas) {
  const live = deltas.get(String(step.stepOrder));
  const running = step.status === 'RUNNING' || step.status === 'RETRYING';
  return h('li', {class: `tl-step tl-${step.status.toLowerCase()}`, 'aria-label': `Step ${step.stepOrder}`,
    dataset: {step: step.stepOrder, status: step.status}},
  h('div', {class: 'step-head'},
    h('h3', {}, `Step ${step.stepOrder} · `, h('code', {}, step.agentId)), statusBadge(step.status)),
  h('p', {class: 'muted small'},
    step.attempts ? `Attempt ${step.attempts}` : 'Not started',
    step.startedAt ? [' · started ', timeTag(step.startedAt)] : null,
    step.finishedAt ? [' · took ', formatDuration(Date.parse(step.finishedAt) - Date.parse(step.startedAt))] : null,
    step.approvedBy ? ` · approved by ${step.approvedBy}` : null,
    step.reusedFrom ? [' · reused from ', h('a', {href: `/runs/${step.reusedFrom}`}, shortId(step.reusedFrom))] : null),
  step.action ? h('p', {class: 'action-line'}, h('span', {class: 'muted'}, 'Action: '), step.action) : null,
  step.error ? (step.status === 'FAILED' || step.status === 'CANCELLED'
    ? h('div', {class: 'error', role: 'alert'}, h('strong', {}, 'Error: '), step.error)
    : h('div', {class: 'warning'}, h('strong', {}, 'An earlier attempt failed: '), step.error)) : null,
  step.input !== null && step.input !== undefined ? h('details', {}, h('summary', {}, 'Input'),
    payload(step.input, step.inputTruncated, step.inputHref, `Step ${step.stepOrder} input`)) : null,
  running || live ? h('div', {class: 'streaming'}, h('span', {class: 'muted small'}, running ? 'Streaming…' : 'Streamed'),
    h('pre', {'data-stream': String(step.stepOrder), 'aria-live': 'off'}, live ? live.text : '')) : null,
  step.output !== null && step.output !== undefined ? h('div', {class: 'step-output'}, h('span', {class: 'muted small'}, 'Output'),
    payload(step.output, step.outputTruncated, step.outputHref, `Step ${step.stepOrder} output`)) : null);
}

function eventRow(e) {
  return h('tr', {},
    h('td', {}, String(e.version)),
    h('td', {}, h('code', {}, e.type)),
    h('td', {}, e.actor || '—'),
    h('td', {class: 'wide'}, timeTag(e.occurredAt)),
    h('td', {class: 'clip'}, eventSummary(e)));
}

function eventSummary(e) {
  const d = e.data || {};
  const parts = [];
  if (d.stepOrder) {
    parts.push(`step ${d.stepOrder}`);
  }
  if (d.attempt) {
    parts.push(`attempt ${d.attempt}`);
  }
  if (d.agentId) {
    parts.push(d.agentId);
  }
  const text = d.error || d.reason || (typeof d.output === 'string' ? d.output : null);
  if (text) {
    parts.push(text.length > 120 ? `${text.slice(0, 120)}…` : text);
  }
  return parts.join(' · ');
}
