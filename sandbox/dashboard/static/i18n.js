// Words of the page in English and Brazilian Portuguese. The page follows
// the browser's language and offers a switch; amounts are BRL.
const words = {
  en: {
    skip: 'Skip to content', title: 'sandbox dashboard', views: 'Views', account: 'Account', language: 'Language', loading: 'Loading…',
    'nav.orders': 'Orders', 'nav.feeds': 'Feeds and hooks', 'nav.journal': 'Journal', 'nav.catalog': 'Catalog', 'nav.controls': 'Controls',
    'token.title': 'Control token', 'token.label': 'Token', 'token.save': 'Use this token', 'token.wrong': 'That token was refused; try again.',
    'token.why': 'This sandbox protects its control plane. Enter the token it was started with (--control-token); it is kept in this tab only.',
    'live.on': 'live', 'live.off': 'not live',
    'orders.title': 'Orders of {account}', 'orders.none': 'No orders yet.', 'orders.caption': '{n} of {total} orders, newest first',
    'orders.new': 'New order', 'orders.create': 'Create order', 'orders.sku': 'Item SKU', 'orders.item': 'Item name',
    'orders.price': 'Unit price (R$)', 'orders.qty': 'Quantity', 'orders.sampleItem': 'Blue T-shirt M', 'orders.created': 'Order {id} created.',
    'channel.vtex': 'VTEX', 'channel.b2w': 'B2W (SkyHub)', 'channel.skyhub': 'SkyHub', 'channel.mercadolivre': 'Mercado Livre',
    'col.order': 'Order', 'col.channel': 'Channel', 'col.status': 'Status', 'col.value': 'Value', 'col.customer': 'Customer',
    'col.invoices': 'Invoices and tracking', 'col.created': 'Created', 'col.time': 'Time',
    'invoice.number': 'invoice {n}', 'invoice.tracking': 'tracking {n}', 'invoice.delivered': 'delivered',
    'order.title': 'Order {id}', 'order.timeline': 'Timeline', 'order.empty': 'Nothing recorded for this order yet.',
    'order.by': 'by {who}', 'order.delivery': 'sent by the sandbox', 'order.fault': 'answered by fault {id}',
    'journal.request': 'Request body', 'journal.response': 'Response body', 'journal.any': 'any', 'journal.method': 'Method',
    'journal.path': 'Path', 'journal.apply': 'Filter', 'journal.caption': 'Recorded calls, newest first, live', 'journal.fault': '(fault)',
    'feeds.feeds': 'Feeds', 'feeds.appKey': 'App key', 'feeds.filter': 'Filter', 'feeds.visible': 'Waiting', 'feeds.inFlight': 'In flight',
    'feeds.visibility': 'Visibility timeout', 'feeds.oldest': 'Oldest item', 'feeds.noFeed': 'No feed configured.', 'feeds.hooks': 'Hooks',
    'feeds.pending': 'Waiting', 'feeds.retrying': 'Retrying', 'feeds.nextRetry': 'Next retry', 'feeds.noHook': 'No hook configured.',
    'feeds.deliveries': 'Recent hook deliveries', 'feeds.failures': 'Hook failures', 'feeds.attempt': 'Attempt', 'feeds.detail': 'Detail',
    'feeds.abandoned': 'given up', 'feeds.retryIn': 'retry in {d}',
    'catalog.vtex': 'VTEX catalog, prices and stock', 'catalog.product': 'Product', 'catalog.active': 'Active', 'catalog.price': 'Price',
    'catalog.total': 'Total', 'catalog.reserved': 'Reserved', 'catalog.available': 'Available', 'catalog.noVtex': 'The VTEX catalog is empty.',
    'catalog.skyhub': 'SkyHub products', 'catalog.qty': 'Stock', 'catalog.promo': 'Promotional', 'catalog.noSkyhub': 'No SkyHub products.',
    'catalog.ml': 'Mercado Livre listings', 'catalog.sold': 'Sold', 'catalog.noMl': 'No Mercado Livre listings.', yes: 'yes', no: 'no',
    'controls.clock': 'Sandbox clock', 'controls.now': 'Now:', 'controls.advance': 'Advance by (e.g. 90s, 2h)', 'controls.advanceBtn': 'Advance the clock',
    'controls.frozen': 'frozen', 'controls.advanced': 'The clock is now {now}.',
    'controls.faults': 'Add a fault', 'controls.times': 'Times (0: until removed)', 'controls.addFault': 'Add fault',
    'controls.faultsCaption': 'Faults in force', 'controls.hits': 'Hits', 'controls.remaining': 'Remaining', 'controls.noFaults': 'No faults in force.',
    'controls.remove': 'Remove fault {id}', 'controls.removeBtn': 'Remove', 'controls.removed': 'Fault {id} removed.', 'controls.added': 'Fault {id} added.',
    'controls.resetTitle': 'Reset', 'controls.resetWhy': 'Back to the seeded orders; the account\'s journal, events, faults, feeds and hooks are forgotten.',
    'controls.reset': 'Reset {account}', 'controls.confirmReset': 'Reset {account} to its seeded state?', 'controls.wasReset': '{account} is back to its seeded state.',
  },
  pt: {
    skip: 'Ir para o conteúdo', title: 'painel do sandbox', views: 'Telas', account: 'Conta', language: 'Idioma', loading: 'Carregando…',
    'nav.orders': 'Pedidos', 'nav.feeds': 'Feeds e hooks', 'nav.journal': 'Registro de chamadas', 'nav.catalog': 'Catálogo', 'nav.controls': 'Controles',
    'token.title': 'Token de controle', 'token.label': 'Token', 'token.save': 'Usar este token', 'token.wrong': 'Token recusado; tente de novo.',
    'token.why': 'Este sandbox protege o plano de controle. Informe o token com que ele foi iniciado (--control-token); ele fica só nesta aba.',
    'live.on': 'ao vivo', 'live.off': 'desconectado',
    'orders.title': 'Pedidos de {account}', 'orders.none': 'Nenhum pedido ainda.', 'orders.caption': '{n} de {total} pedidos, mais novos primeiro',
    'orders.new': 'Novo pedido', 'orders.create': 'Criar pedido', 'orders.sku': 'SKU do item', 'orders.item': 'Nome do item',
    'orders.price': 'Preço unitário (R$)', 'orders.qty': 'Quantidade', 'orders.sampleItem': 'Camiseta azul M', 'orders.created': 'Pedido {id} criado.',
    'channel.vtex': 'VTEX', 'channel.b2w': 'B2W (SkyHub)', 'channel.skyhub': 'SkyHub', 'channel.mercadolivre': 'Mercado Livre',
    'col.order': 'Pedido', 'col.channel': 'Canal', 'col.status': 'Status', 'col.value': 'Valor', 'col.customer': 'Cliente',
    'col.invoices': 'Notas e rastreio', 'col.created': 'Criado em', 'col.time': 'Hora',
    'invoice.number': 'NF {n}', 'invoice.tracking': 'rastreio {n}', 'invoice.delivered': 'entregue',
    'order.title': 'Pedido {id}', 'order.timeline': 'Linha do tempo', 'order.empty': 'Nada registrado para este pedido ainda.',
    'order.by': 'por {who}', 'order.delivery': 'enviado pelo sandbox', 'order.fault': 'respondido pela falha {id}',
    'journal.request': 'Corpo da requisição', 'journal.response': 'Corpo da resposta', 'journal.any': 'qualquer', 'journal.method': 'Método',
    'journal.path': 'Caminho', 'journal.apply': 'Filtrar', 'journal.caption': 'Chamadas registradas, mais novas primeiro, ao vivo', 'journal.fault': '(falha)',
    'feeds.feeds': 'Feeds', 'feeds.appKey': 'App key', 'feeds.filter': 'Filtro', 'feeds.visible': 'Aguardando', 'feeds.inFlight': 'Em leitura',
    'feeds.visibility': 'Tempo de invisibilidade', 'feeds.oldest': 'Item mais antigo', 'feeds.noFeed': 'Nenhum feed configurado.', 'feeds.hooks': 'Hooks',
    'feeds.pending': 'Aguardando', 'feeds.retrying': 'Em nova tentativa', 'feeds.nextRetry': 'Próxima tentativa', 'feeds.noHook': 'Nenhum hook configurado.',
    'feeds.deliveries': 'Entregas recentes do hook', 'feeds.failures': 'Falhas do hook', 'feeds.attempt': 'Tentativa', 'feeds.detail': 'Detalhe',
    'feeds.abandoned': 'desistiu', 'feeds.retryIn': 'nova tentativa em {d}',
    'catalog.vtex': 'Catálogo, preços e estoque VTEX', 'catalog.product': 'Produto', 'catalog.active': 'Ativo', 'catalog.price': 'Preço',
    'catalog.total': 'Total', 'catalog.reserved': 'Reservado', 'catalog.available': 'Disponível', 'catalog.noVtex': 'O catálogo VTEX está vazio.',
    'catalog.skyhub': 'Produtos SkyHub', 'catalog.qty': 'Estoque', 'catalog.promo': 'Promocional', 'catalog.noSkyhub': 'Nenhum produto SkyHub.',
    'catalog.ml': 'Anúncios do Mercado Livre', 'catalog.sold': 'Vendidos', 'catalog.noMl': 'Nenhum anúncio no Mercado Livre.', yes: 'sim', no: 'não',
    'controls.clock': 'Relógio do sandbox', 'controls.now': 'Agora:', 'controls.advance': 'Avançar (ex.: 90s, 2h)', 'controls.advanceBtn': 'Avançar o relógio',
    'controls.frozen': 'parado', 'controls.advanced': 'O relógio está em {now}.',
    'controls.faults': 'Adicionar uma falha', 'controls.times': 'Vezes (0: até remover)', 'controls.addFault': 'Adicionar falha',
    'controls.faultsCaption': 'Falhas em vigor', 'controls.hits': 'Acertos', 'controls.remaining': 'Restantes', 'controls.noFaults': 'Nenhuma falha em vigor.',
    'controls.remove': 'Remover a falha {id}', 'controls.removeBtn': 'Remover', 'controls.removed': 'Falha {id} removida.', 'controls.added': 'Falha {id} adicionada.',
    'controls.resetTitle': 'Reiniciar', 'controls.resetWhy': 'Volta aos pedidos iniciais; o registro de chamadas, os eventos, as falhas, os feeds e os hooks da conta são apagados.',
    'controls.reset': 'Reiniciar {account}', 'controls.confirmReset': 'Reiniciar {account} ao estado inicial?', 'controls.wasReset': '{account} voltou ao estado inicial.',
  },
};

let current = 'en';
const locales = { en: 'en-GB', pt: 'pt-BR' };

export function setLang(l) {
  current = words[l] ? l : 'en';
  document.documentElement.lang = current === 'pt' ? 'pt-BR' : 'en';
}

export function lang() { return current; }

// t looks a word up and fills its {placeholders}.
export function t(key, vars) {
  const s = words[current][key] ?? words.en[key] ?? key;
  return vars ? s.replace(/\{(\w+)\}/g, (_, k) => (vars[k] ?? '')) : s;
}

// applyStatic translates the page's fixed elements.
export function applyStatic() {
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll('[data-i18n-aria]')) el.setAttribute('aria-label', t(el.dataset.i18nAria));
}

export function money(cents) {
  return new Intl.NumberFormat(locales[current], { style: 'currency', currency: 'BRL' }).format((cents || 0) / 100);
}

export function when(iso) {
  if (!iso) return '';
  return new Intl.DateTimeFormat(locales[current], { dateStyle: 'short', timeStyle: 'medium' }).format(new Date(iso));
}
