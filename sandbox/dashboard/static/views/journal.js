// Journal: the account's recorded calls, newest first, filtered by api,
// method, path and status, tailing live.
import { api, query } from '../api.js';
import { field, h } from '../dom.js';
import { t, when } from '../i18n.js';
import { bodies } from './order.js';

const SHOWN = 200;
let filters = { api: '', method: '', path: '', status: '' };
let body = null;
let ctxAccount = '';

export async function render(main, ctx) {
  ctxAccount = ctx.account;
  const apiSel = h('select', null, ['', 'vtex', 'skyhub', 'carrier', 'mercadolivre', 'hook', 'mercadolivre-notification']
    .map((a) => new Option(a || t('journal.any'), a, false, a === filters.api)));
  const method = h('select', null, ['', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE'].map((m) => new Option(m || t('journal.any'), m, false, m === filters.method)));
  const path = h('input', { value: filters.path, placeholder: '/api/oms/pvt/orders/**', autocomplete: 'off' });
  const status = h('input', { value: filters.status, placeholder: '4xx', size: '4', pattern: '[1-5]([0-9]{2}|xx)', autocomplete: 'off' });
  const form = h('form', { id: 'journal-filters', class: 'card row', role: 'search' },
    field('f-api', 'API', apiSel), field('f-method', t('journal.method'), method), field('f-path', t('journal.path'), path),
    field('f-status', t('col.status'), status), h('div', { class: 'field end' }, h('button', { type: 'submit' }, t('journal.apply'))));
  const err = h('p', { class: 'error', role: 'alert' });
  body = h('tbody', { id: 'journal-rows' });
  main.append(h('h2', null, t('nav.journal')), form, err,
    h('table', { class: 'grid', id: 'journal-table' },
      h('caption', null, t('journal.caption')),
      h('thead', null, h('tr', null, [t('col.time'), 'API', t('journal.method'), t('journal.path'), t('col.status'), 'ms'].map((x) => h('th', { scope: 'col' }, x)))),
      body));
  const load = async () => {
    err.textContent = '';
    const list = await api('/_sandbox/journal' + query({ account: ctx.account, ...filters, last: SHOWN }));
    body.replaceChildren(...list.reverse().map(row));
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    filters = { api: apiSel.value, method: method.value, path: path.value.trim(), status: status.value.trim() };
    load().catch((e) => { err.textContent = e.message; });
  });
  await load();
}

export function onLive(kind, e) {
  if (kind !== 'journal' || !body || !matches(e)) return;
  body.prepend(row(e));
  while (body.children.length > SHOWN * 2) { body.lastChild.remove(); body.lastChild.remove(); }
}

// matches applies the filters to a live entry as the server does.
function matches(e) {
  if (ctxAccount && e.account !== ctxAccount) return false;
  if (filters.api && e.api !== filters.api) return false;
  if (filters.method && e.method !== filters.method) return false;
  if (filters.status) {
    const s = String(e.status);
    if (filters.status.endsWith('xx') ? s[0] !== filters.status[0] : s !== filters.status) return false;
  }
  return !filters.path || glob(filters.path, e.path);
}

function glob(pattern, path) {
  if (pattern.endsWith('/**')) {
    const p = pattern.slice(0, -3);
    return path === p || path.startsWith(p + '/');
  }
  const re = new RegExp('^' + pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*') + '$');
  return re.test(path);
}

function row(e) {
  const details = h('tr', { class: 'details', hidden: true }, h('td', { colspan: '6' }, bodies(e)));
  const toggle = h('button', { type: 'button', class: 'link', 'aria-expanded': 'false' }, e.path + (e.query ? '?' + e.query : ''));
  toggle.addEventListener('click', () => {
    details.hidden = !details.hidden;
    toggle.setAttribute('aria-expanded', String(!details.hidden));
  });
  const frag = document.createDocumentFragment();
  frag.append(h('tr', { 'data-seq': e.seq },
    h('td', null, when(e.time)), h('td', null, e.api + (e.origin ? ' (' + e.origin + ')' : '')), h('td', null, e.method),
    h('td', null, toggle), h('td', null, h('span', { class: 'badge ' + (e.status >= 400 ? 'bad' : 'good') }, String(e.status)), e.fault ? ' ' + t('journal.fault') : ''),
    h('td', { class: 'num' }, e.durationMs.toFixed(1))), details);
  return frag;
}
