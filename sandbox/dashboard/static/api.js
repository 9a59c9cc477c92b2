// The page's only way to the sandbox: the public control plane, with the
// control token (kept in this tab's sessionStorage) when one is needed.

const TOKEN_KEY = 'omsbox.token';
let askToken = async () => { throw new Error('no token prompt'); };

// onTokenNeeded sets how the page asks a person for the token: a function
// that resolves once a new token is stored.
export function onTokenNeeded(fn) { askToken = fn; }

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY) || '',
  set: (t) => sessionStorage.setItem(TOKEN_KEY, t),
};

function headers(extra) {
  const hs = { Accept: 'application/json', ...extra };
  const t = token.get();
  if (t) hs.Authorization = 'Bearer ' + t;
  return hs;
}

// ApiError carries the control plane's {error:{code,message}}.
export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error && body.error.message) || 'HTTP ' + status);
    this.status = status;
  }
}

// api calls the control plane; a 401 asks for the token and tries again.
export async function api(path, { method = 'GET', body } = {}) {
  for (;;) {
    const res = await fetch(path, {
      method,
      headers: headers(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status === 401) {
      await askToken(token.get() !== '');
      continue;
    }
    const text = await res.text();
    const data = text ? JSON.parse(text) : null;
    if (!res.ok) throw new ApiError(res.status, data);
    return data;
  }
}

// query builds a query string from the non-empty values.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? '?' + s : '';
}

// stream reads GET /_sandbox/stream with fetch (EventSource cannot send a
// bearer token) and hands each server-sent event to onMessage(kind, data).
// It reconnects where it stopped until stop() is called; onState(bool)
// hears whether it is connected.
export function stream(params, onMessage, onState) {
  let stopped = false;
  let ctrl;
  const since = {};
  (async () => {
    let wait = 500;
    while (!stopped) {
      ctrl = new AbortController();
      try {
        const res = await fetch('/_sandbox/stream' + query({ ...params, ...since }), {
          headers: headers({ Accept: 'text/event-stream' }), signal: ctrl.signal,
        });
        if (res.status === 401) { onState(false); await askToken(token.get() !== ''); continue; }
        if (!res.ok || !res.body) throw new Error('HTTP ' + res.status);
        onState(true);
        wait = 500;
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value;
          let end;
          while ((end = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, end);
            buf = buf.slice(end + 2);
            let kind = 'message';
            const data = [];
            for (const line of block.split('\n')) {
              if (line.startsWith('event:')) kind = line.slice(6).trim();
              else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
            }
            if (!data.length) continue;
            const msg = JSON.parse(data.join('\n'));
            if (kind === 'ready') { since.journalSince = msg.journalSince; since.eventsSince = msg.eventsSince; continue; }
            if (kind === 'journal') since.journalSince = msg.seq;
            if (kind === 'event') since.eventsSince = msg.seq;
            onMessage(kind, msg);
          }
        }
      } catch (e) {
        if (stopped) return;
      }
      onState(false);
      if (stopped) return;
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(wait * 2, 10000);
    }
  })();
  return () => { stopped = true; if (ctrl) ctrl.abort(); };
}
