// Orders: the account's orders in every channel, newest first, and the
// form that creates one.
import { api, query } from '../api.js';
import { debounce, field, h, table } from '../dom.js';
import { money, t, when } from '../i18n.js';

let refresh = () => {};

export async function render(main, ctx) {
  const list = h('div', { id: 'orders-list' });
  const note = h('p', { id: 'create-note', role: 'status', 'aria-live': 'polite' });
  main.append(h('h2', null, t('orders.title', { account: ctx.account })), createForm(ctx, note, () => load()), note, list);
  const load = async () => {
    const data = await api('/_sandbox/orders' + query({ account: ctx.account, limit: 200 }));
    list.replaceChildren(ordersTable(data));
  };
  refresh = debounce(() => load().catch(() => {}), 150);
  await load();
}

// onLive refreshes the list when an order of any channel changes.
export function onLive(kind, msg) {
  if (kind === 'event' && /^(order|invoice|tracking|skyhub|mercadolivre|b2w)\./.test(msg.type)) refresh();
}

function ordersTable(data) {
  if (!data.orders.length) return h('p', { class: 'muted' }, t('orders.none'));
  const rows = data.orders.map((o) => h('tr', { 'data-order': o.id },
    h('td', null, h('a', { href: '#/order/' + encodeURIComponent(o.id) }, o.id)),
    h('td', null, t('channel.' + o.channel)),
    h('td', null, h('span', { class: 'badge ' + tone(o.status) }, o.status), o.shipment ? h('div', { class: 'muted' }, o.shipment) : null),
    h('td', { class: 'num' }, money(o.value)),
    h('td', null, o.customer),
    h('td', null, invoices(o.invoices)),
    h('td', null, when(o.created))));
  return table(t('orders.caption', { n: data.orders.length, total: data.total }),
    [t('col.order'), t('col.channel'), t('col.status'), t('col.value'), t('col.customer'), t('col.invoices'), t('col.created')],
    rows, { class: 'grid', id: 'orders-table' });
}

export function invoices(list) {
  if (!list || !list.length) return '—';
  return h('ul', { class: 'plain' }, list.map((i) => h('li', null,
    [i.number && t('invoice.number', { n: i.number }), i.value ? money(i.value) : '', i.trackingNumber && t('invoice.tracking', { n: i.trackingNumber }) + (i.courier ? ' (' + i.courier + ')' : ''),
      i.delivered ? t('invoice.delivered') : ''].filter(Boolean).join(' · ') || (i.key ? 'NF-e ' + i.key.slice(0, 12) + '…' : ''))));
}

// tone colours a status: refused or canceled, done, waiting.
export function tone(status) {
  const s = String(status).toLowerCase();
  if (/(^|-)cancel(ed|led|lation)|fail|abandon|not_deliver|refund/.test(s)) return 'bad';
  if (/invoiced|delivered|paid|complete|shipped|approved/.test(s)) return 'good';
  return 'wait';
}

// createForm posts a new order through POST /_sandbox/orders.
function createForm(ctx, note, done) {
  const channel = h('select', null, ['vtex', 'b2w', 'mercadolivre'].map((c) => new Option(t('channel.' + c), c)));
  const sku = h('input', { required: true, value: 'CAM-AZUL-M', autocomplete: 'off' });
  const name = h('input', { required: true, value: t('orders.sampleItem'), autocomplete: 'off' });
  const price = h('input', { required: true, inputmode: 'decimal', value: '49,90', pattern: '[0-9]+([.,][0-9]{1,2})?', autocomplete: 'off' });
  const qty = h('input', { required: true, type: 'number', min: '1', max: '10000', value: '1' });
  const submit = h('button', { type: 'submit', id: 'create-submit' }, t('orders.create'));
  const form = h('form', { id: 'create-order', class: 'card', 'aria-labelledby': 'create-title' },
    h('h3', { id: 'create-title' }, t('orders.new')),
    h('div', { class: 'row' },
      field('new-channel', t('col.channel'), channel),
      field('new-sku', t('orders.sku'), sku),
      field('new-name', t('orders.item'), name),
      field('new-price', t('orders.price'), price),
      field('new-qty', t('orders.qty'), qty),
      h('div', { class: 'field end' }, submit)));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    submit.disabled = true;
    note.className = '';
    try {
      const cents = Math.round(parseFloat(price.value.replace(',', '.')) * 100);
      const created = await api('/_sandbox/orders', { method: 'POST', body: {
        account: ctx.account, channel: channel.value,
        items: [{ id: sku.value.trim(), name: name.value.trim(), price: cents, quantity: Number(qty.value) }],
      } });
      const id = created.orderId || (created.mercadolivre && String(created.mercadolivre.orderId));
      note.textContent = t('orders.created', { id });
      await done();
    } catch (e) {
      note.className = 'error';
      note.textContent = e.message;
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}
