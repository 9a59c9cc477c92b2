// Controls: the sandbox clock, fault rules, and resetting the account,
// each through the public control plane.
import { api, query } from '../api.js';
import { debounce, field, h, table } from '../dom.js';
import { t, when } from '../i18n.js';

let refresh = () => {};

export async function render(main, ctx) {
  const note = h('p', { id: 'controls-note', role: 'status', 'aria-live': 'polite' });
  const clockNow = h('output', { id: 'clock-now' });
  const advance = h('input', { value: '1h', required: true, pattern: '([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+', size: '8', autocomplete: 'off' });
  const clockForm = h('form', { id: 'clock-form', class: 'card', 'aria-labelledby': 'clock-title' },
    h('h3', { id: 'clock-title' }, t('controls.clock')), h('p', null, t('controls.now'), ' ', clockNow),
    h('div', { class: 'row' }, field('clock-advance', t('controls.advance'), advance),
      h('div', { class: 'field end' }, h('button', { type: 'submit', id: 'clock-submit' }, t('controls.advanceBtn')))));

  const fApi = h('select', null, ['vtex', 'skyhub', 'carrier', 'mercadolivre'].map((a) => new Option(a, a)));
  const fMethod = h('select', null, ['', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE'].map((m) => new Option(m || t('journal.any'), m)));
  const fPath = h('input', { value: '/api/oms/pvt/orders/*/start-handling', required: true, autocomplete: 'off' });
  const fStatus = h('input', { type: 'number', min: '400', max: '599', value: '503', required: true });
  const fTimes = h('input', { type: 'number', min: '0', value: '1' });
  const faultForm = h('form', { id: 'fault-form', class: 'card', 'aria-labelledby': 'fault-title' },
    h('h3', { id: 'fault-title' }, t('controls.faults')),
    h('div', { class: 'row' }, field('fault-api', 'API', fApi), field('fault-method', t('journal.method'), fMethod),
      field('fault-path', t('journal.path'), fPath), field('fault-status', t('col.status'), fStatus),
      field('fault-times', t('controls.times'), fTimes),
      h('div', { class: 'field end' }, h('button', { type: 'submit', id: 'fault-submit' }, t('controls.addFault')))));
  const faultList = h('div', { id: 'fault-list' });

  const resetBtn = h('button', { type: 'button', id: 'reset-account', class: 'danger' }, t('controls.reset', { account: ctx.account }));
  const resetBox = h('section', { class: 'card', 'aria-labelledby': 'reset-title' },
    h('h3', { id: 'reset-title' }, t('controls.resetTitle')), h('p', null, t('controls.resetWhy')), resetBtn);

  main.append(h('h2', null, t('nav.controls')), note, clockForm, faultForm, faultList, resetBox);

  const say = (msg, bad) => { note.textContent = msg; note.className = bad ? 'error' : ''; };
  const guard = (fn) => async (ev) => {
    if (ev) ev.preventDefault();
    try { await fn(); } catch (e) { say(e.message, true); }
  };
  const load = async () => {
    const [clock, faults] = await Promise.all([api('/_sandbox/clock'), api('/_sandbox/faults')]);
    clockNow.textContent = when(clock.now) + (clock.frozen ? ' (' + t('controls.frozen') + ')' : '');
    const mine = faults.filter((f) => !f.account || f.account === ctx.account);
    faultList.replaceChildren(mine.length ? table(t('controls.faultsCaption'),
      ['ID', 'API', t('journal.method'), t('journal.path'), t('col.status'), t('controls.hits'), t('controls.remaining'), ''],
      mine.map((f) => h('tr', { 'data-fault': f.id }, h('td', null, f.id), h('td', null, f.api || '*'), h('td', null, f.method || '*'),
        h('td', null, h('code', null, f.path || '*')), h('td', null, f.status || (f.feed ? 'feed: ' + f.feed : '—')), h('td', { class: 'num' }, f.hits),
        h('td', { class: 'num' }, f.remaining === null || f.remaining === undefined ? '∞' : f.remaining),
        h('td', null, h('button', { type: 'button', class: 'danger', 'aria-label': t('controls.remove', { id: f.id }),
          onclick: guard(async () => { await api('/_sandbox/faults/' + encodeURIComponent(f.id), { method: 'DELETE' }); say(t('controls.removed', { id: f.id })); await load(); }) },
        t('controls.removeBtn'))))), { class: 'grid', id: 'faults-table' })
      : h('p', { class: 'muted', id: 'no-faults' }, t('controls.noFaults')));
  };
  clockForm.addEventListener('submit', guard(async () => {
    const c = await api('/_sandbox/clock', { method: 'POST', body: { advance: advance.value.trim() } });
    say(t('controls.advanced', { now: when(c.now) }));
    await load();
  }));
  faultForm.addEventListener('submit', guard(async () => {
    const rule = { api: fApi.value, account: ctx.account, path: fPath.value.trim(), status: Number(fStatus.value) };
    if (fMethod.value) rule.method = fMethod.value;
    if (fTimes.value !== '' && Number(fTimes.value) > 0) rule.times = Number(fTimes.value);
    const f = await api('/_sandbox/faults', { method: 'POST', body: rule });
    say(t('controls.added', { id: f.id }));
    await load();
  }));
  resetBtn.addEventListener('click', guard(async () => {
    if (!confirm(t('controls.confirmReset', { account: ctx.account }))) return;
    await api('/_sandbox/reset' + query({ account: ctx.account }), { method: 'POST' });
    say(t('controls.wasReset', { account: ctx.account }));
    await load();
  }));
  refresh = debounce(() => load().catch(() => {}), 200);
  await load();
}

export function onLive(kind, msg) {
  if (kind === 'journal' && msg.fault) refresh();
}
