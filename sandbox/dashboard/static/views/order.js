// One order: its row in the list and its timeline, each recorded call
// beside the events it raised, updated live.
import { api, query } from '../api.js';
import { debounce, h, pretty } from '../dom.js';
import { money, t, when } from '../i18n.js';
import { invoices, tone } from './orders.js';

let refresh = () => {};
let ids = new Set();

export async function render(main, ctx) {
  const id = ctx.arg;
  const head = h('div', { id: 'order-head' });
  const steps = h('ol', { id: 'timeline', class: 'timeline', 'aria-live': 'polite' });
  main.append(h('p', null, h('a', { href: '#/orders' }, '← ' + t('nav.orders'))),
    h('h2', null, t('order.title', { id })), head, h('h3', null, t('order.timeline')), steps);
  const load = async () => {
    const [tl, list] = await Promise.all([
      api('/_sandbox/orders/' + encodeURIComponent(id) + '/timeline' + query({ account: ctx.account })),
      api('/_sandbox/orders' + query({ account: ctx.account, limit: 500 })),
    ]);
    ids = new Set(tl.ids);
    const row = list.orders.find((o) => tl.ids.includes(o.id));
    head.replaceChildren(row ? summary(row) : h('p', { class: 'muted' }, tl.channel));
    steps.replaceChildren(...tl.steps.map(step));
    if (!tl.steps.length) steps.append(h('li', { class: 'muted' }, t('order.empty')));
  };
  refresh = debounce(() => load().catch(() => {}), 120);
  await load();
}

// onLive reloads the timeline when a call or event may concern the order.
export function onLive(kind, msg) {
  if (kind === 'event' || [...ids].some((id) => (msg.path || '').includes(id) || (msg.requestBody || '').includes(id))) refresh();
}

function summary(o) {
  return h('dl', { class: 'facts' },
    h('dt', null, t('col.status')), h('dd', { id: 'order-status' }, h('span', { class: 'badge ' + tone(o.status) }, o.status)),
    h('dt', null, t('col.channel')), h('dd', null, t('channel.' + o.channel)),
    h('dt', null, t('col.value')), h('dd', null, money(o.value)),
    h('dt', null, t('col.customer')), h('dd', null, o.customer),
    o.marketplaceOrderId ? [h('dt', null, 'SkyHub'), h('dd', null, o.marketplaceOrderId)] : null,
    h('dt', null, t('col.invoices')), h('dd', null, invoices(o.invoices)));
}

function step(s) {
  const evs = s.events.map(eventLine);
  if (!s.call) return h('li', { class: 'step event-only' }, h('ul', { class: 'events' }, evs));
  const c = s.call;
  const who = c.origin ? t('order.by', { who: c.origin }) : c.api === 'hook' ? t('order.delivery') : '';
  return h('li', { class: 'step call' },
    h('details', null,
      h('summary', null,
        h('span', { class: 'method' }, c.method), ' ', h('code', null, c.path), ' → ',
        h('span', { class: 'badge ' + (c.status >= 400 ? 'bad' : 'good') }, String(c.status)),
        ' ', h('span', { class: 'muted' }, [c.api, who, when(c.time), c.fault ? t('order.fault', { id: c.fault }) : ''].filter(Boolean).join(' · '))),
      bodies(c)),
    evs.length ? h('ul', { class: 'events' }, evs) : null);
}

export function bodies(c) {
  return h('div', { class: 'bodies' },
    c.requestBody ? [h('h4', null, t('journal.request')), h('pre', null, pretty(c.requestBody))] : null,
    c.responseBody ? [h('h4', null, t('journal.response')), h('pre', null, pretty(c.responseBody))] : null);
}

function eventLine(e) {
  const move = e.from || e.to ? [e.from, e.to].filter(Boolean).join(' → ') : '';
  const extra = e.data ? Object.entries(e.data).filter(([k, v]) => typeof v !== 'object' && !['code', 'remoteCode', 'orderId'].includes(k))
    .slice(0, 4).map(([k, v]) => k + ': ' + v).join(', ') : '';
  return h('li', { class: 'ev', 'data-type': e.type },
    h('span', { class: 'etype' }, e.type), move ? ' ' + move : '', extra ? h('span', { class: 'muted' }, ' ' + extra) : '');
}
