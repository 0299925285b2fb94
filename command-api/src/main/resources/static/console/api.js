// The console's only way to the engine: the public REST API (/api/v1) and its event streams, with the
// signed-in user's bearer credential. No other endpoint, no server-side session.

const KEY = 'agentflow.credential';

/** The credential the user signed in with (this tab, or this browser when they chose to stay signed in). */
function credential() {
  return sessionStorage.getItem(KEY) || localStorage.getItem(KEY) || '';
}

export function signIn(token, remember) {
  signOut();
  (remember ? localStorage : sessionStorage).setItem(KEY, token);
}

export function signOut() {
  sessionStorage.removeItem(KEY);
  localStorage.removeItem(KEY);
}

/** An answer that is not 2xx, with its problem+json (RFC 9457) when it has one. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem && (problem.detail || problem.title) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
}

/** Someone must sign in (again): set by the app to show the sign-in page. */
let onUnauthorized = () => {};
export function whenUnauthorized(handler) {
  onUnauthorized = handler;
}

function headers(extra) {
  const h = {Accept: 'application/json', ...extra};
  const token = credential();
  if (token) {
    h.Authorization = `Bearer ${token}`;
  }
  return h;
}

/**
 * Calls the API: `path` under /api/v1, a JSON body for writes. Resolves with the parsed answer
 * (null for 204), rejects with an ApiError.
 */
export async function api(path, {method = 'GET', body, headers: extra = {}, signal} = {}) {
  const init = {method, headers: headers(extra), signal};
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  } else if (method !== 'GET') {
    init.headers['Content-Type'] = 'application/json'; // a bodiless write must not claim another type
  }
  let response;
  try {
    response = await fetch(`/api/v1${path}`, init);
  } catch (e) {
    if (e.name === 'AbortError') {
      throw e;
    }
    throw new ApiError(0, {title: 'The server cannot be reached', detail: 'The server cannot be reached; is it running?'});
  }
  if (response.status === 401) {
    onUnauthorized();
  }
  const type = response.headers.get('Content-Type') || '';
  const text = response.status === 204 ? '' : await response.text();
  const parsed = text && type.includes('json') ? JSON.parse(text) : (text || null);
  if (!response.ok) {
    throw new ApiError(response.status, typeof parsed === 'object' ? parsed : {detail: String(parsed || response.statusText)});
  }
  return parsed;
}

/**
 * Follows a Server-Sent Events stream of the API (fetch, so that it carries the bearer credential,
 * which EventSource cannot). Calls onEvent({id, event, data}) per message; reconnects with
 * Last-Event-ID when the connection drops, until the server ends the stream (onEnd) or `signal`
 * aborts. Answers 204 (nothing more will come) end it too.
 */
export function stream(path, {lastEventId, signal, onEvent, onEnd = () => {}, onError = () => {}}) {
  let last = lastEventId;
  let delay = 500;
  const run = async () => {
    while (!signal.aborted) {
      try {
        const h = headers({Accept: 'text/event-stream'});
        if (last) {
          h['Last-Event-ID'] = last;
        }
        const response = await fetch(`/api/v1${path}`, {headers: h, signal});
        if (response.status === 204) {
          onEnd();
          return;
        }
        if (!response.ok) {
          if (response.status === 401) {
            onUnauthorized();
          }
          const problem = await response.json().catch(() => ({}));
          throw new ApiError(response.status, problem);
        }
        delay = 500;
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        let message = {data: []};
        for (;;) {
          const {value, done} = await reader.read();
          if (done) {
            break;
          }
          buffer += value;
          let nl;
          while ((nl = buffer.search(/\r\n|\r|\n/)) >= 0) {
            const line = buffer.slice(0, nl);
            buffer = buffer.slice(nl + (buffer.startsWith('\r\n', nl) ? 2 : 1));
            if (line === '') {
              if (message.data.length) {
                if (message.id !== undefined) {
                  last = message.id;
                }
                onEvent({id: message.id, event: message.event || 'message', data: message.data.join('\n')});
              }
              message = {data: []};
            } else if (!line.startsWith(':')) {
              const colon = line.indexOf(':');
              const field = colon < 0 ? line : line.slice(0, colon);
              const val = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
              if (field === 'data') {
                message.data.push(val);
              } else if (field === 'id' || field === 'event') {
                message[field] = val;
              }
            }
          }
        }
        // The server closed the stream (the run ended, or the stream was recycled): ask again from the
        // last event; a finished run's stream answers 204 then.
        delay = 0;
      } catch (e) {
        if (signal.aborted) {
          return;
        }
        onError(e);
        if (e instanceof ApiError && e.status >= 400 && e.status < 500 && e.status !== 429) {
          return;
        }
      }
      await new Promise(resolve => setTimeout(resolve, delay));
      delay = Math.min(Math.max(delay * 2, 500), 10000);
    }
  };
  run();
}
