// Log in once; the phone then keeps what a round needs.
import * as api from '../api.js';
import * as data from '../data.js';
import * as outbox from '../outbox.js';
import { kvDel, kvSet } from '../idb.js';
import { t } from '../i18n.js';
import { h } from '../util.js';

export async function render(ctx) {
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  const username = h('input', { name: 'username', autocomplete: 'username', autocapitalize: 'none', required: true, inputmode: 'text' });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const button = h('button', { class: 'big primary', type: 'submit' }, t('login'));

  async function submit(ev) {
    ev.preventDefault();
    error.hidden = true;
    button.disabled = true;
    try {
      const r = await api.post('/auth/login', { username: username.value.trim(), password: password.value });
      // a shared post phone: what the previous person queued stays theirs, sent when they log in
      // again (never deleted because someone else logged in)
      const previous = api.username();
      if (previous && previous !== r.data.user.username) {
        await Promise.all(['tasks', 'work_orders', 'sent_log'].map((k) => kvDel(k)));
      }
      api.setToken(r.data.token);
      api.setUsername(r.data.user.username);
      await kvSet('user', r.data.user);
      // the service worker's Background Sync sends with it while the app is closed
      await kvSet('auth', { username: r.data.user.username, token: r.data.token, lang: api.acceptLanguage() });
      try {
        await data.refresh();
      } catch (e) {
        ctx.toast(t('sync_failed'), 'bad');
      }
      const next = sessionStorage.getItem('patrol.after_login') || '#/today';
      sessionStorage.removeItem('patrol.after_login');
      ctx.go(next, true);
      ctx.render();
      outbox.sendNow();  // what waited for this login goes now, without a tap
    } catch (e) {
      error.textContent = e instanceof api.NetworkError ? t('offline_login') : e.message;
      error.hidden = false;
      button.disabled = false;
    }
  }

  const el = h('section', { class: 'screen login' },
    h('h1', {}, t('login_title')),
    h('p', { class: 'muted' }, t('login_hint')),
    h('form', { onsubmit: submit, class: 'stack' },
      h('label', {}, t('username'), username),
      h('label', {}, t('password'), password),
      error,
      button));
  return { el };
}
