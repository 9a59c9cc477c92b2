// The dashboard: a header (views, account, language, live state), one view
// at a time in <main>, and one live stream of the account's calls and
// events that the view in sight listens to.
import { api, onTokenNeeded, stream, token } from './api.js';
import { applyStatic, lang, setLang, t } from './i18n.js';
import * as orders from './views/orders.js';
import * as order from './views/order.js';
import * as feeds from './views/feeds.js';
import * as journal from './views/journal.js';
import * as catalog from './views/catalog.js';
import * as controls from './views/controls.js';

const ACCOUNT_KEY = 'omsbox.account';
const views = { orders, order, feeds, journal, catalog, controls };
const main = document.getElementById('main');
const accountSel = document.getElementById('account');
const langSel = document.getElementById('lang');
const live = document.getElementById('live');

const state = { account: '', current: null, stopStream: null, live: false };

// The token prompt: a modal dialog whose input is labelled; resolves once
// a token is stored, so the call that needed it tries again.
let pending = null;
onTokenNeeded((wrong) => {
  if (pending) return pending;
  const dlg = document.getElementById('token-dialog');
  const form = document.getElementById('token-form');
  const input = document.getElementById('token');
  document.getElementById('token-error').textContent = wrong ? t('token.wrong') : '';
  input.value = '';
  pending = new Promise((resolve) => {
    form.onsubmit = (ev) => {
      ev.preventDefault();
      if (!input.value.trim()) return;
      token.set(input.value.trim());
      dlg.close();
      pending = null;
      resolve();
    };
  });
  if (!dlg.open) dlg.showModal();
  input.focus();
  return pending;
});

function route() {
  const [, name = 'orders', ...rest] = (location.hash || '#/orders').split('/');
  const view = views[name] ? name : 'orders';
  return { view, arg: rest.map(decodeURIComponent).join('/') };
}

async function render() {
  const { view, arg } = route();
  for (const a of document.querySelectorAll('nav a')) {
    const here = a.id === 'nav-' + (view === 'order' ? 'orders' : view);
    if (here) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  const mod = views[view];
  const ctx = { account: state.account, arg, rerender: render };
  state.current = { mod, ctx };
  main.replaceChildren();
  try {
    await mod.render(main, ctx);
  } catch (e) {
    main.replaceChildren(Object.assign(document.createElement('p'), { className: 'error', role: 'alert', textContent: e.message }));
  }
  document.title = 'omsbox · ' + t('nav.' + (view === 'order' ? 'orders' : view));
}

function setLive(on) {
  state.live = on;
  live.textContent = on ? '● ' + t('live.on') : '○ ' + t('live.off');
  live.className = 'live ' + (on ? 'on' : 'off');
}

function connect() {
  if (state.stopStream) state.stopStream();
  state.stopStream = stream({ account: state.account }, (kind, msg) => {
    const cur = state.current;
    if (cur && cur.mod.onLive) cur.mod.onLive(kind, msg, cur.ctx);
  }, setLive);
}

async function boot() {
  setLang(localStorage.getItem('omsbox.lang') || (navigator.language || 'en').slice(0, 2));
  langSel.value = lang();
  applyStatic();
  setLive(false);
  langSel.addEventListener('change', () => {
    setLang(langSel.value);
    localStorage.setItem('omsbox.lang', lang());
    applyStatic();
    setLive(state.live);
    render();
  });
  // The accounts come from the token-guarded list; the default from health.
  const [health, accounts] = await Promise.all([api('/_sandbox/health'), api('/_sandbox/accounts')]);
  const saved = sessionStorage.getItem(ACCOUNT_KEY);
  state.account = accounts.includes(saved) ? saved : (health.defaultAccount || accounts[0] || '');
  accountSel.replaceChildren(...accounts.map((a) => new Option(a, a, false, a === state.account)));
  accountSel.addEventListener('change', () => {
    state.account = accountSel.value;
    sessionStorage.setItem(ACCOUNT_KEY, state.account);
    connect();
    render();
  });
  window.addEventListener('hashchange', render);
  connect();
  await render();
  performance.mark('omsbox:first-view');
}

boot().catch((e) => {
  main.replaceChildren(Object.assign(document.createElement('p'), { className: 'error', role: 'alert', textContent: e.message }));
});
