// The app: boot, hash router, header and tab bar, and when to sync.
import * as api from './api.js';
import * as data from './data.js';
import * as outbox from './outbox.js';
import { dropMine, kvGet } from './idb.js';
import { t, getLang, setLang } from './i18n.js';
import { fill, h } from './util.js';
import { icon } from './icons.js';

const SCREENS = {
  login: () => import('./screens/login.js'),
  today: () => import('./screens/today.js'),
  scan: () => import('./screens/scan.js'),
  walk: () => import('./screens/walk.js'),
  report: () => import('./screens/report.js'),
  orders: () => import('./screens/orders.js'),
  order: () => import('./screens/order.js'),
  outbox: () => import('./screens/queue.js'),
  sos: () => import('./screens/sos.js'),
};

const THEME_KEY = 'patrol.theme';
/** auto (the phone's setting), dark or light. */
export function theme() { return localStorage.getItem(THEME_KEY) || 'auto'; }
function applyTheme() {
  const t = theme();
  if (t === 'auto') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = t;
}
function isDark() {
  const t = theme();
  return t === 'dark' || (t === 'auto' && window.matchMedia && matchMedia('(prefers-color-scheme: dark)').matches);
}

const view = document.getElementById('view');
const top = document.getElementById('top');
const nav = document.getElementById('nav');
let current = null;
let renderSeq = 0;

/** The route as {name, params} from location.hash. */
export function parseRoute(hash = location.hash) {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [name, a, b] = parts;
  switch (name) {
    case 'scan': return { name: 'scan', params: { code: a || null } };
    case 'walk': return { name: 'walk', params: { code: a, key: b } };
    case 'report': return { name: 'report', params: { code: a || null } };
    case 'orders': return a ? { name: 'order', params: { id: a } } : { name: 'orders', params: {} };
    case 'outbox': return { name: 'outbox', params: {} };
    case 'login': return { name: 'login', params: {} };
    case 'sos': return { name: 'sos', params: { code: a || null } };
    default: return { name: 'today', params: {} };
  }
}

export function go(hash, replace = false) {
  if (replace) location.replace(hash);
  else if (location.hash === hash) render();
  else location.hash = hash;
}

let toastTimer = null;
export function toast(message, kind = 'info') {
  const el = document.getElementById('toast');
  el.textContent = message;
  el.className = `toast show ${kind}`;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.className = 'toast'; }, 3500);
}

async function renderChrome(route, user) {
  // logged out: not even an empty database is made again
  const c = user ? await outbox.counts() : { total: 0, refused: 0 };
  const badge = c.total ? h('span', { class: `badge${c.refused || c.stuck ? ' bad' : ''}`, id: 'outbox-badge' }, String(c.total)) : null;
  // the emergency button is on every screen; the walk's checkpoint goes with it
  const here = route.params && route.params.code ? `/${encodeURIComponent(route.params.code)}` : '';
  fill(top,
    h('div', { class: 'brand' }, t('app_name')),
    h('div', { class: 'top-actions' },
      user && route.name !== 'sos' ? h('a', { href: `#/sos${here}`, class: 'sos-link', id: 'sos', 'aria-label': t('sos') }, t('sos_short')) : null,
      user ? h('a', { href: '#/outbox', class: 'outbox-link', 'aria-label': t('outbox') }, icon('outbox', 20), badge) : null,
      h('button', { class: 'theme', type: 'button', id: 'theme-switch', 'aria-label': t('theme_switch'), onclick: () => {
        localStorage.setItem(THEME_KEY, isDark() ? 'light' : 'dark');
        applyTheme();
        render();
      } }, isDark() ? '☀' : '☾'),
      h('button', { class: 'lang', type: 'button', onclick: () => { setLang(getLang() === 'zh' ? 'en' : 'zh'); render(); } },
        getLang() === 'zh' ? 'EN' : '中文')),
  );
  if (!user || route.name === 'login') {
    nav.replaceChildren();
    nav.hidden = true;
    return;
  }
  nav.hidden = false;
  const tabs = [['today', '#/today'], ['scan', '#/scan'], ['report', '#/report']];
  if (user.role === 'technician') tabs.splice(1, 0, ['orders', '#/orders']);
  const active = { walk: 'scan', order: 'orders', outbox: 'today', sos: 'today' }[route.name] || route.name;
  nav.replaceChildren(...tabs.map(([name, href]) => h('a', {
    href, class: `tab${active === name ? ' active' : ''}`, dataset: { tab: name },
  }, icon(name, 26), h('span', {}, t(`tab_${name}`)))));
}

