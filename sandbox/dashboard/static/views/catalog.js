// Catalog, stock and prices: the VTEX catalog with each SKU's price and
// stock, the SkyHub seller's products and the Mercado Livre listings.
import { api, query } from '../api.js';
import { debounce, h, table } from '../dom.js';
import { money, t } from '../i18n.js';

let refresh = () => {};

export async function render(main, ctx) {
  const box = h('div');
  main.append(h('h2', null, t('nav.catalog')), box);
  const load = async () => {
    const c = await api('/_sandbox/catalog' + query({ account: ctx.account }));
    const skus = c.vtex.products.flatMap((p) => p.skus.map((s) => ({ p, s })));
    box.replaceChildren(
      skus.length || c.vtex.products.length ? table(t('catalog.vtex'),
        [t('catalog.product'), 'SKU', 'RefId', 'EAN', t('catalog.active'), t('catalog.price'), t('catalog.total'), t('catalog.reserved'), t('catalog.available')],
        skus.map(({ p, s }) => h('tr', null, h('td', null, p.id + ' · ' + p.name, h('div', { class: 'muted' }, [p.brand, p.category].filter(Boolean).join(' · '))),
          h('td', null, s.id + ' · ' + s.name), h('td', null, s.refId), h('td', null, s.eans.join(', ') || '—'),
          h('td', null, s.active ? t('yes') : t('no')),
          h('td', { class: 'num' }, s.price ? money(Math.round(s.price.basePrice * 100)) + (s.price.fixedPrices ? ' +' + s.price.fixedPrices : '') : '—'),
          h('td', { class: 'num' }, s.stock ? (s.stock.unlimitedQuantity ? '∞' : s.stock.totalQuantity) : '—'),
          h('td', { class: 'num' }, s.stock ? s.stock.reservedQuantity : '—'),
          h('td', { class: 'num' }, s.stock ? s.stock.availableQuantity : '—'))), { class: 'grid', id: 'catalog-vtex' })
        : h('p', { class: 'muted' }, t('catalog.noVtex')),
      c.skyhub.products.length ? table(t('catalog.skyhub'), ['SKU', t('catalog.product'), t('col.status'), t('catalog.qty'), t('catalog.price'), t('catalog.promo')],
        c.skyhub.products.map((p) => h('tr', null, h('td', null, p.sku), h('td', null, p.name), h('td', null, p.status), h('td', { class: 'num' }, p.qty),
          h('td', { class: 'num' }, money(Math.round(p.price * 100))), h('td', { class: 'num' }, p.promotionalPrice ? money(Math.round(p.promotionalPrice * 100)) : '—'))),
        { class: 'grid' }) : h('p', { class: 'muted' }, t('catalog.noSkyhub')),
      c.mercadolivre.items.length ? table(t('catalog.ml'), ['ID', t('catalog.product'), 'SKU', t('catalog.price'), t('catalog.available'), t('catalog.sold'), t('col.status')],
        c.mercadolivre.items.map((i) => h('tr', null, h('td', null, i.id), h('td', null, i.title), h('td', null, i.sku || '—'), h('td', { class: 'num' }, money(i.price)),
          h('td', { class: 'num' }, i.availableQuantity), h('td', { class: 'num' }, i.soldQuantity), h('td', null, i.status))),
        { class: 'grid' }) : h('p', { class: 'muted' }, t('catalog.noMl')));
  };
  refresh = debounce(() => load().catch(() => {}), 300);
  await load();
}

export function onLive(kind, msg) {
  if (kind === 'event' && /^(inventory|reservation|skyhub\.(product|stock)|mercadolivre\.item)/.test(msg.type)) refresh();
  if (kind === 'journal' && msg.method !== 'GET' && /catalog|pricing|logistics|\/products|\/items/.test(msg.path)) refresh();
}
