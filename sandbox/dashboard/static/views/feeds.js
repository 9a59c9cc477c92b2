// Feeds and hooks: each app key's feed (filter, items waiting and in
// flight) and hook (URL, filter, notifications waiting), with the recent
// deliveries and failures.
import { api, query } from '../api.js';
import { debounce, h, table } from '../dom.js';
import { t, when } from '../i18n.js';

let refresh = () => {};

export async function render(main, ctx) {
  const box = h('div');
  main.append(h('h2', null, t('nav.feeds')), box);
  const load = async () => {
    const a = ctx.account;
    const [fs, hs, deliveries, failed, abandoned] = await Promise.all([
      api('/_sandbox/feeds' + query({ account: a })),
      api('/_sandbox/hooks' + query({ account: a })),
      api('/_sandbox/journal' + query({ account: a, api: 'hook', last: 20 })),
      api('/_sandbox/events' + query({ account: a, type: 'hook.failed', last: 20 })),
      api('/_sandbox/events' + query({ account: a, type: 'hook.abandoned', last: 20 })),
    ]);
    box.replaceChildren(
      fs.length ? table(t('feeds.feeds'), [t('feeds.appKey'), t('feeds.filter'), t('feeds.visible'), t('feeds.inFlight'), t('feeds.visibility'), t('feeds.oldest')],
        fs.map((f) => h('tr', null, h('td', null, f.appKey), h('td', null, filterText(f.filter)), h('td', { class: 'num' }, f.visible),
          h('td', { class: 'num' }, f.inFlight), h('td', { class: 'num' }, f.visibilityTimeoutInSeconds + ' s'),
          h('td', { class: 'num' }, Math.round(f.approximateAgeOfOldestMessageInSeconds || 0) + ' s'))), { class: 'grid', id: 'feeds-table' })
        : h('p', { class: 'muted' }, t('feeds.noFeed')),
      hs.length ? table(t('feeds.hooks'), [t('feeds.appKey'), 'URL', t('feeds.filter'), t('feeds.pending'), t('feeds.retrying'), t('feeds.nextRetry')],
        hs.map((k) => h('tr', null, h('td', null, k.appKey), h('td', null, h('code', null, k.url)), h('td', null, filterText(k.filter)),
          h('td', { class: 'num' }, k.pending), h('td', { class: 'num' }, k.retrying), h('td', null, k.nextRetry ? when(k.nextRetry) : '—'))), { class: 'grid', id: 'hooks-table' })
        : h('p', { class: 'muted' }, t('feeds.noHook')),
      table(t('feeds.deliveries'), [t('col.time'), 'URL', t('col.status'), 'ms'],
        deliveries.reverse().map((d) => h('tr', null, h('td', null, when(d.time)), h('td', null, h('code', null, d.path)),
          h('td', null, h('span', { class: 'badge ' + (d.status === 200 ? 'good' : 'bad') }, String(d.status))), h('td', { class: 'num' }, d.durationMs.toFixed(1)))),
        { class: 'grid' }),
      table(t('feeds.failures'), [t('col.time'), t('col.order'), t('feeds.attempt'), t('col.status'), t('feeds.detail')],
        [...failed, ...abandoned].sort((x, y) => y.seq - x.seq).map((e) => h('tr', null, h('td', null, when(e.time)),
          h('td', null, h('a', { href: '#/order/' + encodeURIComponent(e.orderId) }, e.orderId)), h('td', { class: 'num' }, e.data.attempt),
          h('td', null, h('span', { class: 'badge bad' }, e.type === 'hook.abandoned' ? t('feeds.abandoned') : String(e.data.status))),
          h('td', null, e.data.error || (e.data.retryIn ? t('feeds.retryIn', { d: e.data.retryIn }) : '')))),
        { class: 'grid' }));
  };
  refresh = debounce(() => load().catch(() => {}), 200);
  await load();
}

export function onLive(kind, msg) {
  if (kind === 'event' || msg.path === '/api/orders/feed' || msg.api === 'hook') refresh();
}

function filterText(f) {
  if (!f) return '—';
  return f.type === 'FromWorkflow' ? 'FromWorkflow: ' + (f.status || []).join(', ') : 'FromOrders: ' + (f.expression || '');
}