export async function render() {
  const seq = ++renderSeq;
  let route = parseRoute();
  const user = api.token() ? await kvGet('user') : null;
  if (user) await data.loadLabels();
  if (!user && route.name !== 'login') {
    // a label scanned before logging in opens after the login
    if (location.hash && location.hash !== '#/login') sessionStorage.setItem('patrol.after_login', location.hash);
    route = { name: 'login', params: {} };
  }
  if (current && current.cleanup) {
    try { current.cleanup(); } catch (e) { /* screen already gone */ }
  }
  current = null;
  document.documentElement.lang = getLang() === 'zh' ? 'zh-CN' : 'en';
  await renderChrome(route, user);
  const mod = await SCREENS[route.name]();
  const ctx = { go, toast, render, user, route, logout, syncAll };
  const screen = await mod.render(ctx, route.params);
  if (seq !== renderSeq) {
    if (screen && screen.cleanup) screen.cleanup();
    return;
  }
  current = screen;
  view.replaceChildren(screen.el);
  view.dataset.screen = route.name;
  window.scrollTo(0, 0);
}

/** Sync reference data in the background; the screens read what is stored. */
export async function syncData() {
  if (!api.token()) return false;
  try {
    await data.refresh();
    return true;
  } catch (e) {
    return false;
  }
}

export async function syncAll() {
  const res = await outbox.sendNow();
  const ok = await syncData();
  return { sent: res ? res.sent : 0, refreshed: ok };
}

/** Log out: the token is revoked and this person's data goes (other people's queued entries stay). */
export async function logout() {
  try { await api.post('/auth/logout', undefined); } catch (e) { /* offline: the token expires on its own */ }
  const lang = getLang();
  const th = localStorage.getItem(THEME_KEY);
  const me = api.username();
  api.setToken(null);
  localStorage.clear();
  sessionStorage.clear();
  setLang(lang);
  if (th) localStorage.setItem(THEME_KEY, th);
  await dropMine(me);
  if (window.caches) {
    for (const name of await caches.keys()) if (name.startsWith('patrol-data')) await caches.delete(name);
  }
  go('#/login', true);
  render();
}

function onOutboxChange() {
  const route = parseRoute();
  outbox.counts().then((c) => {
    const link = top.querySelector('.outbox-link');
    if (!link) return;
    const old = link.querySelector('.badge');
    if (old) old.remove();
    if (c.total) link.append(h('span', { class: `badge${c.refused || c.stuck ? ' bad' : ''}`, id: 'outbox-badge' }, String(c.total)));
    if (route.name === 'today' || route.name === 'outbox') {
      if (current && current.refresh) current.refresh();
    }
  });
}

/**
 * Inside WeChat's built-in browser the app's storage is WeChat's, not the browser's: queued rounds
 * and the login would live apart from the app the guard normally uses. Say so and offer the way out.
 */
function wechatNotice() {
  if (!/MicroMessenger/i.test(navigator.userAgent)) return;
  const copy = h('button', { class: 'big', type: 'button', id: 'copy-link', onclick: async () => {
    try { await navigator.clipboard.writeText(location.href); toast(t('wechat_copied'), 'ok'); } catch (e) { toast(location.href); }
  } }, t('wechat_copy'));
  document.body.prepend(h('div', { class: 'wechat-notice', id: 'wechat-notice', role: 'alert' },
    h('strong', {}, t('wechat_title')), h('p', {}, t('wechat_hint')), copy));
}

function boot() {
  applyTheme();
  wechatNotice();
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('./sw.js', { scope: './' }).catch(() => { /* plain http on a LAN address */ });
    // Background Sync woke the worker while the app is open: the app's own loop sends
    navigator.serviceWorker.addEventListener('message', (ev) => {
      if (ev.data && ev.data.type === 'drain') outbox.sendNow();
    });
    import('./push.js').then((m) => m.watch()).catch(() => { /* Web Push: optional */ });
  }
  outbox.events.addEventListener('progress', (ev) => { if (current && current.progress) current.progress(ev.detail); });
  window.addEventListener('hashchange', render);
  window.addEventListener('online', () => { syncAll().then(() => { if (current && current.refresh) current.refresh(); }); });
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') outbox.drain(); });
  outbox.events.addEventListener('change', onOutboxChange);
  outbox.events.addEventListener('sent', () => {
    toast(t('sent_ok'), 'ok');
    syncData().then(() => { if (current && current.refresh) current.refresh(); });
  });
  api.events.addEventListener('unauthorized', () => {
    // keep the outbox: after logging in again it is sent with the new token
    api.setToken(null);
    toast(t('login_again'), 'bad');
    render();
  });
  import('./originals.js').then((m) => m.watchOriginals()).catch(() => { /* no IndexedDB */ });
  render().then(() => {
    if (api.token()) {
      outbox.drain();
      if (navigator.onLine) syncData().then((ok) => { if (ok && current && current.refresh) current.refresh(); });
    }
  });
}

boot();
